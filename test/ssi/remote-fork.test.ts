// fork across the cluster: under --place spread the children run on other nodes, yet the program sees what it
// sees on one machine (getppid, waitpid statuses, a pipe made before the fork read to EOF, kill of a child);
// a crashed node's children end by SIGKILL for their parents; the same seed gives the same run.
import { describe, expect, it } from 'vitest';
import { runCluster, type ClusterRunResult } from '../../src/ssi/index.js';
import { parseFaultScript } from '../../src/net/index.js';
import { runProgram } from '../../src/machine/index.js';
import { namespaceWith } from '../gfs/namespace.js';
import { readFileSync } from 'node:fs';

const guest = (name: string): string => new URL(`../../guest/${name}`, import.meta.url).pathname;
const lines = (s: string): string[] => s.split('\n').filter(Boolean);

async function alone(path: string): Promise<string> {
  let out = '';
  await runProgram(path, [], { ram_bytes: 32 << 20 }, { write: (_fd, b) => { out += new TextDecoder().decode(b); } }, () => 0);
  return out;
}

function outputOf(r: ClusterRunResult): string {
  return r.processes.map((p) => p.stdout).join('');
}

describe('remote fork', () => {
  it('spreads children over the other nodes and the program sees one machine', async () => {
    const r = await runCluster({ seed: 3, nodes: 3, placement: 'spread', programs: [{ node: 'n1', path: guest('cluster/fork_spread.elf'), args: [] }] });
    expect(r.end).toBe('ended');
    const root = r.processes.find((p) => p.ppid === 0)!;
    expect(root).toMatchObject({ node: 'n1', state: 'exited', exit_code: 0 });
    expect(root.stdout).toContain('all as on one machine');
    const kids = r.processes.filter((p) => p.ppid === root.pid);
    expect(kids).toHaveLength(5);
    expect(new Set(kids.map((k) => k.node))).toEqual(new Set(['n2', 'n3']));
    expect(new Set(r.processes.map((p) => p.pid)).size).toBe(r.processes.length);
    expect(kids.slice(0, 3).map((k) => k.exit_code)).toEqual([10, 11, 12]);
    // The same lines as on one machine (every process's output together, order within each kept).
    const one = lines(await alone(guest('cluster/fork_spread.elf'))).filter((l) => !l.startsWith('parent '));
    expect(lines(outputOf(r)).filter((l) => !l.startsWith('parent ')).sort()).toEqual(one.sort());
  });

  it('places by the loads nodes report with least-loaded', async () => {
    const r = await runCluster({ seed: 4, nodes: 4, placement: 'least-loaded', programs: [{ node: 'n1', path: guest('cluster/fork_spread.elf'), args: [] }] });
    const root = r.processes.find((p) => p.ppid === 0)!;
    expect(root.exit_code).toBe(0);
    expect(r.processes.filter((p) => p.ppid === root.pid).some((k) => k.node !== 'n1')).toBe(true);
  });

  it('gives the same run for the same seed', async () => {
    const once = () => runCluster({ seed: 8, nodes: 3, placement: 'spread', programs: [{ node: 'n2', path: guest('cluster/fork_spread.elf'), args: [] }] });
    const [a, b] = [await once(), await once()];
    expect(b.trace_hash).toBe(a.trace_hash);
    expect(b.processes).toEqual(a.processes);
  });

  it('ends a crashed node\'s child by SIGKILL for its parent elsewhere; nothing else stops', async () => {
    const r = await runCluster({
      seed: 5, nodes: 3, placement: 'spread', faults: parseFaultScript('at 500ms crash n2', ['n1', 'n2', 'n3']),
      programs: [{ node: 'n1', path: guest('cluster/crash_wait.elf'), args: [] }, { node: 'n3', path: guest('cluster/sig_target.elf'), args: [] }],
    });
    expect(r.end).toBe('ended');
    const parent = r.processes.find((p) => p.node === 'n1')!;
    const child = r.processes.find((p) => p.node === 'n2')!;
    expect(child).toMatchObject({ ppid: parent.pid, state: 'killed', signal: 'SIGKILL', reason: 'node n2 crashed' });
    expect(parent.stdout).toContain('waitpid = the child, killed by signal 9');
    expect(parent.exit_code).toBe(0);
    // n3's program ran on to its own end (no signal came: status 1), untouched by n2's crash.
    expect(r.processes.find((p) => p.node === 'n3')).toMatchObject({ state: 'exited', exit_code: 1 });
  });

  it('fences a child cut off with its node: its parent sees it killed, and it is killed there once the node is back', async () => {
    const r = await runCluster({
      seed: 5, nodes: 3, placement: 'spread', max_virtual_ns: 30e9,
      faults: parseFaultScript('at 500ms partition n1,n3|n2\nat 4s heal', ['n1', 'n2', 'n3']),
      programs: [{ node: 'n1', path: guest('cluster/crash_wait.elf'), args: [] }],
    });
    // The child sleeps for ever: without the fence the run would last until its bound.
    expect(r.end).toBe('ended');
    expect(r.virtual_ns).toBeLessThan(5e9);
    const parent = r.processes.find((p) => p.node === 'n1')!;
    const child = r.processes.find((p) => p.ppid === parent.pid)!;
    expect(child.node).toBe('n2');
    expect(parent.stdout).toContain('waitpid = the child, killed by signal 9');
    expect(child).toMatchObject({ state: 'killed', signal: 'SIGKILL' });
  });

  it('gives an orphan whose parent\'s node crashed to the cluster\'s first process on another node, which reaps it', async () => {
    const r = await runCluster({
      seed: 2, nodes: 3, placement: 'spread', faults: parseFaultScript('at 500ms crash n2', ['n1', 'n2', 'n3']),
      programs: [{ node: 'n1', path: guest('cluster/orphan.elf'), args: ['init'] }, { node: 'n2', path: guest('cluster/orphan.elf'), args: ['parent'] }],
    });
    expect(r.end).toBe('ended');
    const init = r.processes.find((p) => p.node === 'n1' && p.ppid === 0)!;
    const parent = r.processes.find((p) => p.node === 'n2' && p.ppid === 0)!;
    const child = r.processes.find((p) => p.ppid === parent.pid)!;
    expect(parent).toMatchObject({ state: 'killed', signal: 'SIGKILL' });
    expect(child.node).toBe('n3');
    // The child, on a third node, becomes the child of n1's first process: a stand-in there, its end reaped there.
    expect(child.stdout).toBe(`child: parent ${parent.pid}\nchild: new parent ${init.pid}\n`);
    expect(child).toMatchObject({ state: 'exited', exit_code: 7 });
    expect(init.stdout).toContain(`init: reaped ${child.pid}, exited 7`);
    expect(init.exit_code).toBe(0);
  });

  it('leaves an orphan with no parent when the cluster\'s first process went down with its parent', async () => {
    const r = await runCluster({
      seed: 1, nodes: 3, placement: 'spread', faults: parseFaultScript('at 500ms crash n2', ['n1', 'n2', 'n3']),
      programs: [{ node: 'n1', path: guest('cluster/orphan.elf'), args: ['init'] }, { node: 'n2', path: guest('cluster/orphan.elf'), args: ['parent'] }],
    });
    const parent = r.processes.find((p) => p.node === 'n2' && p.ppid === 0)!;
    const child = r.processes.find((p) => p.ppid === parent.pid)!;
    expect(child.stdout).toBe(`child: parent ${parent.pid}\nchild: new parent 0\n`);
  });

  for (const [where, node] of [['another node, busy', 'n1'], ['its own node', 'n2']] as const) {
    it(`spawns a program on a named node, on the placed one, and refuses a node the cluster lacks (parent on ${where})`, async () => {
      // spawn takes its path in the global namespace: the program is put there first.
      const r = await runCluster({
        seed: 2, nodes: 3, placement: 'spread', fs: namespaceWith({ '/guest/bin/echo.elf': readFileSync(guest('bin/echo.elf')) }),
        programs: [{ node, path: guest('cluster/spawn_nodes.elf'), args: [] }, { node: 'n2', path: guest('examples/compute.elf'), args: ['1'] }],
      });
      expect(r.end).toBe('ended');
      const parent = r.processes.find((p) => p.node === node && p.program.endsWith('spawn_nodes.elf'))!;
      expect(parent.stdout).toBe([
        'spawn on n2: reaped the child, exit 0', 'spawn on (placed): reaped the child, exit 0', 'spawn on n9: No route to host',
        'spawn of a missing program: ENOENT', '',
      ].join('\n'));
      expect(parent.exit_code).toBe(0);
      const kids = r.processes.filter((p) => p.ppid === parent.pid);
      expect(kids.map((k) => [k.node, k.program, k.stdout])).toContainEqual(['n2', 'guest/bin/echo.elf', 'hello from a spawned child\n']);
      expect(kids).toHaveLength(2);
    });
  }

  // Programs written for one machine, run under spread: the same lines and status as alone.
  for (const name of [
    'tests/fork_tree.elf', 'tests/fork_cow.elf', 'tests/proc_pipeline.elf', 'tests/mq_fork.elf', 'tests/mmap_anon.elf', 'tests/libc_posix.elf',
    'tests/pgid.elf', 'tests/waitid_errs.elf', 'cluster/pgid_far.elf',
  ]) {
    it(`runs ${name} under spread as on one machine`, async () => {
      const one = (await alone(guest(name))).split('\n').sort();
      const r = await runCluster({ seed: 3, nodes: 3, placement: 'spread', programs: [{ node: 'n1', path: guest(name), args: [] }] });
      expect(r.end).toBe('ended');
      expect(r.processes.find((p) => p.ppid === 0)).toMatchObject({ state: 'exited', exit_code: 0 });
      expect(outputOf(r).split('\n').sort()).toEqual(one);
    });
  }
});

