// IPC endpoints with cluster-wide names: a server on one node, a client on another that finds it by name and
// calls it through the RPC layer (deadline, retries, at most once); the errors a guest can act on; a deadline
// that withdraws a request no server took; the robot swarm as guest programs over a lossy, duplicating network
// with robots cut off and returning: every command applied once, all telemetry once and in order.
import { describe, expect, it } from 'vitest';
import { runCluster, type ClusterRunOptions } from '../../src/ssi/index.js';
import { parseFaultScript } from '../../src/net/index.js';
import { layout } from '../../src/machine/index.js';

const guest = (name: string): string => new URL(`../../guest/${name}`, import.meta.url).pathname;
const out = (r: Awaited<ReturnType<typeof runCluster>>, node: string): string => r.processes.filter((p) => p.node === node).map((p) => p.stdout).join('');

describe('cluster-wide IPC endpoints', () => {
  it('keeps the id spaces apart: local ids and tokens never carry IPC_REMOTE / IPC_TOKEN_HOST', () => {
    expect(2 ** (layout.IPC_GEN_BITS + layout.IPC_SLOT_BITS)).toBeLessThanOrEqual(layout.IPC_REMOTE);
    expect(2 ** (layout.IPC_TOKEN_TID_BITS + layout.IPC_TOKEN_SLOT_BITS)).toBeLessThanOrEqual(layout.IPC_TOKEN_HOST);
    expect(layout.IPC_HOST_SLOTS).toBeLessThanOrEqual(2 ** layout.IPC_TOKEN_SLOT_BITS);
  });

  for (const link of [{}, { loss: 0.1, duplicate: 0.1 }]) {
    it(`a client on n2 calls a server on n1 by name, once per call (${JSON.stringify(link)})`, async () => {
      const executed = new Map<string, number>();
      const opts: ClusterRunOptions = {
        seed: 4, nodes: 3, link,
        programs: [{ node: 'n1', path: guest('cluster/ipc_counter.elf'), args: ['ctr1'] }, { node: 'n2', path: guest('cluster/ipc_caller.elf'), args: ['ctr1', '5'] }],
        onRpcExecute: (node, cid, seq, method, idempotent) => {
          if (!idempotent) executed.set(`${node} ${cid} ${seq} ${method}`, (executed.get(`${node} ${cid} ${seq} ${method}`) ?? 0) + 1);
        },
      };
      const r = await runCluster(opts);
      expect(r.end).toBe('ended');
      expect(out(r, 'n2')).toBe([
        'client: found ctr1', 'client: inc -> 1', 'client: inc -> 2', 'client: inc -> 3', 'client: inc -> 4', 'client: inc -> 5',
        'client: oversize request -90 (EMSGSIZE -90)', 'client: bad request pointer -14 (EFAULT -14)',
        'client: unknown name -2 (ENOENT -2)', 'client: bad endpoint -9 (EBADF -9)',
        'client: register a name taken elsewhere -98 (EADDRINUSE -98)', 'client: quit -> bye', '',
      ].join('\n'));
      expect(out(r, 'n1')).toBe('server: ctr1 registered\nserver: served 6 requests, counter 5\n');
      const calls = [...executed].filter(([k]) => k.endsWith(' ipc.call'));
      expect(calls.length).toBe(6);
      expect(calls.every(([, n]) => n === 1)).toBe(true);
      const again = await runCluster(opts);
      expect(again.trace_hash).toBe(r.trace_hash);
      expect(again.processes.map((p) => p.stdout)).toEqual(r.processes.map((p) => p.stdout));
    });
  }

  it('withdraws a request no server took by its deadline (-ETIMEDOUT), and a server ending without a reply gives -EPIPE', async () => {
    const r = await runCluster({
      seed: 2, nodes: 2,
      programs: [{ node: 'n1', path: guest('cluster/ipc_late.elf'), args: ['late', '300'] }, { node: 'n2', path: guest('cluster/ipc_caller.elf'), args: ['late', '1', 'late'] }],
    });
    expect(out(r, 'n2')).toBe('client: found late\nclient: first with a 100 ms timeout -110 (ETIMEDOUT -110)\nclient: die -32 (EPIPE -32)\n');
    // "first" never reached the server: it was withdrawn at its deadline.
    expect(out(r, 'n1')).toBe('late: received die\n');
    expect(r.processes.find((p) => p.node === 'n1')!.exit_code).toBe(3);
  });

  it('a name is free again once its holder has ended', async () => {
    const r = await runCluster({
      seed: 5, nodes: 3,
      programs: [
        { node: 'n1', path: guest('cluster/ipc_counter.elf'), args: ['ctr2'] },
        { node: 'n2', path: guest('cluster/ipc_caller.elf'), args: ['ctr2', '1'] },
      ],
    });
    expect(out(r, 'n2')).toContain('client: quit -> bye');
    // The same programs with the roles' nodes swapped in one run: the second server takes the name after the first ended.
    const swapped = await runCluster({
      seed: 5, nodes: 3,
      programs: [
        { node: 'n3', path: guest('cluster/ipc_counter.elf'), args: ['ctr2'] },
        { node: 'n1', path: guest('cluster/ipc_caller.elf'), args: ['ctr2', '2'] },
      ],
    });
    expect(out(swapped, 'n1')).toContain('client: inc -> 2');
  });
});

