// Process migration in a simulated cluster run (a `migrate` line of the fault script): guest/cluster/migrate_worker
// forks a memory-busy worker that reports through a pipe to its parent; the worker moves between nodes (with
// drifting clocks) and back to its parent's node. Its output, its pid and its parent's wait are as in the run
// without a move, its monotonic clock never goes back (the guest checks), and moves that cannot happen leave it
// running where it was, with one clear error.
import { describe, expect, it } from 'vitest';
import { parseFaultScript } from '../../src/net/index.js';
import { runCluster, type ClusterRunResult } from '../../src/ssi/index.js';

const guest = (name: string): string => new URL(`../../guest/${name}`, import.meta.url).pathname;
const IDS = ['n1', 'n2', 'n3'];
// The worker's pid in these runs: the second process of n1's first lease.
const WORKER = 4098;

async function run(faults: string, args = ['30', '64'], seed = 1): Promise<ClusterRunResult> {
  return runCluster({
    seed, nodes: 3, programs: [{ node: 'n1', path: guest('cluster/migrate_worker.elf'), args }],
    faults: parseFaultScript(faults, IDS),
  });
}

const outputOf = (r: ClusterRunResult): string => r.processes.map((p) => `${p.pid}:${p.state}:${p.exit_code}\n${p.stdout}`).join('\n');

describe('process migration (stop and copy)', () => {
  it('moves a running worker n1 -> n3 -> n2 -> n1 with drifting clocks: same output, pid and family as without a move', async () => {
    const still = await run('at 0ms drift n3 -400000\n');
    const moved = await run('at 0ms drift n3 -400000\nat 200ms migrate 4098 n3\nat 300ms migrate 4098 n2\nat 420ms migrate 4098 n1\n');
    expect(still.end).toBe('ended');
    expect(moved.end).toBe('ended');
    expect(still.processes.map((p) => p.pid)).toEqual([4097, WORKER]);
    expect(outputOf(moved)).toBe(outputOf(still));
    const parent = moved.processes.find((p) => p.pid === 4097)!;
    expect(parent.stdout).toContain('worker done: pid kept, monotonic time never went back: yes');
    expect(parent.stdout).toContain('worker reaped: yes, status 0');
    expect(parent.exit_code).toBe(0);
    const worker = moved.processes.find((p) => p.pid === WORKER)!;
    expect(worker.moves).toEqual(['n3', 'n2', 'n1']);
    expect(moved.migrations.map((m) => [m.from, m.to, m.ok])).toEqual([['n1', 'n3', true], ['n3', 'n2', true], ['n2', 'n1', true]]);
    for (const m of moved.migrations) {
      expect(m.bytes).toBeGreaterThan(64 * 4096); // the heap it filled travels
      expect(m.downtime_ns).toBeGreaterThan(0);
      expect(m.pages).toBeGreaterThanOrEqual(64);
    }
    // Same seed, same run.
    const again = await run('at 0ms drift n3 -400000\nat 200ms migrate 4098 n3\nat 300ms migrate 4098 n2\nat 420ms migrate 4098 n1\n');
    expect(again.trace_hash).toBe(moved.trace_hash);
  }, 120_000);

  it('a sleep keeps the time it had left across a move', async () => {
    // Small rounds: most of the worker's time is its 2 ms naps, so a move finds it asleep; every nap must last its 2 ms.
    const moved = await run('at 205ms migrate 4098 n2\nat 240ms migrate 4098 n3\n', ['20', '8']);
    expect(moved.migrations[0]!.ok).toBe(true);
    const parent = moved.processes.find((p) => p.pid === 4097)!;
    expect(parent.stdout).not.toContain('sleep lasted');
    expect(parent.stdout).toContain('monotonic time never went back: yes');
  }, 60_000);

  it('moves committed test programs mid-run (futex waits with timeouts, requeues, sleeps, signals, forks): output as without the move', async () => {
    const tests = (name: string): string => guest(`tests/${name}`);
    let movedRuns = 0;
    for (const name of ['thread_futex.elf', 'qa_futex_requeue.elf', 'thread_sleep.elf', 'sig_eintr_thread.elf', 'fork_tree.elf', 'time.elf']) {
      for (const harts of [1, 2]) {
        const base = { seed: 1, nodes: 2, machine: { harts }, programs: [{ node: 'n1', path: tests(name), args: [] }] };
        const still = await runCluster(base);
        for (const at of ['146ms', '151ms', '160ms']) {
          const r = await runCluster({ ...base, faults: parseFaultScript(`at ${at} migrate @${name} n2\n`, ['n1', 'n2']) });
          if (!r.migrations.some((m) => m.ok)) continue; // it had ended, or had children then
          movedRuns++;
          expect(outputOf(r), `${name} on ${harts} hart(s), moved at ${at}`).toBe(outputOf(still));
        }
      }
    }
    expect(movedRuns).toBeGreaterThanOrEqual(10);
  }, 300_000);

  it('refuses bad moves with one clear error each; the process runs on where it was', async () => {
    const r = await run([
      'at 195ms migrate 999999 n2', // no such process
      'at 200ms migrate 4098 n1', // where it already runs
      'at 210ms migrate 4098 n2', // this one happens...
      'at 210ms migrate 4098 n3', // ...so this one finds it mid-move
    ].join('\n'));
    const errors = r.migrations.map((m) => m.error);
    expect(errors).toContain('process 999999 runs on no node that is up');
    expect(errors).toContain('process 4098 already runs on n1');
    expect(errors).toContain('process 4098 is already moving');
    expect(r.migrations.filter((m) => m.ok).map((m) => m.to)).toEqual(['n2']);
    expect(r.processes.find((p) => p.pid === 4097)!.stdout).toContain('worker reaped: yes, status 0');
  }, 60_000);

  it('a target that crashes, or is cut off, before the hand-over leaves the process running on the source, once', async () => {
    const still = await run('');
    for (const faults of ['at 199ms crash n2\nat 200ms migrate 4098 n2\n', 'at 199ms partition n1,n3|n2\nat 200ms migrate 4098 n2\nat 3s heal\n']) {
      const r = await run(faults);
      expect(r.end).toBe('ended');
      expect(r.migrations).toHaveLength(1);
      expect(r.migrations[0]!.ok).toBe(false);
      expect(r.migrations[0]!.error).toMatch(/did not take process 4098/);
      expect(outputOf(r)).toBe(outputOf(still));
      expect(r.processes.find((p) => p.pid === WORKER)!.moves).toEqual([]);
    }
  }, 120_000);
});

