// Process migration: a running process moves to another node and keeps its pid, its descriptors, its family
// and a CLOCK_MONOTONIC that never goes back. The source captures the whole process between slices (every
// thread; a futex waiter and a sleeper with the time they had left; src/machine/process-image.ts), takes it
// off its machine at once (procMigrateOut: nobody here sees it end; a parent here keeps a stand-in) and keeps
// the image and its descriptor table aside; its descriptions stay at home here and are exported to the target
// (remote descriptions, as a remote fork's). The copy takes the link's time (link_bps in simulation), then:
//
//   source                          target
//   prepare(image, files) ───────▶  build it, not running (restoreProcess start: false)
//                         ◀───────  ok
//   directory move(pid, src, dst)   (the replicated process directory: the commit point)
//   commit(pid) ─────────────────▶  its threads run
//
// Exactly one copy runs at any moment: the target runs it only once the directory says it is there (the commit,
// or, with the commit lost, its own lookup), and the source gives it back to its own machine only once the
// directory says it is not there (a refused or never-sent prepare, a refused move). A prepared copy the directory
// never moves is discarded by the target. Signals that reach the source during the move are held and sent on.
import type { NodeContext } from '../node/index.js';
import type { RpcClient, RpcServer } from '../rpc/index.js';
import type { MigrationMethod } from '../net/index.js';
import {
  layout, captureProcess, restoreProcess, encodeProcessImage, decodeProcessImage, checkImage, ImageBusyError, dirtyPages, clearDirty,
  copyPages, pageFaultOf, encodeImagePages, decodeImagePages, PAGE_LOST, busyThreadsExcept, answerCallNow, reapAnswered,
  setThreadResult, stringFromUser, LATER, type ProcessImage, type ImagePage, type ImagePageMeta, type ProcFiles, type System,
  type ExportedFiles, type HostCall, type HostAnswer,
} from '../machine/index.js';
import {
  PRECOPY_ROUNDS_MAX, PRECOPY_STOP_PAGES, POSTCOPY_PUSH_PAGES, PageStaging, PostcopyArrival, metaOf, metaKey, pageRuns, pagesOfRuns,
  type PostcopyCounts,
} from './migration-pages.js';
import { familyOf, decodeFamily, type FamilyMember } from './migration-family.js';
import type { ProcsService } from './service.js';
import type { RemoteForks } from './remote-fork.js';
import type { ProcessWatch } from './process-watch.js';

const {
  PROC_BASE, PROC_BYTES, P, PMIG_OK, PMIG_BUSY, PMIG_FAMILY, PMIG_SHARED_VM, IPC_BASE, IPC_EP_BYTES, IPC_ENDPOINTS_MAX,
  EP_NAME, EP_OWNER, SYS, ATOLL_MIGRATE_STOP, ATOLL_MIGRATE_PRECOPY, ATOLL_MIGRATE_POSTCOPY, EBUSY, EFAULT, EHOSTDOWN, EHOSTUNREACH,
  EINVAL,
} = layout;

/** A node id as the migrate call names it: at most this many bytes. */
const NODE_NAME_MAX = 64;
/** The migrate call's how, by number. */
const SELF_METHODS: Readonly<Record<number, MigrationMethod>> = { [ATOLL_MIGRATE_STOP]: 'stop', [ATOLL_MIGRATE_PRECOPY]: 'precopy', [ATOLL_MIGRATE_POSTCOPY]: 'postcopy' };

/**
 * A move the process asked for itself (the migrate call): its caller waits in the call while the move goes on;
 * 'waiting' until the capture, which answers it first ('answered': in user mode past its ecall with a0 = 0, on
 * this machine), then 'away' once the process has left (its image carries the answer). A move that fails gives
 * the caller -errno where it runs on: 'told' once it has it (in the image put back).
 */
interface SelfMove { readonly call: HostCall; state: 'waiting' | 'answered' | 'away' | 'told' }

/** How long a process may take to reach a state a migration can carry (no thread waiting for the host), node time. */
export const MIGRATE_QUIESCE_NS = 1_000_000_000;
const QUIESCE_RETRY_NS = 1_000_000;
/** The prepare and commit requests: tried this long, resent this often. */
export const MIGRATE_DEADLINE_NS = 2_000_000_000;
const MIGRATE_RETRY_NS = 200_000_000;
/** A prepared copy that no commit reaches asks the directory after this long, and again this often. */
const PREPARED_CHECK_NS = 3_000_000_000;
const PREPARED_RECHECK_NS = 500_000_000;
/** An outcome the directory could not give (no leader) is asked again this often. */
const LOOKUP_RETRY_NS = 200_000_000;
/** Moves remembered for forwarding signals and lookups (newest kept). */
const MOVED_MAX = 4096;
/** The simulated link a migration's bytes cross, bits per second (1 Gbit/s). */
export const MIGRATION_LINK_BPS_DEFAULT = 1e9;

/** What one migration did, for the report and the benchmarks (times in the source's node time). */
export interface MigrationFigures {
  readonly pid: number;
  readonly from: string;
  readonly to: string;
  readonly method: MigrationMethod;
  readonly ok: boolean;
  /** Why it did not happen (the process runs on where it was), or null. */
  readonly error: string | null;
  /** From the moment the process stopped running to the moment it ran again (where it now is). */
  readonly downtime_ns: number;
  /** From the request to the end. */
  readonly total_ns: number;
  /** Bytes sent: the image (pages, registers, tables) and the descriptor table. */
  readonly bytes: number;
  /** Pages sent, and pages sent more than once (pre-copy rounds). */
  readonly pages: number;
  readonly pages_resent: number;
  /** Copy rounds: 1 for stop-and-copy and post-copy; pre-copy's rounds while it ran, plus the stop. */
  readonly rounds: number;
  /** Post-copy: pages sent because the moved process faulted on them, and pages pushed unasked. */
  readonly pages_faulted: number;
  readonly pages_pushed: number;
}

