// A cluster run boots simulated nodes that each run an emulated machine, starts every program on its node and
// ends when every process has ended: output tagged by node and pid, a book of every process, one trace digest
// per seed.
import { describe, expect, it } from 'vitest';
import { runCluster, type ConsoleLine } from '../../src/ssi/index.js';

const guest = (name: string): string => new URL(`../../guest/${name}`, import.meta.url).pathname;

describe('cluster run', () => {
  it('runs a program on each node and books every process with its node, parent and status', async () => {
    const lines: ConsoleLine[] = [];
    const r = await runCluster({
      seed: 5,
      programs: [
        { node: 'n1', path: guest('tests/fork_tree.elf'), args: [] },
        { node: 'n2', path: guest('bin/echo.elf'), args: ['from', 'n2'] },
        { node: 'n3', path: guest('tests/sigill.elf'), args: [] },
      ],
      onLine: (l) => lines.push(l),
    });
    expect(r.end).toBe('ended');
    expect(r.nodes).toEqual(['n1', 'n2', 'n3']);
    const root = (node: string) => r.processes.find((p) => p.node === node && p.ppid === 0)!;
    expect(lines).toContainEqual({ node: 'n2', pid: root('n2').pid, fd: 1, text: 'from n2' });
    // Cluster-wide pids: every process of the run has its own.
    expect(new Set(r.processes.map((p) => p.pid)).size).toBe(r.processes.length);
    expect(lines.filter((l) => l.node === 'n1').map((l) => l.text)).toContain('children 4, sum of their statuses 66 (expected 66)');
    const n1 = r.processes.filter((p) => p.node === 'n1');
    expect(n1.length).toBeGreaterThan(40); // the tree and the fork loop
    expect(n1.every((p) => p.state === 'exited')).toBe(true);
    const kids = n1.filter((p) => p.ppid === root('n1').pid);
    expect(kids.map((p) => p.exit_code).slice(0, 4)).toEqual([3, 12, 21, 30]);
    const ill = r.processes.find((p) => p.node === 'n3')!;
    expect(ill).toMatchObject({ state: 'killed', signal: 'SIGILL', signal_number: 4 });
    expect(r.processes.find((p) => p.node === 'n2')!.stdout).toBe('from n2\n');
  });

  it('gives the same output and trace digest for the same seed', async () => {
    const once = () => runCluster({
      seed: 9, machine: { harts: 2 },
      programs: [{ node: 'n1', path: guest('tests/proc_pipeline.elf'), args: [] }, { node: 'n2', path: guest('tests/thread_spinlock.elf'), args: [] }],
    });
    const [a, b] = [await once(), await once()];
    expect(a.end).toBe('ended');
    expect(b.trace_hash).toBe(a.trace_hash);
    expect(b.processes).toEqual(a.processes);
    expect(a.processes.find((p) => p.node === 'n1' && p.ppid === 0)!.exit_code).toBe(0);
  });

  it('delivers a signal to a process on another node by its cluster-wide pid, with the sender\'s pid', async () => {
    const probe = await runCluster({ seed: 2, nodes: 3, programs: [{ node: 'n3', path: guest('cluster/sig_target.elf'), args: [] }], max_virtual_ns: 5e9 });
    const target = probe.processes[0]!.pid; // the same seed leases the same pids
    const r = await runCluster({
      seed: 2, nodes: 3,
      programs: [{ node: 'n3', path: guest('cluster/sig_target.elf'), args: [] }, { node: 'n1', path: guest('cluster/sig_sender.elf'), args: [String(target), '99999'] }],
    });
    const t = r.processes.find((p) => p.node === 'n3')!, s = r.processes.find((p) => p.node === 'n1')!;
    expect(t.pid).toBe(target);
    expect(t.stdout).toContain(`got SIGUSR1 from pid ${s.pid}`);
    expect(t.exit_code).toBe(0);
    expect(s.stdout).toContain(`kill(${target}, SIGUSR1) = 0`);
    expect(s.stdout).toContain('kill(99999, 0) = -1 (ESRCH)');
  });

  it('refuses a program on a node the cluster does not have, and a node name that is not nK', async () => {
    await expect(runCluster({ nodes: 2, programs: [{ node: 'n3', path: guest('bin/echo.elf'), args: [] }] })).rejects.toThrow(/runs on n3, but the cluster has 2 nodes/);
    await expect(runCluster({ programs: [{ node: 'x1', path: guest('bin/echo.elf'), args: [] }] })).rejects.toThrow(/must be n1, n2/);
  });
});