describe('process migration: pre-copy and post-copy', () => {
  const hops = (method: string): string =>
    `at 0ms drift n3 -400000\nat 200ms migrate 4098 n3 ${method}\nat 300ms migrate 4098 n2 ${method}\nat 420ms migrate 4098 n1 ${method}\n`;

  it('each method moves the worker three times with the output, pid and family of the run without a move', async () => {
    const still = await run('at 0ms drift n3 -400000\n');
    const byMethod = new Map<string, ClusterRunResult>();
    for (const method of ['stop', 'precopy', 'postcopy']) {
      const r = await run(hops(method));
      byMethod.set(method, r);
      expect(r.end, method).toBe('ended');
      expect(outputOf(r), method).toBe(outputOf(still));
      expect(r.processes.find((p) => p.pid === WORKER)!.moves, method).toEqual(['n3', 'n2', 'n1']);
      expect(r.migrations.map((m) => [m.method, m.ok]), method).toEqual([[method, true], [method, true], [method, true]]);
      expect(r.pages_lost).toEqual([]);
    }
    const stop = byMethod.get('stop')!.migrations, pre = byMethod.get('precopy')!.migrations, post = byMethod.get('postcopy')!.migrations;
    for (let i = 0; i < 3; i++) {
      // Pre-copy: rounds while it ran (the worker rewrites its whole heap, so pages go again), a stop that sends less.
      expect(pre[i]!.rounds).toBeGreaterThanOrEqual(2);
      expect(pre[i]!.pages).toBeGreaterThanOrEqual(64);
      expect(pre[i]!.pages_resent).toBeGreaterThan(0);
      expect(pre[i]!.downtime_ns).toBeLessThan(stop[i]!.downtime_ns);
      expect(pre[i]!.total_ns).toBeGreaterThan(pre[i]!.downtime_ns);
      // Post-copy: nothing but the tables at the stop; every page with bytes crosses once, asked for or pushed.
      expect(post[i]!.downtime_ns).toBeLessThan(stop[i]!.downtime_ns);
      expect(post[i]!.pages_faulted + post[i]!.pages_pushed).toBeGreaterThanOrEqual(64);
      expect(post[i]!.pages).toBe(stop[i]!.pages + post[i]!.pages_resent);
      expect(stop[i]!.rounds).toBe(1);
      expect(stop[i]!.pages_resent).toBe(0);
    }
    const again = await run(hops('postcopy'));
    expect(again.trace_hash).toBe(byMethod.get('postcopy')!.trace_hash);
  }, 180_000);

  it('moves committed test programs mid-run by pre-copy and post-copy: output as without the move', async () => {
    const tests = (name: string): string => guest(`tests/${name}`);
    let movedRuns = 0;
    for (const name of ['thread_futex.elf', 'thread_sleep.elf', 'fork_tree.elf', 'time.elf']) {
      for (const harts of [1, 2]) {
        const base = { seed: 1, nodes: 2, machine: { harts }, programs: [{ node: 'n1', path: tests(name), args: [] }] };
        const still = await runCluster(base);
        for (const method of ['precopy', 'postcopy']) {
          const r = await runCluster({ ...base, faults: parseFaultScript(`at 150ms migrate @${name} n2 ${method}\n`, ['n1', 'n2']) });
          if (!r.migrations.some((m) => m.ok)) continue; // it had ended, or had children then
          movedRuns++;
          expect(outputOf(r), `${name} on ${harts} hart(s), ${method}`).toBe(outputOf(still));
        }
      }
    }
    expect(movedRuns).toBeGreaterThanOrEqual(6);
  }, 300_000);

  it('a source that crashes during post-copy takes its pages: the moved process dies of SIGBUS, the report says which', async () => {
    // A slow link (1 Mbit/s) keeps most pages on the source when it crashes.
    const r = await runCluster({
      seed: 1, nodes: 3, migration_link_bps: 1e6, programs: [{ node: 'n1', path: guest('cluster/migrate_worker.elf'), args: ['30', '64'] }],
      faults: parseFaultScript('at 200ms migrate 4098 n2 postcopy\nat 400ms crash n1\n', IDS),
    });
    expect(r.end).toBe('ended');
    const worker = r.processes.find((p) => p.pid === WORKER)!;
    expect(worker.node).toBe('n2');
    expect(worker.state).toBe('killed');
    expect(worker.signal).toBe('SIGBUS');
    expect(worker.reason).toMatch(/page lost/);
    expect(r.pages_lost).toHaveLength(1);
    expect(r.pages_lost[0]!.pid).toBe(WORKER);
    expect(r.pages_lost[0]!.from).toBe('n1');
    expect(r.pages_lost[0]!.pages).toBeGreaterThan(32);
  }, 120_000);
});