/** The figures of a migration refused before anything moved (the process runs on where it was, if anywhere). */
export function migrationRefused(pid: number, from: string, to: string, method: MigrationMethod, error: string): MigrationFigures {
  return { pid, from, to, method, ok: false, error, downtime_ns: 0, total_ns: 0, bytes: 0, pages: 0, pages_resent: 0, rounds: 0, pages_faulted: 0, pages_pushed: 0 };
}

/** A migration's figures in one line: downtime, total time, bytes and pages (and how they crossed). */
export function migrationText(m: MigrationFigures): string {
  const how = m.method === 'precopy' ? `, ${m.pages_resent} sent again, ${m.rounds} rounds`
    : m.method === 'postcopy' ? `: ${m.pages_faulted} on a fault, ${m.pages_pushed} pushed` : '';
  return `down ${(m.downtime_ns / 1e6).toFixed(2)} ms, total ${(m.total_ns / 1e6).toFixed(2)} ms, ${m.bytes} bytes, ${m.pages} pages${how}`;
}

export interface MigrationHooks {
  readonly forks: RemoteForks;
  readonly watch: ProcessWatch;
  readonly procs: ProcsService | undefined;
  readonly wake: () => void;
  readonly isDown: (node: string) => boolean;
  readonly boot: number;
  /** The boot of node's machine as this node last heard it (undefined: not heard yet). */
  readonly bootOf: (node: string) => number | undefined;
  /**
   * Process pid of this node is now on node `to`: the directory says so (the commit point), whether or not `to`
   * has started it yet (the cluster's report follows it; should `to` crash first, the process ends with it).
   */
  readonly movedAway: (pid: number, to: string) => void;
  /** Process pid, moved to `to` (the directory says it is there), is not there: `to` restarted before it ran it. */
  readonly lostAway?: (pid: number, to: string, why: string) => void;
  /** A migration asked of this node has an outcome (a scripted move, an operator's, a process's own call). */
  readonly ended?: (f: MigrationFigures) => void;
  /** The simulated link's speed (a real node's bytes take what the network takes: undefined). */
  readonly link_bps?: number;
  /** The descriptor transport of imported tables (requests to each description's home). */
  readonly transport: () => { call(home: string, request: unknown, done: (reply: unknown) => void): void };
}

/** A process of this machine under way elsewhere: what the source keeps until the move has an outcome. */
interface Outgoing {
  readonly pid: number;
  readonly to: string;
  readonly method: MigrationMethod;
  readonly asked_ns: number;
  stopped_ns: number;
  image: ProcessImage | null;
  table: ProcFiles | null;
  exported: ExportedFiles | null;
  parentHere: boolean;
  /** Where its parent runs, as known at the stop (null: none, or not known). */
  parentNode: string | null;
  /** Its children at the stop: they stay where they run, and their parent link follows it. */
  family: FamilyMember[];
  bytes: number;
  /** When it ran again, where it now is (-1: not yet). */
  resumed_ns: number;
  /** Pages sent, and those of them sent before; copy rounds. */
  pages: number;
  resent: number;
  rounds: number;
  /** Pre-copy: each page sent in a round, with its mapping's key then (metaKey). */
  readonly sent: Map<number, string> | null;
  /** Post-copy: the bytes still here, the pages that have crossed, and how. */
  post: { readonly bytes: Map<number, ImagePage>; readonly sent: Set<number>; faulted: number; pushed: number; pushing: boolean } | null;
  /** Signals that arrived meanwhile, sent on once the process runs again. */
  readonly held: (() => void)[];
  readonly done: (f: MigrationFigures) => void;
  /** The process asked for this move itself (the migrate call), or null. */
  readonly self: SelfMove | null;
}

/** A copy built here, waiting for the commit. */
interface Prepared {
  readonly from: string;
  readonly proc: number;
  readonly program: string;
  readonly start: () => void;
  /** Its children, attached when it runs. */
  readonly family: FamilyMember[];
  timer: number | null;
  /** Post-copy: its absent pages (it runs before they are all here). */
  readonly arrival: PostcopyArrival | null;
}

/** A page a post-copy source lost, as the target reports it. */
export interface PagesLost {
  readonly pid: number;
  readonly from: string;
  readonly pages: number;
  readonly at_ns: number;
}

export class Migrations {
  private readonly outgoing = new Map<number, Outgoing>();
  private readonly prepared = new Map<number, Prepared>();
  /** Where processes that left here went (newest last). */
  private readonly moved = new Map<number, string>();
  /** Processes that came here and run (newest last), by pid: where from (a commit resent after the start is answered ok). */
  private readonly started = new Map<number, string>();
  /** Every migration that started here, in order (the report's figures). */
  readonly history: MigrationFigures[] = [];
  /** Pre-copy rounds' pages kept here for processes coming here. */
  private readonly staging: PageStaging;
  /** Processes that came here post-copy and still miss pages (or lost them), by pid. */
  private readonly arrivals = new Map<number, PostcopyArrival>();
  /** Post-copy moves here whose source went before every page came: the pages lost. */
  readonly losses: PagesLost[] = [];

