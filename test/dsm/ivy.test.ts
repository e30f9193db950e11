// IVY's protocol (src/dsm/ivy.ts) on nodes whose memories are Maps, with every message delivered in a seeded
// random order (each pair of nodes in the order sent). Each node's "threads" read and increment one word per
// page; a read must always see the latest increment (one copy's memory: sequential consistency), at most one
// node may write a page and then nobody else reads it, and every increment survives to the end.
import { describe, it, expect } from 'vitest';
import { IvyNode, managerOf, type Access, type IvyMessage, type PageStore, type Send } from '../../src/dsm/index.js';
import { Prng } from '../../src/sim/prng.js';

const PAGE = 4096;

class MapStore implements PageStore {
  readonly bytes = new Map<number, Uint8Array>();
  readonly prot = new Map<number, 'none' | Access>();
  readonly resumed: number[] = [];
  revoke(page: number, to: 'none' | 'read'): Uint8Array {
    const b = this.bytes.get(page) ?? new Uint8Array(PAGE);
    this.prot.set(page, to);
    return b.slice();
  }
  install(page: number, bytes: Uint8Array | null, prot: Access): void {
    if (bytes !== null) this.bytes.set(page, bytes.slice());
    this.prot.set(page, prot);
  }
  resume(page: number): void { this.resumed.push(page); }
  can(page: number, access: Access): boolean {
    const p = this.prot.get(page) ?? 'none';
    return access === 'read' ? p !== 'none' : p === 'write';
  }
}

function simulate(seed: number, nodes: number, pages: number, ops: number): { nodes: IvyNode[]; stores: MapStore[]; truth: number[]; messages: number } {
  const rng = new Prng(seed);
  const stores = Array.from({ length: nodes }, () => new MapStore());
  const ivy = stores.map((s, i) => new IvyNode(i, nodes, s));
  const truth = Array.from({ length: pages }, () => 0);
  // Node 0 is the home: it holds every page writable at the start.
  for (let p = 0; p < pages; p++) {
    const page = p * PAGE;
    stores[0]!.install(page, new Uint8Array(PAGE), 'write');
    ivy[managerOf(page, nodes)]!.declareOwner(page, 0);
  }
  const links = new Map<string, IvyMessage[]>();
  const post = (from: number, sends: Send[]): void => {
    for (const s of sends) {
      const k = `${from}>${s.to}`;
      if (!links.has(k)) links.set(k, []);
      links.get(k)!.push(s.message);
    }
  };
  const waiting = Array.from({ length: nodes }, () => null as null | { page: number; access: Access });
  let done = 0, messages = 0;
  const check = (page: number): void => {
    const writers = stores.filter((s) => s.prot.get(page) === 'write').length;
    const readers = stores.filter((s) => s.prot.get(page) === 'read').length;
    expect(writers <= 1 && (writers === 0 || readers === 0), `page ${page}: ${writers} writers, ${readers} readers`).toBe(true);
  };
  for (let step = 0; done < ops || [...links.values()].some((q) => q.length > 0); step++) {
    expect(step).toBeLessThan(1_000_000);
    const busy = [...links.entries()].filter(([, q]) => q.length > 0);
    const act = done < ops && (busy.length === 0 || rng.nextU32() % 2 === 0);
    if (!act) {
      const [k, q] = busy[rng.nextU32() % busy.length]!;
      const to = Number(k.split('>')[1]);
      post(to, ivy[to]!.receive(q.shift()!));
      messages++;
      for (let p = 0; p < pages; p++) check(p * PAGE);
      continue;
    }
    const n = rng.nextU32() % nodes;
    const w = waiting[n] ?? { page: (rng.nextU32() % pages) * PAGE, access: (rng.nextU32() % 2 === 0 ? 'read' : 'write') as Access };
    const s = stores[n]!;
    if (!s.can(w.page, w.access)) {
      waiting[n] = w;
      post(n, ivy[n]!.fault(w.page, w.access));
      continue;
    }
    waiting[n] = null;
    const v = new DataView(s.bytes.get(w.page)!.buffer);
    expect(v.getInt32(0, true), `node ${n} reads page ${w.page}`).toBe(truth[w.page / PAGE]);
    if (w.access === 'write') {
      v.setInt32(0, v.getInt32(0, true) + 1, true);
      truth[w.page / PAGE]!++;
    }
    done++;
  }
  return { nodes: ivy, stores, truth, messages };
}

