// A small message-passing harness for Raft tests: nodes driven through ready()/advance() with an
// in-memory "disk", a message queue delivered in order, and filters to drop, cut or isolate nodes.
import { Raft, type RaftConfig } from '../../src/raft/index.js';
import type { Entry, HardState, Message, NodeId, RaftRandom, ReadState, Snapshot } from '../../src/raft/index.js';

export function testRng(seed: number): RaftRandom {
  let s = seed >>> 0;
  return {
    nextInt(bound: number): number {
      s = (s + 0x6d2b79f5) >>> 0;
      let t = s;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return (((t ^ (t >>> 14)) >>> 0) % bound);
    },
  };
}

interface Disk {
  hard: HardState | null;
  snapshot: Snapshot | null;
  entries: Entry[];
}

export class TestNet {
  readonly nodes = new Map<NodeId, Raft>();
  readonly applied = new Map<NodeId, Entry[]>();
  readonly reads = new Map<NodeId, ReadState[]>();
  readonly disks = new Map<NodeId, Disk>();
  readonly sent: Message[] = [];
  private queue: Message[] = [];
  private cut = new Set<string>();
  dropTypes = new Set<string>();

  constructor(ids: readonly NodeId[], readonly opts: Partial<RaftConfig> = {}, seed = 1) {
    for (const [i, id] of ids.entries()) this.add(id, ids, seed + i);
  }

  add(id: NodeId, voters: readonly NodeId[], seed: number, restore?: Disk): Raft {
    const disk = restore ?? { hard: null, snapshot: null, entries: [] };
    const r = new Raft({
      id, voters, rng: testRng(seed), ...this.opts,
      hardState: disk.hard ?? undefined, snapshot: disk.snapshot, entries: disk.entries,
    });
    this.nodes.set(id, r);
    this.disks.set(id, disk);
    if (!this.applied.has(id) || !restore) this.applied.set(id, []);
    if (!this.reads.has(id)) this.reads.set(id, []);
    return r;
  }

  /** Crash and restart from what was persisted (the whole in-memory state is lost). */
  restart(id: NodeId, seed = 99): Raft {
    const old = this.nodes.get(id)!;
    const disk = this.disks.get(id)!;
    this.applied.set(id, []);
    return this.add(id, old.confState().voters, seed, { hard: disk.hard, snapshot: disk.snapshot, entries: [...disk.entries] });
  }

  node(id: NodeId): Raft {
    return this.nodes.get(id)!;
  }

  cutLink(a: NodeId, b: NodeId): void {
    this.cut.add(`${a}>${b}`);
    this.cut.add(`${b}>${a}`);
  }

  isolate(id: NodeId): void {
    for (const other of this.nodes.keys()) if (other !== id) this.cutLink(id, other);
  }

  heal(): void {
    this.cut.clear();
    this.dropTypes.clear();
  }

  /** Process every Ready once; queue the outgoing messages. Returns whether anything happened. */
  flushReady(): boolean {
    let any = false;
    for (const [id, r] of [...this.nodes].sort(([a], [b]) => a.localeCompare(b))) {
      while (r.hasReady()) {
        any = true;
        const rd = r.ready();
        const disk = this.disks.get(id)!;
        if (rd.snapshot) {
          disk.snapshot = rd.snapshot;
          disk.entries = [];
          this.applied.set(id, [...(JSON.parse(rd.snapshot.data || '[]') as Entry[])]);
        }
        if (rd.entries.length > 0) {
          const first = rd.entries[0]!.index;
          disk.entries = disk.entries.filter((e) => e.index < first).concat(rd.entries);
        }
        if (rd.hardState) disk.hard = rd.hardState;
        for (const m of rd.messages) {
          this.sent.push(m);
          this.queue.push(m);
        }
        this.applied.get(id)!.push(...rd.committedEntries.filter((e) => e.data !== ''));
        this.reads.get(id)!.push(...rd.readStates);
        r.advance(rd);
      }
    }
    return any;
  }

  /** Deliver queued messages (and the ones they cause) until nothing moves. */
  stabilize(max_rounds = 1000): void {
    for (let round = 0; round < max_rounds; round++) {
      const moved = this.flushReady();
      if (this.queue.length === 0 && !moved) return;
      const batch = this.queue;
      this.queue = [];
      for (const m of batch) this.deliver(m);
    }
    throw new Error('harness: did not stabilize');
  }

  /** Would this message be dropped by the current cuts and filters? */
  isCut(m: Message): boolean {
    return this.cut.has(`${m.from}>${m.to}`) || this.dropTypes.has(m.type);
  }

  deliver(m: Message): void {
    if (this.isCut(m)) return;
    this.nodes.get(m.to)?.step(m);
  }

  tick(id: NodeId, n = 1): void {
    for (let i = 0; i < n; i++) this.node(id).tick();
  }

  tickAll(n = 1): void {
    for (let i = 0; i < n; i++) {
      for (const r of this.nodes.values()) r.tick();
      this.stabilize();
    }
  }

  leaders(): NodeId[] {
    return [...this.nodes.values()].filter((r) => r.role === 'leader').map((r) => r.id);
  }

  /** Snapshot data in this harness: the applied entries so far, as JSON. */
  snapshotOf(id: NodeId): Snapshot {
    const s = this.node(id).createSnapshot(JSON.stringify(this.applied.get(id)));
    const disk = this.disks.get(id)!;
    disk.snapshot = s;
    disk.entries = disk.entries.filter((e) => e.index > s.meta.index);
    return s;
  }

  countSent(type: string, since = 0): number {
    return this.sent.slice(since).filter((m) => m.type === type).length;
  }
}

export function data(entries: readonly Entry[]): string[] {
  return entries.map((e) => e.data);
}