  constructor(
    private readonly ctx: NodeContext,
    private readonly sys: System,
    private readonly client: RpcClient,
    server: RpcServer,
    private readonly hooks: MigrationHooks,
  ) {
    this.staging = new PageStaging(ctx);
    server.register('proc.migrate', (args, call) => this.prepare(call.from, args));
    server.register('proc.migrate.commit', (args, call) => this.commit(call.from, args));
    server.register('proc.migrate.pages', (args, call) => this.stage(call.from, args));
    server.register('proc.migrate.page', (args, call) => { this.servePage(call.from, args, (r) => call.reply(r)); return undefined; });
    server.register('proc.migrate.push', (args, call) => this.pushed(call.from, args));
    // A system call of a process that came post-copy, whose buffer is on a page still on the source: the page is
    // asked for like a fault's, and the call runs again once it is here.
    sys.hostcalls.ring.onHostKeptMiss = (call, page) => {
      for (const a of this.arrivals.values()) if (a.pid === call.pid && a.proc === call.proc) return a.userMiss(call.id, page);
      return false;
    };
  }

  /**
   * The migrate call: migrate(node, how) moves the caller's process to node; the call returns 0 there, or -errno
   * here when the move does not happen (the process runs on here as it was).
   */
  migrateSelf(call: HostCall): HostAnswer {
    const [nodeVa, how] = call.args as [number, number];
    const method = SELF_METHODS[how];
    if (method === undefined) return -EINVAL;
    const node = stringFromUser(this.sys.machine, call.satp, nodeVa, NODE_NAME_MAX);
    if (node === 'fault') return -EFAULT;
    if (node === this.ctx.id) return 0;
    if (node === 'long' || !this.ctx.peers.includes(node)) return -EHOSTUNREACH;
    if (this.hooks.isDown(node)) return -EHOSTDOWN;
    if (this.moving(call.pid)) return -EBUSY;
    // Between slices, not inside the ring's service: the caller waits in its call meanwhile.
    this.ctx.setTimer(0, () => this.migrate(call.pid, node, method, (f) => {
      if (!f.ok) this.ctx.log(`migration of ${call.pid} (its own call) to ${node}: ${f.error}`);
    }, call));
    return LATER;
  }

  /** The node a process that was here moved to, as this node last knew it. */
  whereMoved(pid: number): string | undefined {
    return this.moved.get(pid);
  }

  /** A signal for pid arrived while it moves: kept (deliver runs once it runs again, here or there). */
  hold(pid: number, deliver: () => void): boolean {
    const o = this.outgoing.get(pid);
    if (o === undefined || o.stopped_ns < 0 || o.resumed_ns >= 0) return false;
    o.held.push(deliver);
    return true;
  }

  /** Whether any process is moving here or away now. */
  get busy(): boolean {
    return this.outgoing.size > 0 || this.prepared.size > 0;
  }

  /** Whether pid is moving here or away now. */
  moving(pid: number): boolean {
    return this.outgoing.has(pid) || this.prepared.has(pid);
  }

  /**
   * Move process pid of this machine to node `to`: done(figures) when it runs there, or (error set) when it
   * runs on here. Refused at once, with one clear error: an unknown or down node, this node, a pid not here,
   * one mid-migration.
   */
  migrate(pid: number, to: string, method: MigrationMethod, done: (f: MigrationFigures) => void, selfCall?: HostCall): void {
    const refuse = (error: string): void => {
      if (selfCall !== undefined) this.answerSelf(selfCall, -EBUSY);
      const f = migrationRefused(pid, this.ctx.id, to, method, error);
      this.hooks.ended?.(f);
      done(f);
    };
    if (!Number.isSafeInteger(pid) || pid <= 0) { refuse(`pid ${pid} is not a process id`); return; }
    if (to === this.ctx.id) { refuse(`process ${pid} already runs on ${to}`); return; }
    if (!this.ctx.peers.includes(to)) { refuse(`the cluster has no node ${to}`); return; }
    if (this.hooks.isDown(to)) { refuse(`node ${to} is down`); return; }
    if (this.moving(pid)) { refuse(`process ${pid} is already moving`); return; }
    if (this.sys.files?.slots.liveSlot(pid) === undefined) { refuse(`no process ${pid} runs on ${this.ctx.id}`); return; }
    const o: Outgoing = {
      pid, to, method, asked_ns: this.ctx.monotonic_ns(), stopped_ns: -1, image: null, table: null, exported: null, parentHere: false, parentNode: null, family: [],
      bytes: 0, resumed_ns: -1, pages: 0, resent: 0, rounds: 0, sent: method === 'precopy' ? new Map() : null, post: null, held: [], done,
      self: selfCall === undefined ? null : { call: selfCall, state: 'waiting' },
    };
    this.outgoing.set(pid, o);
    if (method === 'precopy') this.precopyRound(o);
    else this.stopAndCopy(o);
  }

  /** The link's time for this many bytes (none on a real network, whose bytes take what they take). */
  private linkNs(bytes: number): number {
    const bps = this.hooks.link_bps;
    return bps === undefined ? 0 : Math.ceil((bytes * 8 * 1e9) / bps);
  }

