// The pages of a migrating process when they do not all cross at the stop (src/ssi/migration.ts):
//
// - pre-copy: while the process runs on, the source sends every page (round 1), then the pages it wrote since
//   the round before (their PTEs' D bits: src/machine/dirty-pages.ts), until a round is small or the rounds run
//   out; the target keeps them (PageStaging). At the stop only what changed since the last round crosses, the
//   rest is named (its address and mapping) and the target takes its bytes from what it kept.
// - post-copy: at the stop only the registers, the tables and the mapping of each page cross; the target builds
//   the process with every page that has bytes absent and host-kept (restoreProcess `absent`) and runs it at
//   once. A fault on an absent page asks the source for it (PostcopyArrival), while the source pushes the rest
//   in batches; each page crosses once. Pages of zeros need no bytes and never wait. A source that stops
//   answering takes with it the pages it alone held: a fault on one of them is SIGBUS (PAGE_LOST), never a
//   run on wrong memory.
import {
  fillAbsentPage, checkImagePageMetas, layout, PAGE_SERVED, PAGE_LOST, LATER, type ImagePage, type ImagePageMeta, type Machine,
  type PageFault, type HostAnswer, type HostReply, ImageError,
} from '../machine/index.js';

const { ERESTARTNOINTR, EFAULT } = layout;

/** Pre-copy's rounds before the stop, at most (the last one's dirty pages then cross at the stop). */
export const PRECOPY_ROUNDS_MAX = 8;
/** Pre-copy stops the process once the pages written since the last round are this few. */
export const PRECOPY_STOP_PAGES = 16;
/** Post-copy pushes the pages nobody asked for in batches of this many. */
export const POSTCOPY_PUSH_PAGES = 32;
/** Pages a target keeps for a pre-copy that goes quiet are dropped after this long (node time). */
export const STAGING_IDLE_NS = 10_000_000_000;

export function metaOf(p: ImagePage): ImagePageMeta {
  return { va: p.va, r: p.r, w: p.w, x: p.x, kind: p.kind, parked: p.parked };
}

/** A run of consecutive pages with one mapping, as the stop names them (n pages from va). */
export type PageRun = ImagePageMeta & { readonly n: number };

/**
 * Pages named at the stop (pre-copy's kept, post-copy's remote), as runs: a heap of thousands of pages with one
 * mapping is one entry, so what crosses at the stop does not grow with the address space. metas sorted by va.
 */
export function pageRuns(metas: readonly ImagePageMeta[]): PageRun[] {
  const runs: { meta: ImagePageMeta; key: string; n: number }[] = [];
  for (const p of metas) {
    const last = runs[runs.length - 1];
    const key = metaKey(p);
    if (last !== undefined && p.va === last.meta.va + last.n * layout.PAGE_BYTES && key === last.key) last.n++;
    else runs.push({ meta: p, key, n: 1 });
  }
  return runs.map((r) => ({ ...r.meta, n: r.n }));
}

/** The pages of runs from the wire, each checked as an image's page is (one ImageError otherwise). */
export function pagesOfRuns(raw: unknown): ImagePageMeta[] {
  if (!Array.isArray(raw)) throw new ImageError('page runs must be a list');
  const metas: ImagePageMeta[] = [];
  const limit = layout.LOAD_END / layout.PAGE_BYTES;
  for (const [i, r] of raw.entries()) {
    const { n, ...meta } = (r ?? {}) as { n?: unknown } & Record<string, unknown>;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > limit || metas.length + n > limit) throw new ImageError(`page run ${i}: n must be 1..${limit} pages in all`);
    const [first] = checkImagePageMetas([meta]);
    for (let k = 0; k < n; k++) metas.push({ ...first!, va: first!.va + k * layout.PAGE_BYTES });
  }
  // Every page checked again (addresses in user space, in order, no two alike).
  return checkImagePageMetas(metas);
}

/** Two captures of a page with the same key have the same mapping. */
export function metaKey(p: ImagePageMeta): string {
  return `${p.r ? 'r' : '-'}${p.w ? 'w' : '-'}${p.x ? 'x' : '-'}${p.parked ? 'p' : ''}:${p.kind}`;
}

/** A target's pages of pre-copy rounds, per source and pid, until the stop's prepare takes them. */
export class PageStaging {
  private readonly kept = new Map<string, { pages: Map<number, ImagePage['data']>; timer: number | null }>();

  constructor(private readonly timers: { setTimer(ns: number, fn: () => void): number; clearTimer(id: number): void }) {}

  put(from: string, pid: number, pages: readonly ImagePage[]): number {
    const key = `${from}/${pid}`;
    let k = this.kept.get(key);
    if (k === undefined) { k = { pages: new Map(), timer: null }; this.kept.set(key, k); }
    for (const p of pages) k.pages.set(p.va, p.data);
    if (k.timer !== null) this.timers.clearTimer(k.timer);
    k.timer = this.timers.setTimer(STAGING_IDLE_NS, () => { this.kept.delete(key); });
    return k.pages.size;
  }

