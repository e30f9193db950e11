// Named regions of distributed shared memory between the nodes of a cluster (docs/dsm.md): a guest's dsm_map(name,
// bytes) maps the region's pages in the caller as host-kept absent pages, and one IvyNode per region on every node
// keeps them coherent over the node's messages. IVY's page ids are offsets in the region, so the same name on every
// node is the same pages whatever address each process got; the manager of a page is managerOf(offset) over the
// cluster's nodes in order (n1, n2, ...), and a node that never maps the region still manages its share. The time
// window holds each page that arrives until the machine ran a slice (release() after every slice).
// The region's frames are retained: the pages a node holds outlive its process, so a peer that asks after the
// process ended still gets the last bytes written here. Limits: one process per node and region (EBUSY), for the
// node's life; REGIONS_MAX regions per node; the transport keeps each pair's order (sequence numbers, a reorder
// buffer, duplicates dropped) but does not resend a lost message, and no crash is handled (out of scope here).
import { InputError, base64Bytes, base64Text } from '../base/index.js';
import { HostPages, LATER, PAGE_LOST, PAGE_SERVED, layout, pageFaultOf, stringFromUser, type HostAnswer, type HostCall, type System } from '../machine/index.js';
import { IvyNode, PAGE_BYTES, type Access, type IvyCounters, type IvyMessage, type PageStore, type Send } from './ivy.js';

const { ATOLL_DSM_NAME_MAX, ATOLL_DSM_BYTES_MAX, EINVAL, EFAULT, EBUSY, ENOMEM, ENAMETOOLONG, PROT_READ, PROT_WRITE, PROC_BASE, PROC_BYTES, P, PROC_LIVE } = layout;

/** Regions a node knows (mapped here or managed here for others). */
export const REGIONS_MAX = 64;
/** Messages from one peer held out of order at most; beyond, the peer's messages are refused as broken. */
const REORDER_MAX = 4096;

/** The wire form of one IVY message of a region (bytes as base64: messages are JSON). */
export interface DsmWire {
  readonly t: 'dsm';
  readonly region: string;
  /** Sequence number of the sender's messages to this node (from 0). */
  readonly seq: number;
  readonly m: Record<string, unknown>;
}

/** A region's figures on this node. */
export interface RegionFigures {
  readonly name: string;
  readonly pages: number;
  /** The local process's pid (null: the region is only managed here). */
  readonly pid: number | null;
  readonly counters: Readonly<IvyCounters>;
  /** Per page of the region that saw traffic here, by offset, in order. */
  readonly per_page: readonly PageFigures[];
}

export interface PageFigures {
  readonly offset: number;
  readonly read_faults: number;
  readonly write_faults: number;
  readonly pages_sent: number;
  readonly invalidations: number;
}

export interface DsmRegionsOptions {
  /** This node and every node of the cluster, the same order on each (IVY's node indices). */
  readonly self: string;
  readonly nodes: readonly string[];
  readonly send: (to: string, msg: DsmWire) => void;
  /** A fault was answered outside a slice: the machine must run. */
  readonly wake: () => void;
  /** A peer's message the protocol refused (a broken peer): logged and dropped, the node runs on. */
  readonly log?: (line: string) => void;
}

/** One process's mapping of a region on this machine. */
interface Mapping {
  readonly proc: number;
  readonly pid: number;
  readonly base: number;
  /** The retained frames of the region's pages (physical addresses). */
  readonly frames: readonly number[];
}

/** IVY's PageStore of one region on this node: the process's pages while it lives, its retained frames after. */
class RegionStore implements PageStore {
  mapping: Mapping | null = null;
  /** Fault ids held per page offset until the page arrives. */
  readonly held = new Map<number, number[]>();

  constructor(private readonly sys: System, private readonly pages: HostPages, private readonly wake: () => void) {}

  live(): boolean {
    const m = this.mapping;
    if (m === null) return false;
    const b = PROC_BASE + m.proc * PROC_BYTES;
    return this.sys.machine.u32(b + P.STATE) === PROC_LIVE && this.sys.machine.u32(b + P.PID) === m.pid;
  }

  private map(): Mapping {
    if (this.mapping === null) throw new InputError('dsm: a page of a region that no process maps here was asked of this node');
    return this.mapping;
  }

  private frameBytes(offset: number): Uint8Array {
    const at = this.sys.machine.host(this.map().frames[offset / PAGE_BYTES]!);
    return this.sys.machine.bytes.subarray(at, at + PAGE_BYTES);
  }

  revoke(offset: number, to: 'none' | 'read'): Uint8Array {
    if (this.live()) return this.pages.revoke(this.map().proc, this.map().base + offset, to);
    return this.frameBytes(offset).slice();
  }

