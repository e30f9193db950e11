// A process that moves itself (Atoll's migrate call, guest/cluster/migrate_self): n1 -> n2 -> n3 -> n1 by
// stop-and-copy, pre-copy and post-copy in a simulated cluster. Each call returns 0 on the new node (at once when
// it is there already); the heap, an open file's offset, the pid and a never-decreasing monotonic clock cross;
// calls that cannot move it get Linux's errnos, and a move to a node that is down fails where it runs on.
import { describe, expect, it } from 'vitest';
import { parseFaultScript } from '../../src/net/index.js';
import { runCluster, type ClusterRunResult } from '../../src/ssi/index.js';

const elf = new URL('../../guest/cluster/migrate_self.elf', import.meta.url).pathname;
const IDS = ['n1', 'n2', 'n3'];
const PAGES = 16;

function run(faults = '', seed = 1): Promise<ClusterRunResult> {
  return runCluster({ seed, nodes: 3, programs: [{ node: 'n1', path: elf, args: [String(PAGES)] }], faults: parseFaultScript(faults, IDS) });
}

/** The heap's sum before move k as the guest computes it: word i holds i * 2654435761 + (0 + 1 + ... + (k - 1)). */
function heapSum(k: number): string {
  let sum = 0;
  const add = (k * (k - 1)) / 2;
  for (let i = 0; i < PAGES * 1024; i++) sum = (sum + Math.imul(i, 2654435761) + add) >>> 0;
  return sum.toString(16).padStart(8, '0');
}

describe('a process moves itself (the migrate call)', () => {
  it('moves n1 -> n2 -> n3 -> n1 by each method: 0 each time, heap, file offset, pid and clock kept', async () => {
    const r = await run();
    expect(r.end).toBe('ended');
    const [p] = r.processes;
    expect(p!.exit_code).toBe(0);
    expect(p!.moves).toEqual(['n2', 'n3', 'n1']);
    expect(r.migrations.map((m) => [m.from, m.to, m.method, m.ok])).toEqual([
      ['n1', 'n2', 'stop', true], ['n2', 'n3', 'precopy', true], ['n3', 'n1', 'postcopy', true],
    ]);
    expect(p!.stdout).toBe([
      'move 0 by stop: 0', 'again to the same node: 0', `move 0: heap sum ${heapSum(0)}`,
      'move 1 by precopy: 0', 'again to the same node: 0', `move 1: heap sum ${heapSum(1)}`,
      'move 2 by postcopy: 0', 'again to the same node: 0', `move 2: heap sum ${heapSum(2)}`,
      'no such node: No route to host', 'a bad how: Invalid argument', 'a bad pointer: Bad address',
      'file offset after three moves: 42', 'pid kept, monotonic time never went back: yes', '',
    ].join('\n'));
    for (const m of r.migrations) expect(m.bytes).toBeGreaterThan(PAGES * 4096);
    expect((await run()).trace_hash).toBe(r.trace_hash);
  }, 60_000);

  it('a move to a node that is down fails with one errno and the process runs on where it was', async () => {
    const r = await run('at 0ms crash n2\n');
    const [p] = r.processes;
    expect(p!.exit_code).toBe(0);
    expect(p!.stdout).toMatch(/^move 0 by stop: (Host is down|No route to host)\n/);
    // It never left n1, then moved on to n3 and back.
    expect(p!.moves).toEqual(['n3', 'n1']);
    expect(p!.stdout).toContain(`move 1: heap sum ${heapSum(1)}`);
    expect(p!.stdout).toContain('pid kept, monotonic time never went back: yes');
  }, 60_000);
});
