// Guests (guest/cluster/lock_ring: N processes on N nodes, each holding one file and waiting for the next, the
// files' locks kept by different nodes' managers; guest/cluster/lock_cycle: bytes of one file) under the
// per-node lock managers: a detection strategy breaks a cycle with exactly one EDEADLK, a chain gets none.
import { describe, expect, it } from 'vitest';
import { runCluster } from '../../src/ssi/index.js';
import type { DeadlockEvent, DeadlockStrategy } from '../../src/deadlock/index.js';

const guest = (name: string): string => new URL(`../../guest/${name}`, import.meta.url).pathname;

describe('guests locking across nodes under the per-node lock managers', () => {
  for (const strategy of ['edge-chasing', 'collector', 'collector-naive'] as DeadlockStrategy[]) {
    it(`${strategy}: lock_ring cycles of 2..5 end with exactly one EDEADLK, chains with none`, async () => {
      for (const n of [2, 3, 4, 5]) {
        for (const mode of ['cycle', 'chain'] as const) {
          const events: DeadlockEvent[] = [];
          const r = await runCluster({
            seed: n, nodes: 5, placement: 'spread', deadlock: strategy, onDeadlock: (e) => events.push(e),
            programs: [{ node: 'n1', path: guest('cluster/lock_ring.elf'), args: [String(n), mode] }],
          });
          expect(r.end).toBe('ended');
          const root = r.processes.find((p) => p.ppid === 0)!;
          expect(root.stdout).toBe(`${mode} of ${n}: EDEADLK ${mode === 'cycle' ? 1 : 0}, granted or done ${mode === 'cycle' ? n - 1 : n}, other 0\n`);
          expect(events.filter((e) => e.kind === 'broken')).toHaveLength(mode === 'cycle' ? 1 : 0);
          if (mode === 'cycle') expect(new Set(events[0]!.kind === 'broken' ? events[0]!.cycle.map((h) => h.mgr) : []).size).toBeGreaterThan(1);
        }
      }
    });
  }
  it('edge-chasing: lock_cycle (bytes of one file, one manager) ends with exactly one EDEADLK', async () => {
    const r = await runCluster({ seed: 3, nodes: 4, placement: 'spread', deadlock: 'edge-chasing', programs: [{ node: 'n1', path: guest('cluster/lock_cycle.elf'), args: ['3', 'cycle'] }] });
    expect(r.end).toBe('ended');
    expect(r.processes.find((p) => p.ppid === 0)!.stdout).toBe('cycle of 3: EDEADLK 1, granted or done 2, other 0\n');
  });
  for (const strategy of ['ordered', 'wait-die'] as DeadlockStrategy[]) {
    it(`${strategy}: lock_ring cycles of 2..5 are prevented and the runs end`, async () => {
      for (const n of [2, 3, 4, 5]) {
        const r = await runCluster({ seed: n, nodes: 5, placement: 'spread', deadlock: strategy, programs: [{ node: 'n1', path: guest('cluster/lock_ring.elf'), args: [String(n), 'cycle'] }] });
        expect(r.end).toBe('ended');
        const m = /EDEADLK (\d+), granted or done (\d+), other 0/.exec(r.processes.find((p) => p.ppid === 0)!.stdout);
        expect(m, `n=${n}`).not.toBeNull();
        expect(Number(m![1])).toBeGreaterThanOrEqual(1);
        expect(Number(m![1]) + Number(m![2])).toBe(n);
      }
    });
  }
  it('ordered: lock_ring chains of 2..5 (files taken in their order) never get EDEADLK', async () => {
    for (const n of [2, 3, 4, 5]) {
      const r = await runCluster({ seed: n, nodes: 5, placement: 'spread', deadlock: 'ordered', programs: [{ node: 'n1', path: guest('cluster/lock_ring.elf'), args: [String(n), 'chain'] }] });
      expect(r.end).toBe('ended');
      expect(r.processes.find((p) => p.ppid === 0)!.stdout).toBe(`chain of ${n}: EDEADLK 0, granted or done ${n}, other 0\n`);
    }
  });
});
