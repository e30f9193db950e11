// IVY's sequentially consistent page coherence (Li and Hudak, 1989) as a pure state machine: a single writer
// or many readers per page, an owner and a copy set, invalidation on write. The manager scheme is the fixed
// distributed manager: page p is managed by node managerOf(p) = (p / 4096) mod n, which keeps the owner and
// the copy set and serves one request per page at a time (the others queue, oldest first), so every read
// sees the last write. A node's machine is reached only through its PageStore port (HostPages on a real
// machine, a Map in tests); messages go out as Sends for the caller to deliver. Reads no clock, draws no
// randomness. The transport must deliver each pair of nodes' messages in the order sent.
import { InputError } from '../base/index.js';

export type NodeIndex = number;
export type Access = 'read' | 'write';

/** What the node's machine does for the protocol (src/machine/host-pages.ts on a machine). */
export interface PageStore {
  /** Lower the local page to `to` (a TLB shootdown first) and return its bytes. */
  revoke(page: number, to: 'none' | 'read'): Uint8Array;
  /** Give the local page its bytes (null: keep the ones it has) and permission. */
  install(page: number, bytes: Uint8Array | null, prot: Access): void;
  /** The faults waiting for this page may run again (one still lacking its permission faults again). */
  resume(page: number, access: Access): void;
}

export type IvyMessage =
  | { readonly kind: 'request'; readonly page: number; readonly access: Access; readonly from: NodeIndex }
  /** manager -> owner: send a copy (read) or the page and its ownership (write) to `to` */
  | { readonly kind: 'forward'; readonly page: number; readonly access: Access; readonly to: NodeIndex }
  /** manager -> holder of a copy: drop it and acknowledge */
  | { readonly kind: 'invalidate'; readonly page: number }
  | { readonly kind: 'invalidated'; readonly page: number; readonly from: NodeIndex }
  /** the page's bytes (null: the requester keeps its own, an upgrade; zero: a page nobody had) for `access` */
  | { readonly kind: 'page'; readonly page: number; readonly access: Access; readonly bytes: Uint8Array | null; readonly zero: boolean }
  /** requester -> manager: the page arrived, the next request may go */
  | { readonly kind: 'done'; readonly page: number; readonly from: NodeIndex };

export interface Send { readonly to: NodeIndex; readonly message: IvyMessage }

/** Per node: what its faults and its pages cost (the report's counters). */
export interface IvyCounters {
  read_faults: number;
  write_faults: number;
  pages_sent: number;
  bytes_sent: number;
  invalidations: number;
  ownership_transfers: number;
  messages_sent: number;
}

interface Managed {
  owner: NodeIndex | null; // null: no node has the page yet (it starts as zeros)
  copies: Set<NodeIndex>;
  busy: { readonly access: Access; readonly from: NodeIndex; acks: number } | null;
  queue: { readonly access: Access; readonly from: NodeIndex }[];
}

const QUEUE_MAX = 1024;
export const PAGE_BYTES = 4096;

export function managerOf(page: number, nodes: number): NodeIndex {
  return Math.floor(page / PAGE_BYTES) % nodes;
}

/** One node of the protocol: its local pages' state and the pages it manages. */
export class IvyNode {
  readonly counters: IvyCounters = {
    read_faults: 0, write_faults: 0, pages_sent: 0, bytes_sent: 0, invalidations: 0, ownership_transfers: 0, messages_sent: 0,
  };
  /** Per-page counters: page -> [read faults, write faults, pages sent, invalidations] of this node. */
  readonly perPage = new Map<number, [number, number, number, number]>();
  private readonly managed = new Map<number, Managed>();
  /** Pages this node has asked for and not yet got (one request per page at a time). */
  private readonly asked = new Map<number, Access>();
  /** With a window: the dones of pages that arrived, sent by release() once the node's threads have run. */
  private readonly held: Send[] = [];

  /**
   * window: a page that arrives stays here until release() (the caller calls it after the node's machine ran
   * a slice), as Mirage's time window: without it two nodes that want one page can take it from each other
   * before either runs an instruction on it, for ever.
   */
  constructor(readonly self: NodeIndex, readonly nodes: number, private readonly store: PageStore, private readonly window = false) {
    if (!Number.isInteger(nodes) || nodes < 1 || self < 0 || self >= nodes) throw new InputError(`ivy: node ${self} of ${nodes} does not exist`);
  }

  /** Initial state: this node owns `page` with write permission, as the process's home does at the start. */
  own(page: number): void {
    if (managerOf(page, this.nodes) !== this.self) throw new InputError(`ivy: node ${this.self} does not manage page 0x${page.toString(16)}`);
    this.entry(page).owner = this.self;
    this.entry(page).copies = new Set([this.self]);
  }

  /** Initial state at the manager: node `owner` holds the page writable. */
  declareOwner(page: number, owner: NodeIndex): void {
    const m = this.entry(page);
    m.owner = owner;
    m.copies = new Set([owner]);
  }

  private entry(page: number): Managed {
    let m = this.managed.get(page);
    if (m === undefined) {
      m = { owner: null, copies: new Set(), busy: null, queue: [] };
      this.managed.set(page, m);
    }
    return m;
  }

  private count(page: number, i: 0 | 1 | 2 | 3): void {
    let c = this.perPage.get(page);
    if (c === undefined) { c = [0, 0, 0, 0]; this.perPage.set(page, c); }
    c[i]++;
  }