  install(offset: number, bytes: Uint8Array | null, prot: Access): void {
    if (this.live()) {
      const va = this.map().base + offset;
      if (bytes === null) this.pages.protect(this.map().proc, va, prot);
      else this.pages.install(this.map().proc, va, bytes, prot);
    } else if (bytes !== null) {
      this.frameBytes(offset).set(bytes);
    }
  }

  resume(offset: number): void {
    const ids = this.held.get(offset);
    this.held.delete(offset);
    if (ids === undefined || !this.live()) return;
    for (const id of ids) this.sys.hostcalls.ring.complete(id, PAGE_SERVED);
    this.wake();
  }
}

interface Region {
  readonly name: string;
  readonly node: IvyNode;
  readonly store: RegionStore;
  /** Pages of the local mapping (0: none here). */
  pages: number;
}

/** The regions of one node's machine: dsm_map's host side, its page faults and its messages. */
export class DsmRegions {
  private readonly regions = new Map<string, Region>();
  private readonly index: number;
  private readonly hostPages: HostPages;
  private readonly sendSeq = new Map<string, number>();
  private readonly recvNext = new Map<string, number>();
  private readonly early = new Map<string, Map<number, DsmWire>>();

  constructor(private readonly sys: System, private readonly opts: DsmRegionsOptions) {
    this.index = opts.nodes.indexOf(opts.self);
    if (this.index < 0 || new Set(opts.nodes).size !== opts.nodes.length) throw new InputError(`dsm: node ${opts.self} is not once in ${opts.nodes.join(', ')}`);
    this.hostPages = new HostPages(sys.machine);
  }

  private region(name: string): Region | null {
    let r = this.regions.get(name);
    if (r !== undefined) return r;
    if (this.regions.size >= REGIONS_MAX) return null;
    const store = new RegionStore(this.sys, this.hostPages, this.opts.wake);
    r = { name, node: new IvyNode(this.index, this.opts.nodes.length, store, true), store, pages: 0 };
    this.regions.set(name, r);
    return r;
  }

  /** dsm_map(name, bytes): the region's address in the caller, or -errno (abi/defs.mjs). */
  map(call: HostCall): HostAnswer {
    const bytes = call.args[1]! >>> 0;
    const name = stringFromUser(this.sys.machine, call.satp, call.args[0]! >>> 0, ATOLL_DSM_NAME_MAX);
    if (name === 'fault') return -EFAULT;
    if (name === 'long') return -ENAMETOOLONG;
    if (name === '' || bytes === 0 || bytes > ATOLL_DSM_BYTES_MAX) return -EINVAL;
    const known = this.regions.get(name);
    if (known?.store.mapping != null) return -EBUSY;
    const r = known ?? this.region(name);
    if (r === null) return -ENOMEM;
    const pages = Math.ceil(bytes / PAGE_BYTES);
    const k = this.sys.machine.kernel;
    const base = k.mmapPrivate(call.proc, 0, pages * PAGE_BYTES, PROT_READ | PROT_WRITE, 0) | 0;
    if (base < 0) return base;
    const frames: number[] = [];
    for (let i = 0; i < pages; i++) {
      const va = (base >>> 0) + i * PAGE_BYTES;
      const pa = k.mmapFrame(call.proc, va) >>> 0;
      if (k.frameRetain(pa) === 0) throw new InputError(`dsm: page 0x${va.toString(16)} of region '${name}' has no frame`);
      frames.push(pa);
      this.hostPages.revoke(call.proc, va, 'none'); // every page comes from the protocol, zeros at first
    }
    r.store.mapping = { proc: call.proc, pid: call.pid, base: base >>> 0, frames };
    r.pages = pages;
    return base;
  }

  /** A fault on a host-kept page: the region's when it is one of a mapping here (undefined: not a region's). */
  pageFault(call: HostCall): HostAnswer | undefined {
    const f = pageFaultOf(call);
    for (const r of this.regions.values()) {
      const m = r.store.mapping;
      if (m === null || m.proc !== f.proc || m.pid !== f.pid || f.page < m.base || f.page >= m.base + r.pages * PAGE_BYTES) continue;
      if (f.access === 'fetch') return PAGE_LOST;
      const offset = f.page - m.base;
      const ids = r.store.held.get(offset) ?? [];
      ids.push(f.id);
      r.store.held.set(offset, ids);
      this.deliver(r, r.node.fault(offset, f.access));
      return LATER;
    }
    return undefined;
  }