  /**
   * One pre-copy round while the process runs: every page the first time, then the pages written since the
   * round before; once they are few (or the rounds are used up) the process stops and the rest crosses.
   */
  private precopyRound(o: Outgoing): void {
    const m = this.sys.machine, files = this.sys.files!;
    const slot = this.movableSlot(o);
    if (slot === undefined) return;
    let pages: ImagePage[];
    if (o.rounds === 0) {
      clearDirty(m, slot); // then copy: a store after the copy marks its page again
      pages = copyPages(m, slot);
    } else {
      const dirty = dirtyPages(m, slot);
      if (dirty.size <= PRECOPY_STOP_PAGES || o.rounds >= PRECOPY_ROUNDS_MAX) { this.stopAndCopy(o); return; }
      clearDirty(m, slot);
      pages = copyPages(m, slot, dirty);
    }
    o.rounds++;
    const wire = encodeImagePages(pages);
    const bytes = JSON.stringify(wire).length;
    this.ctx.setTimer(this.linkNs(bytes), () => {
      this.client.call(o.to, 'proc.migrate.pages', { pid: o.pid, pages: wire }, { deadline_ns: MIGRATE_DEADLINE_NS, retry_ns: MIGRATE_RETRY_NS }, (out) => {
        if (this.outgoing.get(o.pid) !== o) return;
        const ok = out.ok && (out.result as { ok?: unknown } | null)?.ok === true;
        // Nothing has stopped: the process runs on here, as if no move had been asked for.
        if (!ok) { this.finish(o, false, `${o.to} did not take the pages of round ${o.rounds}: ${out.ok ? String((out.result as { error?: unknown } | null)?.error ?? 'refused') : out.error.message}`, -EHOSTUNREACH); return; }
        o.bytes += bytes;
        for (const p of pages) {
          if (p.data !== 'zero') { o.pages++; if (o.sent!.has(p.va)) o.resent++; }
          o.sent!.set(p.va, metaKey(p));
        }
        this.precopyRound(o);
      });
    });
  }

  /** The process's slot while it is here and nothing keeps it here; else the migration ends with why, and undefined. */
  private movableSlot(o: Outgoing): number | undefined {
    const files = this.sys.files!;
    const slot = files.slots.liveSlot(o.pid);
    if (slot === undefined) { this.finish(o, false, `process ${o.pid} ended before it could move`); return undefined; }
    const why = files.unmovable(o.pid) ?? this.endpoints(slot);
    if (why !== null) { this.finish(o, false, `process ${o.pid} cannot move: ${why}`); return undefined; }
    return slot;
  }

  /** Stop the process as soon as every thread is in a state a migration carries, then send it. */
  private stopAndCopy(o: Outgoing): void {
    const m = this.sys.machine, files = this.sys.files!;
    const slot = this.movableSlot(o);
    if (slot === undefined) return;
    const retry = (reason: string): void => {
      if (this.ctx.monotonic_ns() - o.asked_ns >= MIGRATE_QUIESCE_NS) { this.finish(o, false, `process ${o.pid} did not come to a state that can move within ${MIGRATE_QUIESCE_NS / 1e6} ms: ${reason}`); return; }
      this.ctx.setTimer(QUIESCE_RETRY_NS, () => this.stopAndCopy(o));
    };
    // A move the process asked for: once every other thread can move, its caller's call returns (0) now, so the
    // image carries it past its ecall.
    const self = o.self;
    if (self !== null && self.state === 'waiting') {
      const busy = busyThreadsExcept(m, slot, self.call.thread);
      if (busy !== null) { retry(busy); return; }
      answerCallNow(m, self.call.thread, () => this.sys.hostcalls.ring.complete(self.call.id, 0));
      self.state = 'answered';
    }
    // A child of a parent that is moving with its family waits for that move's outcome (its parent link is in flux).
    if (this.hooks.forks.parentMoving(o.pid)) { retry('its parent is moving'); return; }
    // A thread waiting for the host is asked to stop (as a signal would ask): a wait that can be taken back is
    // answered -ERESTARTSYS and the answer applied now, so the thread is back on its ecall and the call runs
    // again where the process runs next. A wait that cannot (an execve, a call served elsewhere) is waited for.
    if (m.kernel.procCancelHostcalls(slot) > 0) {
      this.sys.hostcalls.drain();
      reapAnswered(m, slot);
    }
    let image: ProcessImage;
    try {
      image = captureProcess(m, slot, { whole: true, files });
    } catch (err) {
      if (err instanceof ImageBusyError) { retry(err.message); return; }
      this.finish(o, false, `process ${o.pid} cannot move: ${(err as Error).message}`);
      return;
    }
    if (image.pages.some((p) => p.kind === 'shared')) { this.finish(o, false, `process ${o.pid} cannot move: it maps shared memory`); return; }
    o.parentHere = m.u32(PROC_BASE + slot * PROC_BYTES + P.PARENT) !== 0;
    o.parentNode = o.parentHere ? this.ctx.id : this.hooks.forks.parentNode(o.pid) ?? null;
    const family = familyOf(m, slot, this.ctx.id, (pid) => this.hooks.forks.childNode(pid));
    const movingChild = family.find((c) => this.moving(c.pid));
    if (movingChild !== undefined) { retry(`its child ${movingChild.pid} is moving`); return; }
    // Pre-copy: the pages written since the last round (D set now), new or remapped, cross; the rest are named.
    const dirty = o.sent !== null ? dirtyPages(m, slot) : null;
    const exported = files.exportFiles(o.pid, o.to);
    const r = m.kernel.procMigrateOut(slot, 1) >>> 0;
    if (r !== PMIG_OK) {
      files.abandonExport(exported, o.to);
      if (r === PMIG_BUSY) { retry('a thread is busy'); return; }
      if (r === PMIG_FAMILY) { retry('a child of it is ending'); return; }
      this.finish(o, false, `process ${o.pid} cannot move: ${r === PMIG_SHARED_VM ? 'it is a vfork child' : 'it is not live'}`);
      return;
    }
    o.family = family;
    this.hooks.forks.familyLeaving(o.pid, family);
    // From here the process runs nowhere until the move has an outcome.
    if (self !== null) self.state = 'away';
    o.stopped_ns = this.ctx.monotonic_ns();
    o.image = image;
    o.exported = exported;
    o.table = files.detach(o.pid) ?? null;
    this.hooks.watch.forget(o.pid);
    o.rounds++;
    const { sendImage, kept, remote } = this.stopPages(o, image, dirty);
    const text = encodeProcessImage(sendImage);
    // The pages named and not sent go as runs of one mapping: what crosses at the stop does not grow with them.
    const keptRuns = pageRuns(kept), remoteRuns = pageRuns(remote);
    const body = {
      image: text, files: exported, program: this.hooks.watch.programOf(o.pid),
      parent_node: o.parentNode, ...(family.length > 0 ? { family } : {}),
      ...(kept.length > 0 ? { kept: keptRuns } : {}), ...(o.method === 'postcopy' ? { remote: remoteRuns } : {}),
    };
    const named = JSON.stringify(keptRuns).length + JSON.stringify(remoteRuns).length + JSON.stringify(family).length;
    o.bytes += text.length + JSON.stringify(exported).length + named;
    // The descriptions were exported to the target's machine as this node knows it: a target that has restarted
    // since (its prepare answered by another boot) lost them, and this node lets go of them when it learns of it.
    const bootThen = this.hooks.bootOf(o.to);
    const send = (): void => { this.client.call(o.to, 'proc.migrate', body, { deadline_ns: MIGRATE_DEADLINE_NS, retry_ns: MIGRATE_RETRY_NS }, (out) => {
      const result = out.ok ? (out.result as { ok?: unknown; boot?: unknown } | null) : null;
      const ok = result?.ok === true;
      if (ok && bootThen !== undefined && result?.boot !== bootThen) {
        files.abandonExport(exported, o.to);
        this.giveBack(o, `${o.to} restarted while process ${o.pid} moved there`);
        return;
      }
      if (ok) { this.commitMove(o); return; }
      // Never sent, or refused: the target runs nothing; a prepare sent and unanswered leaves a copy there
      // that the directory never moves, which the target discards.
      const why = out.ok ? String((out.result as { error?: unknown } | null)?.error ?? 'refused') : out.error.message;
      // The target's holds go back here; a copy it built lets go of them without a word (discard).
      files.abandonExport(exported, o.to);
      this.giveBack(o, `${o.to} did not take process ${o.pid}: ${why}`);
    }); };
    // The copy crosses the link: its bytes take their time on a simulated one.
    this.ctx.setTimer(this.linkNs(text.length + named), send);
  }

