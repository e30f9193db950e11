// Futexes and the thread calls, as Linux defines them: wait/wake, timeouts on the virtual clock, -EAGAIN on
// a changed value, -EFAULT/-EINVAL on bad addresses, clone's flag check, gettid, join through the cleared tid.
import { describe, it, expect } from 'vitest';
import { runGuests } from './helpers.js';

const EXPECTED = [
  'timed wait: -110 after >= 2 ms: 1',
  'wrong value: -11',
  'wake nobody: 0',
  'bad address: -14',
  'misaligned: -22',
  'bad clone flags: -22',
  'gettid is pid: 1',
  'clone tid differs: 1, ctid set: 1',
  'waiter woken: 0, word 1',
  'joined: ctid 0',
  'yield: 0',
].join('\n') + '\n';

describe('futex and threads', () => {
  it.each([1, 2, 3])('wait, wake, timeouts and join behave as on Linux with %i hart(s)', async (harts) => {
    const r = await runGuests([['futex']], { harts });
    expect(r.out).toBe(EXPECTED);
    expect(r.results).toEqual([{ kind: 'exit', code: 0 }]);
  });

  it('an unsupported clone flag set is refused with one kernel log line', async () => {
    const r = await runGuests([['futex']]);
    expect(r.log).toHaveLength(1);
    expect(r.log[0]).toMatch(/^kernel: clone from pid 1 \(futex\) tid 1: unsupported flags 0x100 .*EINVAL$/);
  });

  it('a futex timeout passes on the virtual clock without running anything (the idle hart jumps to the deadline)', async () => {
    const r = await runGuests([['futex']]);
    // 2 ms of virtual time passed, yet far fewer than 2 ms worth (200,000) of instructions ran.
    expect(r.stats.harts[0]!.instructions).toBeLessThan(100_000);
    expect(r.stats.harts[0]!.idle).toBe(0);
  });

  it('threads of one process count under it and each ended thread keeps its own switch count', async () => {
    const r = await runGuests([['counter', '4', '5000']], { harts: 2, quantum_instructions: 5_000 });
    expect(r.out).toBe('counter 20000 of 20000\n');
    expect(r.stats.processes[0]!.threads).toBe(5);
    expect(r.stats.threads.map((t) => t.tid).sort()).toEqual([1, 2, 3, 4, 5]);
    for (const t of r.stats.threads) expect(t.context_switches).toBeGreaterThanOrEqual(1);
    expect(r.stats.threads.reduce((a, t) => a + t.instructions, 0)).toBe(r.stats.processes[0]!.instructions);
  });
});
