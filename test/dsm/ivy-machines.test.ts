// IVY between two machines (src/dsm/machine-pages.ts over host-kept pages): one process on each machine adds
// to the same word of a shared page with AMOs; every AMO needs write ownership, so the page moves between the
// machines, and both see the sum of all increments. The machines run slice by slice in turn; the protocol's
// messages are delivered between slices, each pair of nodes in order.
import { describe, it, expect } from 'vitest';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { parseElf } from '../../src/elf/index.js';
import { System } from '../../src/machine/system.js';
import { LATER } from '../../src/machine/hostcall.js';
import { SYS } from '../../src/machine/abi.js';
import { IvyNode, ProcessPages, managerOf, type Send } from '../../src/dsm/index.js';

const ELF = parseElf(new Uint8Array(readFileSync(join(import.meta.dirname, '../fixtures/dsm/pages.elf'))));

async function twoMachines(n: number, budget: number, window = true, rounds = 100_000): Promise<{ out: string[]; nodes: IvyNode[]; codes: unknown[]; finished: boolean }> {
  const systems = await Promise.all([0, 1].map(() => System.create({ ram_bytes: 16 << 20, seed: 5, quantum_instructions: 2_000 })));
  const stores = systems.map((s) => new ProcessPages(s, 0));
  const nodes = stores.map((st, i) => new IvyNode(i, 2, st, window));
  const queue: { from: number; sends: Send[] }[] = [];
  stores.forEach((st, i) => st.serve(nodes[i]!, (sends) => queue.push({ from: i, sends })));
  let homeReady = false;
  let heldHook: number | null = null;
  systems.forEach((sys, i) => {
    sys.spawn(ELF, { argv: ['pages', 'count', String(n)], name: 'pages' });
    sys.serve(SYS.test_hook, (call) => {
      const page = call.args[1]! >>> 0;
      stores[i]!.shared.add(page);
      if (i === 0) { // the home: owns the page, writable
        nodes[managerOf(page, 2)]!.declareOwner(page, 0);
        homeReady = true;
        if (heldHook !== null) systems[1]!.hostcalls.ring.complete(heldHook, 0);
        return 0;
      }
      stores[1]!.revoke(page, 'none'); // the other machine's copy is not the page's
      if (homeReady) return 0;
      heldHook = call.id;
      return LATER;
    });
  });
  const out = ['', ''];
  const dec = new TextDecoder();
  const stepped = systems.map((s, i) => s.beginStepped({ write: (fd, b) => { if (fd === 1) out[i] += dec.decode(b); } }, () => undefined));
  let round = 0;
  for (; stepped.some((s) => s.live() > 0) && round < rounds; round++) {
    for (let i = 0; i < 2; i++) {
      if (stepped[i]!.live() > 0) stepped[i]!.slice(0, budget);
      queue.push({ from: i, sends: nodes[i]!.release() });
      while (queue.length > 0) {
        const { from, sends } = queue.shift()!;
        for (const s of sends) queue.push({ from: s.to, sends: nodes[s.to]!.receive(s.message) });
        void from;
      }
    }
  }
  const finished = round < rounds;
  if (finished) stepped.forEach((s) => s.finish());
  return { out, nodes, codes: finished ? systems.map((s) => s.results()[0]) : [], finished };
}

describe('IVY between two machines', () => {
  it('AMO increments of one word from two machines all count, and the page changes owner', async () => {
    const { out, nodes, codes, finished } = await twoMachines(4000, 1_000);
    expect(finished).toBe(true);
    expect(out).toEqual(['count: 8000\n', 'count: 8000\n']);
    expect(codes).toEqual([{ kind: 'exit', code: 0 }, { kind: 'exit', code: 0 }]);
    const transfers = nodes.reduce((a, x) => a + x.counters.ownership_transfers, 0);
    expect(transfers).toBeGreaterThan(1); // the page went back and forth, not once
    expect(nodes[1]!.counters.write_faults).toBeGreaterThan(0);
  });

  it('without the time window the page is taken from each machine before it runs on it: no progress', async () => {
    const { out, finished, nodes } = await twoMachines(4000, 1_000, false, 3_000);
    expect(finished).toBe(false);
    expect(out).toEqual(['', '']);
    expect(nodes[0]!.counters.ownership_transfers + nodes[1]!.counters.ownership_transfers).toBeGreaterThan(1_000); // the page keeps moving
  });
});