  /** After a slice of the machine: the pages that arrived may go again (the time window). */
  afterSlice(): void {
    for (const r of this.regions.values()) this.deliver(r, r.node.release());
  }

  /** Deliver sends: to this node at once (in order), to others over the network. */
  private deliver(r: Region, sends: readonly Send[]): void {
    const local: Send[] = [...sends];
    while (local.length > 0) {
      const s = local.shift()!;
      if (s.to === this.index) { local.push(...r.node.receive(s.message)); continue; }
      const to = this.opts.nodes[s.to]!;
      const seq = this.sendSeq.get(to) ?? 0;
      this.sendSeq.set(to, seq + 1);
      this.opts.send(to, { t: 'dsm', region: r.name, seq, m: toWire(s.message) });
    }
  }

  /** A message from a peer: true when it was the DSM's (taken in the sender's order). */
  handle(from: string, msg: unknown): boolean {
    if (msg === null || typeof msg !== 'object' || (msg as { t?: unknown }).t !== 'dsm') return false;
    const w = msg as Partial<DsmWire>;
    if (typeof w.region !== 'string' || !Number.isSafeInteger(w.seq) || w.m === null || typeof w.m !== 'object') return true;
    const next = this.recvNext.get(from) ?? 0;
    if (w.seq! < next) return true; // a duplicate
    let early = this.early.get(from);
    if (early === undefined) { early = new Map(); this.early.set(from, early); }
    if (early.size >= REORDER_MAX) return true;
    early.set(w.seq!, w as DsmWire);
    for (let n = next; ; n++) {
      const m = early.get(n);
      if (m === undefined) { this.recvNext.set(from, n); break; }
      early.delete(n);
      this.receive(m);
    }
    return true;
  }

  private receive(w: DsmWire): void {
    const message = fromWire(w.m);
    if (message === null) return;
    const r = this.region(w.region);
    if (r === null) return;
    let sends: Send[];
    try {
      sends = r.node.receive(message);
    } catch (err) {
      if (!(err instanceof InputError)) throw err;
      this.opts.log?.(`dsm: region '${w.region}': ${err.message}`);
      return;
    }
    this.deliver(r, sends);
  }

  /** Whether live process pid maps a region here (it cannot move: the region's pages are this node's). */
  maps(pid: number): boolean {
    for (const r of this.regions.values()) if (r.store.mapping?.pid === pid && r.store.live()) return true;
    return false;
  }

  /** Every region this node knows, with its counters. */
  figures(): RegionFigures[] {
    return [...this.regions.values()].map((r) => ({
      name: r.name, pages: r.pages, pid: r.store.mapping?.pid ?? null, counters: { ...r.node.counters },
      per_page: [...r.node.perPage].sort((a, b) => a[0] - b[0]).map(([offset, c]) => ({
        offset, read_faults: c[0], write_faults: c[1], pages_sent: c[2], invalidations: c[3],
      })),
    }));
  }
}

function toWire(m: IvyMessage): Record<string, unknown> {
  if (m.kind === 'page') return { ...m, bytes: m.bytes === null ? null : base64Text(m.bytes) };
  return { ...m };
}

const KINDS = new Set(['request', 'forward', 'invalidate', 'invalidated', 'page', 'done']);
const isIndex = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;
const isAccess = (v: unknown): v is Access => v === 'read' || v === 'write';

/** A message as IvyNode takes it, or null when it is malformed. */
function fromWire(m: Record<string, unknown>): IvyMessage | null {
  const kind = m.kind;
  if (typeof kind !== 'string' || !KINDS.has(kind) || !isIndex(m.page) || (m.page as number) % PAGE_BYTES !== 0) return null;
  const page = m.page as number;
  switch (kind) {
    case 'request': return isAccess(m.access) && isIndex(m.from) ? { kind, page, access: m.access, from: m.from } : null;
    case 'forward': return isAccess(m.access) && isIndex(m.to) ? { kind, page, access: m.access, to: m.to } : null;
    case 'invalidate': return { kind, page };
    case 'invalidated': return isIndex(m.from) ? { kind, page, from: m.from } : null;
    case 'done': return isIndex(m.from) ? { kind, page, from: m.from } : null;
    default: {
      if (!isAccess(m.access) || typeof m.zero !== 'boolean') return null;
      if (m.bytes === null) return { kind: 'page', page, access: m.access, bytes: null, zero: m.zero };
      const bytes = typeof m.bytes === 'string' ? base64Bytes(m.bytes) : null;
      if (bytes === null || bytes.length !== PAGE_BYTES) return null;
      return { kind: 'page', page, access: m.access, bytes, zero: m.zero };
    }
  }
}