  /**
   * What of a stopped process's pages crosses at the stop: every page (stop and copy); the pages changed since
   * they were sent, the rest named with their mapping (pre-copy: kept); the mappings only, the bytes kept here
   * to be asked for or pushed (post-copy: remote).
   */
  private stopPages(o: Outgoing, image: ProcessImage, dirty: Set<number> | null): { sendImage: ProcessImage; kept: ImagePageMeta[]; remote: ImagePageMeta[] } {
    const kept: ImagePageMeta[] = [], remote: ImagePageMeta[] = [];
    if (o.method === 'postcopy') {
      const bytes = new Map<number, ImagePage>();
      // A futex waiter waits again on its word at the target before it runs: those pages cross at the stop.
      const words = new Set([image.thread, ...(image.threads ?? [])].flatMap((t) => (t.futex ? [t.futex.va & ~0xfff] : [])));
      const pages = image.pages.filter((p) => {
        if (p.data === 'zero' || words.has(p.va)) {
          if (p.data !== 'zero') o.pages++;
          return true;
        }
        bytes.set(p.va, p);
        remote.push(metaOf(p));
        return false; // named (remote), not in the image
      });
      o.post = { bytes, sent: new Set(), faulted: 0, pushed: 0, pushing: false };
      return { sendImage: { ...image, pages }, kept, remote };
    }
    if (o.sent === null || dirty === null) {
      o.pages += image.pages.filter((p) => p.data !== 'zero').length;
      return { sendImage: image, kept, remote };
    }
    const pages: ImagePage[] = [];
    for (const p of image.pages) {
      if (!dirty.has(p.va) && o.sent.get(p.va) === metaKey(p)) { kept.push(metaOf(p)); continue; }
      pages.push(p);
      if (p.data !== 'zero') { o.pages++; if (o.sent.has(p.va)) o.resent++; }
    }
    return { sendImage: { ...image, pages }, kept, remote };
  }

  /** The prepared copy is there: move the directory entry (the commit point), then let it run. */
  private commitMove(o: Outgoing): void {
    const procs = this.hooks.procs;
    if (procs === undefined) { this.committed(o); return; }
    procs.move(o.pid, this.ctx.id, o.to, (r) => {
      if (r.ok) { this.committed(o); return; }
      if (r.error.kind === 'refused') { this.sys.files!.abandonExport(o.exported!, o.to); this.giveBack(o, `the process directory refused the move: ${r.error.message}`); return; }
      this.settleByLookup(o);
    }, { timeout_ms: 1000 });
  }

  /** The move's outcome is not known (no answer): the directory says where the process is. */
  private settleByLookup(o: Outgoing): void {
    this.hooks.procs!.lookup(o.pid, (r) => {
      const node = r.ok ? r.value.entry?.node : undefined;
      if (node === o.to) this.committed(o);
      else if (node === this.ctx.id) { this.sys.files!.abandonExport(o.exported!, o.to); this.giveBack(o, 'the process directory did not take the move in time'); }
      else this.ctx.setTimer(LOOKUP_RETRY_NS, () => this.settleByLookup(o));
    }, { timeout_ms: 1000 });
  }