describe('IVY sequential consistency', () => {
  it('every read sees the latest write and one writer excludes readers, over many seeds', () => {
    for (let seed = 1; seed <= 60; seed++) {
      const { stores, truth, nodes } = simulate(seed, 2 + (seed % 3), 3, 400);
      // the last increment of each page lives on in exactly one writable or several read copies
      for (let p = 0; p < truth.length; p++) {
        const holders = stores.filter((s) => s.prot.get(p * PAGE) !== 'none' && s.prot.has(p * PAGE));
        expect(holders.length).toBeGreaterThan(0);
        for (const h of holders) expect(new DataView(h.bytes.get(p * PAGE)!.buffer).getInt32(0, true)).toBe(truth[p]);
      }
      expect(truth.reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
      const sent = nodes.reduce((a, n) => a + n.counters.pages_sent, 0);
      expect(sent).toBeGreaterThan(0);
    }
  });

  it('a read fault on a page its owner holds costs two messages to the manager and the owner, and one page', () => {
    const stores = [new MapStore(), new MapStore()];
    const ivy = stores.map((s, i) => new IvyNode(i, 2, s));
    const page = 1 * PAGE; // managed by node 1, owned by node 0
    stores[0]!.install(page, new Uint8Array(PAGE).fill(7), 'write');
    ivy[1]!.declareOwner(page, 0);
    const req = ivy[1]!.fault(page, 'read');
    expect(req).toEqual([{ to: 1, message: { kind: 'request', page, access: 'read', from: 1 } }]);
    const fwd = ivy[1]!.receive(req[0]!.message);
    expect(fwd).toEqual([{ to: 0, message: { kind: 'forward', page, access: 'read', to: 1 } }]);
    const reply = ivy[0]!.receive(fwd[0]!.message);
    expect(stores[0]!.prot.get(page)).toBe('read'); // the owner keeps a read-only copy
    expect(reply[0]!.to).toBe(1);
    ivy[1]!.receive(reply[0]!.message);
    expect(stores[1]!.prot.get(page)).toBe('read');
    expect(stores[1]!.bytes.get(page)![0]).toBe(7);
    expect(stores[1]!.resumed).toEqual([page]);
    expect(ivy[0]!.counters).toMatchObject({ pages_sent: 1, bytes_sent: PAGE, ownership_transfers: 0 });
    // a write by node 1 (a reader) now takes the page and its ownership from node 0, which keeps nothing
    const w = ivy[1]!.receive({ kind: 'done', page, from: 1 });
    expect(w).toEqual([]);
    const wr = ivy[1]!.receive(ivy[1]!.fault(page, 'write')[0]!.message);
    expect(wr).toEqual([{ to: 0, message: { kind: 'forward', page, access: 'write', to: 1 } }]);
    ivy[1]!.receive(ivy[0]!.receive(wr[0]!.message)[0]!.message);
    expect(stores[0]!.prot.get(page)).toBe('none');
    expect(stores[1]!.prot.get(page)).toBe('write');
    expect(ivy[0]!.counters.ownership_transfers).toBe(1);
  });

  it('bad input is one clear error', () => {
    expect(() => new IvyNode(2, 2, new MapStore())).toThrow(/node 2 of 2 does not exist/);
    const n = new IvyNode(0, 2, new MapStore());
    expect(() => n.fault(5, 'read')).toThrow(/not a page address/);
    expect(() => n.receive({ kind: 'done', page: 0, from: 1 })).toThrow(/no request served/);
    expect(() => n.receive({ kind: 'invalidated', page: 0, from: 1 })).toThrow(/nobody waits for/);
  });
});