  /** The pages kept for pid from `from`, handed over and forgotten. */
  take(from: string, pid: number): Map<number, ImagePage['data']> {
    const key = `${from}/${pid}`;
    const k = this.kept.get(key);
    if (k === undefined) return new Map();
    this.kept.delete(key);
    if (k.timer !== null) this.timers.clearTimer(k.timer);
    return k.pages;
  }
}

/** What a post-copy arrival did, for the report. */
export interface PostcopyCounts {
  /** Pages that came because a thread faulted on them, and those pushed unasked. */
  readonly faulted: number;
  readonly pushed: number;
  /** Faults on absent pages (several threads on one page count each). */
  readonly faults: number;
  /** Pages lost with the source (never arrived). */
  readonly lost: number;
}

/**
 * A process that arrived post-copy, on the target: its absent pages, the faults waiting for them, and the
 * requests to the source. ask(va) sends the request; its answer (or the source's push) comes to arrive().
 */
export class PostcopyArrival {
  private readonly absent = new Map<number, ImagePageMeta>();
  /** Host calls waiting for each page: a fault (PAGE_SERVED once it is here) or a system call (run again). */
  private readonly waiting = new Map<number, { readonly id: number; readonly call: boolean }[]>();
  private readonly asked = new Set<number>();
  private isLost = false;
  private counts = { faulted: 0, pushed: 0, faults: 0, lost: 0 };

  constructor(
    private readonly machine: Machine,
    readonly proc: number,
    readonly pid: number,
    readonly from: string,
    pages: readonly ImagePageMeta[],
    private readonly ask: (va: number) => void,
    private readonly complete: (id: number, answer: HostReply) => void,
  ) {
    for (const p of pages) this.absent.set(p.va, p);
  }

  /** Every page has arrived (or was given up): the process needs the source no more. */
  get done(): boolean { return this.absent.size === 0; }
  get lost(): boolean { return this.isLost; }
  get figures(): PostcopyCounts { return { ...this.counts }; }
  /** The pages still to come, lowest first. */
  missing(): number[] { return [...this.absent.keys()].sort((a, b) => a - b); }

  /** Whether this arrival answers the fault: its process's, or a child's forked since that shares the page. */
  owns(f: PageFault): boolean {
    return f.pid === this.pid ? f.proc === this.proc : this.absent.has(f.page);
  }

  /** A fault on one of its pages: held until the page arrives (LATER), or SIGBUS once the source is gone. */
  fault(f: PageFault): HostAnswer {
    const meta = this.absent.get(f.page);
    if (meta === undefined) return PAGE_SERVED; // it arrived meanwhile: run the access again
    this.counts.faults++;
    if (this.isLost) return PAGE_LOST;
    this.wait(f.page, { id: f.id, call: false });
    return LATER;
  }

  /**
   * A system call of its process (call id) found page absent in a copy from or to the user: true when the page is
   * one of its own still to come, and the call runs again once it is here (-ERESTARTNOINTR; -EFAULT if it is lost).
   */
  userMiss(id: number, page: number): boolean {
    if (!this.absent.has(page)) return false;
    this.counts.faults++;
    if (this.isLost) return false;
    this.wait(page, { id, call: true });
    return true;
  }

  private wait(page: number, w: { readonly id: number; readonly call: boolean }): void {
    const ws = this.waiting.get(page) ?? [];
    ws.push(w);
    this.waiting.set(page, ws);
    if (!this.asked.has(page)) { this.asked.add(page); this.ask(page); }
  }

  /** Page bytes from the source (asked for, or pushed): installed if still absent, and its faults run again. */
  arrive(page: ImagePage, pushed: boolean): void {
    const meta = this.absent.get(page.va);
    if (meta === undefined) return; // a second copy: the page may have been written since the first
    this.absent.delete(page.va);
    fillAbsentPage(this.machine, this.proc, meta, page.data);
    if (pushed && !this.asked.has(page.va)) this.counts.pushed++;
    else this.counts.faulted++;
    for (const w of this.waiting.get(page.va) ?? []) this.complete(w.id, { result: w.call ? -ERESTARTNOINTR : PAGE_SERVED });
    this.waiting.delete(page.va);
  }

  /** The source is gone: every page still absent is lost, and every fault waiting for one fails with SIGBUS. */
  lose(): number {
    if (this.isLost) return this.counts.lost;
    this.isLost = true;
    this.counts.lost = this.absent.size;
    for (const ws of this.waiting.values()) for (const w of ws) this.complete(w.id, w.call ? { result: -EFAULT } : PAGE_LOST);
    this.waiting.clear();
    return this.counts.lost;
  }
}