  /** The directory says the process is on the target: tell it to run, and forget it here. */
  private committed(o: Outgoing): void {
    this.hooks.movedAway(o.pid, o.to);
    if (o.table !== null) this.sys.files!.dropDetached(o.table);
    o.table = null;
    this.hooks.forks.movedOut(o.pid, o.to, o.parentHere);
    this.hooks.forks.familyMovedOut(o.to, o.family);
    if (this.moved.size >= MOVED_MAX) this.moved.delete(this.moved.keys().next().value!);
    this.moved.set(o.pid, o.to);
    this.client.call(o.to, 'proc.migrate.commit', { pid: o.pid }, { deadline_ns: MIGRATE_DEADLINE_NS, retry_ns: MIGRATE_RETRY_NS }, (out) => {
      if (!out.ok) this.ctx.log(`migration of ${o.pid}: the commit did not reach ${o.to} (${out.error.message}); it starts from the directory`);
      const refused = out.ok ? (out.result as { error?: unknown } | null)?.error : undefined;
      if (typeof refused === 'string') {
        // The target answers, but has no copy: it restarted after it took the prepare, and the process went with it.
        const why = `${o.to} restarted before it ran the process (${refused})`;
        this.hooks.forks.movedLost(o.pid, o.to, o.parentNode);
        this.hooks.lostAway?.(o.pid, o.to, why);
        this.finish(o, false, `it was lost: ${why}`);
        return;
      }
      o.resumed_ns = this.ctx.monotonic_ns();
      if (o.post === null) { this.finish(o, true, null); return; }
      for (const deliver of o.held.splice(0)) deliver(); // it runs there now: signals go on before the pages are all there
      this.push(o);
    });
  }

  /** Post-copy: push the pages the moved process has not asked for, a batch at a time; done once all have crossed. */
  private push(o: Outgoing): void {
    const post = o.post!;
    if (post.pushing) return;
    const batch: ImagePage[] = [];
    for (const [va, p] of post.bytes) {
      if (post.sent.has(va)) continue;
      batch.push(p);
      if (batch.length >= POSTCOPY_PUSH_PAGES) break;
    }
    if (batch.length === 0) { this.finish(o, true, null); return; }
    for (const p of batch) post.sent.add(p.va);
    post.pushing = true;
    const wire = encodeImagePages(batch);
    const bytes = JSON.stringify(wire).length;
    this.ctx.setTimer(this.linkNs(bytes), () => {
      this.client.call(o.to, 'proc.migrate.push', { pid: o.pid, pages: wire }, { deadline_ns: MIGRATE_DEADLINE_NS, retry_ns: MIGRATE_RETRY_NS }, (out) => {
        post.pushing = false;
        if (this.outgoing.get(o.pid) !== o) return;
        o.bytes += bytes;
        post.pushed += batch.length;
        // The target is gone: the process went with it; nothing more to send.
        if (!out.ok) { this.ctx.log(`migration of ${o.pid}: ${o.to} took no more pages (${out.error.message})`); this.finish(o, true, null); return; }
        this.push(o);
      });
    });
  }

  /** Post-copy, the source: the moved process faulted on a page still here; its bytes go at once (once). */
  private servePage(from: string, args: unknown, reply: (r: unknown) => void): void {
    const a = (args ?? {}) as { pid?: unknown; va?: unknown };
    const o = typeof a.pid === 'number' ? this.outgoing.get(a.pid) : undefined;
    if (o === undefined || o.post === null || o.to !== from || typeof a.va !== 'number') { reply({ error: `no process ${String(a.pid)} moving to ${from} post-copy from here` }); return; }
    const p = o.post.bytes.get(a.va);
    if (p === undefined) { reply({ error: `page 0x${a.va.toString(16)} is not one process ${o.pid} left here` }); return; }
    // A push under way carries it too, but the thread waits now: it goes again (the target takes the first to come).
    if (o.post.sent.has(a.va)) o.resent++;
    o.post.sent.add(a.va);
    o.post.faulted++;
    const wire = encodeImagePages([p]);
    const bytes = JSON.stringify(wire).length;
    o.bytes += bytes;
    this.ctx.setTimer(this.linkNs(bytes), () => reply({ ok: true, pages: wire }));
  }

  /** The move did not happen: the process runs on here, as it was. */
  private giveBack(o: Outgoing, why: string): void {
    const m = this.sys.machine, files = this.sys.files!;
    try {
      const back = restoreProcess(m, this.selfFailedImage(o, o.image!), { pid: o.pid, ppid: o.image!.ppid, start: false });
      if (o.parentHere) m.kernel.procStandInReplace(back.proc);
      this.hooks.forks.familyBack(back.proc, o.family, (pid) => this.prepared.has(pid));
      if (o.table !== null) files.reattach(o.pid, o.table, back.proc);
      o.table = null;
      this.hooks.watch.arrived(o.pid, back.proc, this.hooks.watch.programOf(o.pid));
      back.start();
    } catch (err) {
      this.ctx.log(`migration of ${o.pid}: it could not be put back (${(err as Error).message})`);
    }
    this.finish(o, false, why, -EHOSTUNREACH);
  }

  /** The image to put back for a move that failed: a caller of the migrate call gets -EHOSTUNREACH. */
  private selfFailedImage(o: Outgoing, image: ProcessImage): ProcessImage {
    const self = o.self;
    if (self === null || self.state !== 'away') return image;
    self.state = 'told';
    const told = (th: ProcessImage['thread']): ProcessImage['thread'] => (th.tid !== self.call.tid ? th : { ...th, regs: th.regs.map((r, i) => (i === 10 ? -EHOSTUNREACH >>> 0 : r)) });
    return { ...image, thread: told(image.thread), ...(image.threads !== undefined ? { threads: image.threads.map(told) } : {}) };
  }

  /** A migrate call's answer when its move does not happen. */
  private answerSelf(call: HostCall, errno: number): void {
    this.sys.hostcalls.ring.complete(call.id, errno);
    this.hooks.wake();
  }