describe('names of a crashed node', () => {
  it('are free again once the node comes back (its earlier boot is ended in the directory)', async () => {
    const r = await runCluster({
      seed: 3, nodes: 3, max_virtual_ns: 2e9,
      faults: parseFaultScript('at 200ms crash n2\nat 300ms restart n2\n'),
      programs: [{ node: 'n2', path: guest('cluster/ipc_counter.elf'), args: ['ctr3'] }, { node: 'n3', path: guest('cluster/ipc_counter.elf'), args: ['ctr3', '800'] }],
    });
    expect(out(r, 'n2')).toBe('server: ctr3 registered\n');
    expect(out(r, 'n3')).toBe('server: ctr3 registered\n');
  });
});

describe('the robot swarm as guest programs', () => {
  const faults = parseFaultScript('at 300ms isolate n3\nat 900ms rejoin n3\nat 1200ms isolate n2\nat 1500ms rejoin n2\n');
  const swarm = (seed: number): ClusterRunOptions => ({
    seed, nodes: 4, link: { loss: 0.05, duplicate: 0.05 }, faults,
    programs: [
      { node: 'n1', path: guest('cluster/swarm_coord.elf'), args: ['3', '20', '200'] },
      { node: 'n2', path: guest('cluster/swarm_robot.elf'), args: ['1', '200'] },
      { node: 'n3', path: guest('cluster/swarm_robot.elf'), args: ['2', '200'] },
      { node: 'n4', path: guest('cluster/swarm_robot.elf'), args: ['3', '200'] },
    ],
  });

  it('applies every command exactly once and delivers all telemetry in order while robots drop off and return', async () => {
    const executed = new Map<string, number>();
    const r = await runCluster({ ...swarm(3), onRpcExecute: (node, cid, seq, method, idempotent) => {
      if (!idempotent) executed.set(`${node} ${cid} ${seq} ${method}`, (executed.get(`${node} ${cid} ${seq} ${method}`) ?? 0) + 1);
    } });
    expect(r.end).toBe('ended');
    const coord = out(r, 'n1');
    expect(coord).toContain('swarm: 60 of 60 commands acknowledged, 0 failed; speeds equal acknowledged commands: yes; telemetry once and in order: yes');
    expect(coord).toContain('telemetry: received 600 of 600, out of order or repeated 0');
    for (const [node, robot] of [['n2', 1], ['n3', 2], ['n4', 3]] as const) {
      expect(out(r, node)).toBe(`robot ${robot}: speed 20, applied 20, duplicates 0, telemetry sent\n`);
    }
    expect(r.processes.every((p) => p.exit_code === 0)).toBe(true);
    expect([...executed.values()].every((n) => n === 1)).toBe(true);
    expect([...executed.keys()].filter((k) => k.endsWith(' ipc.call')).length).toBe(63);
    // The disconnections were long enough to be felt: the run took several seconds of virtual time.
    expect(r.virtual_ns).toBeGreaterThan(1.5e9);
  });

  it('is the same run for the same seed', async () => {
    const a = await runCluster(swarm(8));
    const b = await runCluster(swarm(8));
    expect(a.trace_hash).toBe(b.trace_hash);
    expect(a.processes.map((p) => [p.pid, p.stdout])).toEqual(b.processes.map((p) => [p.pid, p.stdout]));
    expect(out(a, 'n1')).toContain('speeds equal acknowledged commands: yes; telemetry once and in order: yes');
  });
});