  private send(out: Send[], to: NodeIndex, message: IvyMessage): void {
    this.counters.messages_sent++;
    out.push({ to, message });
  }

  /** A local thread faulted on page with access: the request goes to the manager (once per page). */
  fault(page: number, access: Access): Send[] {
    if (page % PAGE_BYTES !== 0) throw new InputError(`ivy: 0x${page.toString(16)} is not a page address`);
    if (access === 'read') this.counters.read_faults++; else this.counters.write_faults++;
    this.count(page, access === 'read' ? 0 : 1);
    const out: Send[] = [];
    const asked = this.asked.get(page);
    if (asked === 'write' || asked === access) return out; // already on its way; the answer resumes both
    if (asked === 'read') return out; // a write after the read arrives faults again and asks then
    this.asked.set(page, access);
    this.send(out, managerOf(page, this.nodes), { kind: 'request', page, access, from: this.self });
    return out;
  }

  /** The node's threads ran on the pages that arrived: their managers may give them away again. */
  release(): Send[] {
    return this.held.splice(0, this.held.length);
  }

  /** Deliver one message to this node. */
  receive(message: IvyMessage): Send[] {
    const out: Send[] = [];
    switch (message.kind) {
      case 'request': {
        const m = this.entry(message.page);
        if (m.queue.length >= QUEUE_MAX) throw new InputError(`ivy: more than ${QUEUE_MAX} requests wait for page 0x${message.page.toString(16)}`);
        m.queue.push({ access: message.access, from: message.from });
        this.next(message.page, out);
        break;
      }
      case 'forward': this.forward(message.page, message.access, message.to, out); break;
      case 'invalidate':
        this.store.revoke(message.page, 'none');
        this.counters.invalidations++;
        this.count(message.page, 3);
        this.send(out, managerOf(message.page, this.nodes), { kind: 'invalidated', page: message.page, from: this.self });
        break;
      case 'invalidated': {
        const m = this.entry(message.page);
        if (m.busy === null || m.busy.acks === 0) throw new InputError(`ivy: an invalidation of page 0x${message.page.toString(16)} nobody waits for`);
        if (--m.busy.acks === 0) this.transfer(message.page, m, out);
        break;
      }
      case 'page': {
        this.store.install(message.page, message.zero ? new Uint8Array(PAGE_BYTES) : message.bytes, message.access);
        this.asked.delete(message.page);
        this.store.resume(message.page, message.access);
        this.send(this.window ? this.held : out, managerOf(message.page, this.nodes), { kind: 'done', page: message.page, from: this.self });
        break;
      }
      case 'done': {
        const m = this.entry(message.page);
        if (m.busy === null || m.busy.from !== message.from) throw new InputError(`ivy: a done for page 0x${message.page.toString(16)} from node ${message.from} that has no request served`);
        m.busy = null;
        this.next(message.page, out);
        break;
      }
    }
    return out;
  }

  /** Manager: start the oldest queued request of page when none is being served. */
  private next(page: number, out: Send[]): void {
    const m = this.entry(page);
    if (m.busy !== null) return;
    const r = m.queue.shift();
    if (r === undefined) return;
    m.busy = { access: r.access, from: r.from, acks: 0 };
    if (r.access === 'read') {
      if (m.owner === null) { // nobody had it: the reader owns a zero page
        m.owner = r.from;
        m.copies = new Set([r.from]);
        this.send(out, r.from, { kind: 'page', page, access: 'read', bytes: null, zero: true });
      } else if (m.copies.has(r.from)) { // it has a copy already (its fault raced an earlier answer)
        this.send(out, r.from, { kind: 'page', page, access: 'read', bytes: null, zero: false });
      } else {
        m.copies.add(r.from);
        this.send(out, m.owner, { kind: 'forward', page, access: 'read', to: r.from });
      }
      return;
    }
    for (const c of m.copies) {
      if (c === r.from || c === m.owner) continue;
      m.busy.acks++;
      this.send(out, c, { kind: 'invalidate', page });
    }
    if (m.busy.acks === 0) this.transfer(page, m, out);
  }

  /** Manager: every other copy is gone; the writer gets the page (from its owner, or its own, or zeros). */
  private transfer(page: number, m: Managed, out: Send[]): void {
    const w = m.busy!.from;
    const owner = m.owner;
    m.owner = w;
    m.copies = new Set([w]);
    if (owner === w) this.send(out, w, { kind: 'page', page, access: 'write', bytes: null, zero: false });
    else if (owner === null) this.send(out, w, { kind: 'page', page, access: 'write', bytes: null, zero: true });
    else this.send(out, owner, { kind: 'forward', page, access: 'write', to: w });
  }

  /** Owner: send a read copy (keeping a read-only one) or the page and its ownership (keeping nothing). */
  private forward(page: number, access: Access, to: NodeIndex, out: Send[]): void {
    const bytes = this.store.revoke(page, access === 'read' ? 'read' : 'none');
    this.counters.pages_sent++;
    this.counters.bytes_sent += bytes.length;
    this.count(page, 2);
    if (access === 'write') this.counters.ownership_transfers++;
    this.send(out, to, { kind: 'page', page, access, bytes, zero: false });
  }
}