  private finish(o: Outgoing, ok: boolean, error: string | null, errno = -EBUSY): void {
    if (this.outgoing.get(o.pid) !== o) return;
    this.outgoing.delete(o.pid);
    // The process runs on here: the caller of the migrate call learns why (its call, or its a0 already past it).
    const self = o.self;
    if (!ok && self !== null && self.state === 'waiting') this.answerSelf(self.call, errno);
    else if (!ok && self !== null && self.state === 'answered') setThreadResult(this.sys.machine, self.call.thread, errno);
    const f = this.figures(o, ok, error);
    this.history.push(f);
    if (error !== null) this.ctx.log(`migration of ${o.pid} to ${o.to}: ${error}`);
    for (const deliver of o.held) deliver();
    this.hooks.wake();
    this.hooks.ended?.(f);
    o.done(f);
  }

  private figures(o: Outgoing, ok: boolean, error: string | null): MigrationFigures {
    const now = this.ctx.monotonic_ns();
    // Every page that crossed, as often as it crossed (a post-copy page asked for while a push carried it: twice).
    const pages = o.pages + (o.post === null ? 0 : o.post.sent.size + o.resent);
    const ran = o.resumed_ns >= 0 ? o.resumed_ns : now;
    return {
      pid: o.pid, from: this.ctx.id, to: o.to, method: o.method, ok, error,
      downtime_ns: o.stopped_ns < 0 ? 0 : Math.round(ran - o.stopped_ns), total_ns: Math.round(now - o.asked_ns),
      bytes: o.bytes, pages, pages_resent: o.resent, rounds: o.rounds,
      pages_faulted: o.post?.faulted ?? 0, pages_pushed: o.post?.pushed ?? 0,
    };
  }

  /** Why the process's IPC endpoints keep it here, or null (it has none). */
  private endpoints(slot: number): string | null {
    const m = this.sys.machine;
    for (let s = 0; s < IPC_ENDPOINTS_MAX; s++) {
      const b = IPC_BASE + s * IPC_EP_BYTES;
      if (m.u32(b + EP_NAME) !== 0 && m.u32(b + EP_OWNER) === slot + 1) return 'it serves an IPC endpoint';
    }
    return null;
  }

  // ---- the target's side ----------------------------------------------------------------------------------

  /** Build the process from another node's image, not running yet. */
  private prepare(from: string, args: unknown): unknown {
    const a = (args ?? {}) as { image?: unknown; files?: unknown; program?: unknown; parent_node?: unknown; kept?: unknown; remote?: unknown; family?: unknown };
    if (typeof a.image !== 'string') return { error: 'a migration needs an image' };
    const m = this.sys.machine, files = this.sys.files!;
    try {
      const sent = decodeProcessImage(a.image);
      if (this.prepared.has(sent.pid)) return { ok: true }; // a resent prepare: it is built already
      if (files.slots.liveSlot(sent.pid) !== undefined) return { error: `pid ${sent.pid} runs here already` };
      // A child and its parent do not move at once: its parent is leaving here with its family (the source keeps it).
      if (this.hooks.forks.parentMoving(sent.pid)) return { error: `the parent of ${sent.pid} is moving from here` };
      const family = decodeFamily(a.family);
      // Pre-copy: the pages named but not sent are the ones kept from the rounds.
      const kept = a.kept === undefined ? [] : pagesOfRuns(a.kept);
      const staged = this.staging.take(from, sent.pid);
      const missing = kept.find((p) => !staged.has(p.va));
      if (missing !== undefined) return { error: `page 0x${missing.va.toString(16)} was named but never sent` };
      // Post-copy: these pages' bytes are still on the source; they are built absent.
      const remote = a.remote === undefined ? null : pagesOfRuns(a.remote);
      const absent = new Set(remote?.map((p) => p.va) ?? []);
      const named = [...kept.map((p) => ({ ...p, data: staged.get(p.va)! })), ...(remote ?? []).map((p) => ({ ...p, data: 'zero' as const }))];
      // (checkImage refuses a page named twice, or named and sent.)
      const image = named.length === 0 ? sent : checkImage({ ...sent, pages: [...sent.pages, ...named].sort((x, y) => x.va - y.va) });
      const built = restoreProcess(m, image, { pid: image.pid, ppid: image.ppid, start: false, absent });
      files.importFiles(image.pid, a.files, from, this.hooks.transport(), built.proc);
      const parent = typeof a.parent_node === 'string' ? a.parent_node : undefined;
      this.hooks.forks.movedIn(image.pid, built.proc, parent);
      const program = typeof a.program === 'string' ? a.program : '?';
      const ring = this.sys.hostcalls.ring;
      const arrival = remote === null ? null : new PostcopyArrival(m, built.proc, image.pid, from, remote,
        (va) => this.askPage(image.pid, from, va), (id, answer) => { ring.answer(id, answer); this.hooks.wake(); });
      const p: Prepared = { from, proc: built.proc, program, start: built.start, family, timer: null, arrival };
      this.prepared.set(image.pid, p);
      this.hooks.forks.familyComing(image.pid, family);
      p.timer = this.ctx.setTimer(PREPARED_CHECK_NS, () => this.checkPrepared(image.pid));
      return { ok: true, boot: this.hooks.boot };
    } catch (err) {
      return { error: (err as Error).message };
    }
  }

  private commit(from: string, args: unknown): unknown {
    const pid = (args as { pid?: unknown } | null)?.pid;
    if (typeof pid !== 'number') return { error: 'a commit names a pid' };
    const p = this.prepared.get(pid);
    if (p === undefined && this.started.get(pid) === from) return { ok: true }; // it runs already (its own lookup, or a commit resent)
    if (p === undefined || p.from !== from) return { error: `no process ${pid} from ${from} is waiting here` };
    this.run(pid, p);
    return { ok: true };
  }

