// Guest RPC between real node processes over TCP: `atoll cluster run --real` with an IPC server on n1 and its
// client on n2, which finds it by its cluster-wide name and calls it; the robot swarm on four real nodes.
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const built = existsSync(`${root}/dist/src/cli/main.js`) && existsSync(`${root}/build/kernel.wasm`);
const atoll = (...args: string[]) => spawnSync(process.execPath, ['bin/atoll.js', 'cluster', 'run', '--real', '--json', ...args], { cwd: root, encoding: 'utf8', timeout: 90_000 });
type Run = { end: string; processes: { node: string; program: string; exit_code: number | null; stdout: string }[] };

describe.skipIf(!built)('guest RPC on real nodes', () => {
  it('a client on n2 calls a server on n1 by its cluster-wide name over TCP', () => {
    const r = atoll('--', 'n1:guest/cluster/ipc_counter.elf', 'ctr1', '--', 'n2:guest/cluster/ipc_caller.elf', 'ctr1', '4');
    const j = JSON.parse(r.stdout) as Run;
    expect(j.end).toBe('ended');
    const client = j.processes.find((p) => p.node === 'n2')!;
    expect(client.stdout).toContain('client: inc -> 1\nclient: inc -> 2\nclient: inc -> 3\nclient: inc -> 4\n');
    expect(client.stdout).toContain('client: register a name taken elsewhere -98 (EADDRINUSE -98)\nclient: quit -> bye\n');
    expect(j.processes.find((p) => p.node === 'n1')!.stdout).toBe('server: ctr1 registered\nserver: served 5 requests, counter 4\n');
    expect(r.status).toBe(0);
  });

  it('runs the robot swarm on four real nodes', () => {
    const r = atoll('--', 'n1:guest/cluster/swarm_coord.elf', '3', '10', '50', '--', 'n2:guest/cluster/swarm_robot.elf', '1', '50',
      '--', 'n3:guest/cluster/swarm_robot.elf', '2', '50', '--', 'n4:guest/cluster/swarm_robot.elf', '3', '50');
    const j = JSON.parse(r.stdout) as Run;
    expect(j.end).toBe('ended');
    const coord = j.processes.filter((p) => p.node === 'n1').map((p) => p.stdout).join('');
    expect(coord).toContain('swarm: 30 of 30 commands acknowledged, 0 failed; speeds equal acknowledged commands: yes; telemetry once and in order: yes');
    expect(r.status).toBe(0);
  });
});
