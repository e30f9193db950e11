// `atoll cluster run`: programs on the nodes of a simulated cluster (or real nodes with --real), each output line
// prefixed with node and pid, --json with every process, one clear line and status 2 for bad input.
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const built = existsSync(`${root}/dist/src/cli/main.js`) && existsSync(`${root}/build/kernel.wasm`);
const atoll = (...args: string[]) => spawnSync(process.execPath, ['bin/atoll.js', 'cluster', 'run', ...args], { cwd: root, encoding: 'utf8', timeout: 60_000 });

describe.skipIf(!built)('atoll cluster run', () => {
  it('prefixes each line with its node and pid and exits with the failing program\'s status', () => {
    const r = atoll('--nodes', '3', '--', 'n1:guest/bin/echo.elf', 'one', '--', 'n3:guest/tests/sigill.elf');
    expect(r.stdout).toMatch(/^n1 \d+\| one$/m);
    expect(r.stdout).toMatch(/^n3 \d+\| executing an illegal instruction$/m);
    expect(r.stderr).toMatch(/n3 \d+: guest\/tests\/sigill.elf killed by SIGILL/);
    expect(r.stderr).toMatch(/cluster: 3 nodes, 2 processes, all ended at [0-9.]+ s of virtual time; trace [0-9a-f]{16}/);
    expect(r.status).toBe(128 + 4);
  });

  it('--json prints one object, the same for the same seed', () => {
    const args = ['--json', '--seed', '4', '--', 'n1:guest/tests/fork_tree.elf', '--', 'n2:guest/bin/echo.elf', 'x'];
    const [a, b] = [atoll(...args), atoll(...args)];
    expect(a.status).toBe(0);
    expect(b.stdout).toBe(a.stdout);
    const j = JSON.parse(a.stdout) as { end: string; trace_hash: string; processes: { node: string; pid: number; ppid: number; state: string; stdout: string }[] };
    expect(j.end).toBe('ended');
    expect(j.trace_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(j.processes.find((p) => p.node === 'n2')).toMatchObject({ ppid: 0, state: 'exited', stdout: 'x\n' });
    const root = j.processes.find((p) => p.node === 'n1' && p.ppid === 0)!;
    expect(j.processes.filter((p) => p.node === 'n1' && p.ppid === root.pid).length).toBeGreaterThan(3);
  });

  it('--real runs the programs on real node processes over TCP', () => {
    const r = atoll('--real', '--json', '--', 'n1:guest/bin/echo.elf', 'over', 'tcp', '--', 'n2:guest/tests/exitcode.elf');
    const j = JSON.parse(r.stdout) as { end: string; trace_hash: null; processes: { node: string; program: string; state: string; exit_code: number; stdout: string }[] };
    expect(j.end).toBe('ended');
    expect(j.trace_hash).toBeNull();
    expect(j.processes.find((p) => p.node === 'n1')).toMatchObject({ program: 'guest/bin/echo.elf', state: 'exited', exit_code: 0, stdout: 'over tcp\n' });
    const n2 = j.processes.find((p) => p.node === 'n2')!;
    expect(n2.state).toBe('exited');
    expect(r.status).toBe(n2.exit_code);
  });

  it('--real --balance moves busy processes off the node they started on; each ends there with its output', () => {
    const prog = ['n1:guest/examples/compute.elf', '30'];
    const r = atoll('--real', '--json', '--balance', '--nodes', '3', '--', ...prog, '--', ...prog, '--', ...prog, '--', ...prog);
    const j = JSON.parse(r.stdout) as { end: string; processes: { node: string; state: string; exit_code: number; stdout: string }[] };
    expect(j.end).toBe('ended');
    expect(j.processes).toHaveLength(4);
    for (const p of j.processes) {
      expect(p).toMatchObject({ state: 'exited', exit_code: 0 });
      expect(p.stdout).toMatch(/round 29: .*\nchecksum [0-9a-f]{8}\n$/);
    }
    expect(new Set(j.processes.map((p) => p.stdout)).size).toBe(1);
    expect(j.processes.some((p) => p.node !== 'n1')).toBe(true);
  }, 60_000);

  it('--real runs each machine\'s harts on worker threads: a remote fork from a two-hart machine, as on one machine', () => {
    const r = atoll('--real', '--json', '--harts', '2', '--nodes', '3', '--place', 'spread', '--', 'n1:guest/cluster/fork_spread.elf');
    const j = JSON.parse(r.stdout) as { end: string; processes: { node: string; ppid: number; pid: number; stdout: string }[] };
    expect(j.end).toBe('ended');
    const parent = j.processes.find((p) => p.ppid === 0)!;
    expect(parent.stdout).toContain('all as on one machine');
    expect(new Set(j.processes.filter((p) => p.ppid === parent.pid).map((p) => p.node))).toEqual(new Set(['n2', 'n3']));
    const swarm = atoll('--real', '--stepped', '--json', '--', 'n1:guest/cluster/ipc_counter.elf', 'thr', '--', 'n2:guest/cluster/ipc_caller.elf', 'thr', '3');
    expect((JSON.parse(swarm.stdout) as { processes: { node: string; stdout: string }[] }).processes.find((p) => p.node === 'n2')!.stdout).toContain('client: inc -> 3\n');
  });

  it('--real shares the global namespace and its locks between nodes: libc_locks with its children elsewhere', () => {
    const r = atoll('--real', '--json', '--nodes', '3', '--place', 'spread', '--', 'n1:guest/tests/libc_locks.elf');
    const j = JSON.parse(r.stdout) as { end: string; processes: { node: string; ppid: number; stdout: string; exit_code: number }[] };
    expect(j.end).toBe('ended');
    const out = j.processes.map((p) => p.stdout).join('');
    expect(out).toContain('parent: F_SETLKW on 0..10 (the child waits for the parent): EDEADLK\n');
    expect(out).toContain('child: F_GETLK sees a write lock of 10 bytes at 0, held by the parent: yes\n');
    expect(out).toContain("child: flock LOCK_EX|LOCK_NB after the parent's close: ok\n");
    expect(new Set(j.processes.filter((p) => p.ppid !== 0).map((p) => p.node)).size).toBeGreaterThan(1);
    expect(j.processes.every((p) => p.exit_code === 0)).toBe(true);
  });

    it('refuses bad input with one line and status 2 (or 1 for a missing file)', () => {
    for (const [args, message, status] of [
      [['--', 'prog.elf'], "'prog.elf' does not name a node and a program", 2],
      [['--place', 'everywhere', '--', 'n1:guest/bin/echo.elf'], '--place everywhere: the policies are local, spread, least-loaded', 2],
      [['--link', 'loss=2', '--', 'n1:guest/bin/echo.elf'], "--link loss=2: '2' is not a probability", 2],
      [['--nodes', '1', '--', 'n2:guest/bin/echo.elf'], 'runs on n2, but the cluster has 1 node', 1],
      [['--', 'n1:missing.elf'], "cannot read 'missing.elf': no such file", 1],
    ] as const) {
      const r = atoll(...args);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toContain(message);
      expect(r.status).toBe(status);
    }
  });
});