  private run(pid: number, p: Prepared): void {
    this.prepared.delete(pid);
    if (this.started.size >= MOVED_MAX) this.started.delete(this.started.keys().next().value!);
    this.started.set(pid, p.from);
    if (p.arrival !== null && !p.arrival.done) this.arrivals.set(pid, p.arrival);
    if (p.timer !== null) this.ctx.clearTimer(p.timer);
    this.hooks.watch.arrived(pid, p.proc, p.program);
    this.sys.files!.claimImported(pid);
    this.hooks.forks.familyArrived(p.proc, p.from, p.family, (child) => this.prepared.has(child));
    this.hooks.forks.startedHere(pid, p.proc);
    p.start();
    this.hooks.wake();
  }

  /** No commit came: the directory says whether the move happened (run) or not (discard the copy). */
  private checkPrepared(pid: number): void {
    const p = this.prepared.get(pid);
    if (p === undefined) return;
    p.timer = null;
    const procs = this.hooks.procs;
    if (procs === undefined) { this.discard(pid, p); return; }
    procs.lookup(pid, (r) => {
      if (this.prepared.get(pid) !== p) return;
      const node = r.ok ? r.value.entry?.node : undefined;
      if (node === this.ctx.id) this.run(pid, p);
      else if (node !== undefined || this.hooks.isDown(p.from)) this.discard(pid, p);
      else p.timer = this.ctx.setTimer(PREPARED_RECHECK_NS, () => this.checkPrepared(pid));
    }, { timeout_ms: 1000 });
  }

  /** The prepared copy goes, unseen: the process runs where it was. */
  private discard(pid: number, p: Prepared): void {
    this.prepared.delete(pid);
    const files = this.sys.files!;
    const r = this.sys.machine.kernel.procMigrateOut(p.proc, 0) >>> 0;
    if (r !== PMIG_OK) this.ctx.log(`migration of ${pid}: the copy from ${p.from} could not be discarded (${r})`);
    this.hooks.forks.familyNotComing(pid);
    const table = files.detach(pid);
    if (table !== undefined) files.dropImported(table);
    this.hooks.forks.arrivalUndone(pid);
    this.ctx.log(`migration of ${pid} from ${p.from}: not committed; the copy here is discarded`);
  }

  /** Pre-copy, the target: a round's pages, kept for the stop. */
  private stage(from: string, args: unknown): unknown {
    const a = (args ?? {}) as { pid?: unknown; pages?: unknown };
    if (typeof a.pid !== 'number' || !Number.isSafeInteger(a.pid) || a.pid <= 0) return { error: 'pre-copy pages name a pid' };
    try {
      return { ok: true, kept: this.staging.put(from, a.pid, decodeImagePages(a.pages)) };
    } catch (err) {
      return { error: (err as Error).message };
    }
  }

  /** Post-copy, the target: a fault of a moved process on a page still on its source (or SIGBUS: not ours). */
  pageFault(call: HostCall): HostAnswer {
    const f = pageFaultOf(call);
    for (const a of this.arrivals.values()) if (a.owns(f)) return a.fault(f);
    return PAGE_LOST;
  }

  /** Ask the source for a page a moved process faulted on; no answer within the deadline: its pages are lost. */
  private askPage(pid: number, from: string, va: number): void {
    this.client.call(from, 'proc.migrate.page', { pid, va }, { deadline_ns: MIGRATE_DEADLINE_NS, retry_ns: MIGRATE_RETRY_NS }, (out) => {
      const a = this.arrivals.get(pid);
      if (a === undefined || a.from !== from) return;
      const r = out.ok ? (out.result as { ok?: unknown; pages?: unknown; error?: unknown } | null) : null;
      if (r?.ok === true) { this.arrivePages(a, r.pages, false); return; }
      this.lost(a, out.ok ? String(r?.error ?? 'refused') : out.error.message);
    });
  }

  /** Post-copy, the target: pages the source pushed. */
  private pushed(from: string, args: unknown): unknown {
    const a = (args ?? {}) as { pid?: unknown; pages?: unknown };
    const arrival = typeof a.pid === 'number' ? this.arrivals.get(a.pid) ?? this.prepared.get(a.pid)?.arrival ?? undefined : undefined;
    if (arrival === undefined || arrival === null || arrival.from !== from) return { ok: true, gone: true }; // it ended, or every page is here
    try {
      this.arrivePages(arrival, a.pages, true);
    } catch (err) {
      return { error: (err as Error).message };
    }
    return { ok: true };
  }

  private arrivePages(a: PostcopyArrival, raw: unknown, pushed: boolean): void {
    for (const page of decodeImagePages(raw)) a.arrive(page, pushed);
    if (a.done && this.arrivals.get(a.pid) === a) {
      this.arrivals.delete(a.pid);
      const c = a.figures;
      this.ctx.log(`migration of ${a.pid} from ${a.from}: every page is here (${c.faulted} on a fault, ${c.pushed} pushed, ${c.faults} faults)`);
    }
    this.hooks.wake();
  }

  /** The source of a post-copy move is gone: the pages it alone held are lost; a thread that needs one gets SIGBUS. */
  private lost(a: PostcopyArrival, why: string): void {
    if (a.lost) return;
    const pages = a.lose();
    this.losses.push({ pid: a.pid, from: a.from, pages, at_ns: Math.round(this.ctx.monotonic_ns()) });
    this.ctx.log(`migration of ${a.pid} from ${a.from}: ${pages} pages lost with the source (${why}); a thread that touches one dies of SIGBUS`);
  }

  /** Post-copy arrivals still missing pages: pid, source and the pages still to come (for the report). */
  postcopyState(): { pid: number; from: string; missing: number; lost: boolean; counts: PostcopyCounts }[] {
    return [...this.arrivals.values()].map((a) => ({ pid: a.pid, from: a.from, missing: a.missing().length, lost: a.lost, counts: a.figures }));
  }
}
