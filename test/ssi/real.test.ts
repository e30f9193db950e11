// procs on three real nodes in this process over TCP on loopback, started from the default registry the way
// `atoll node` starts it, with a service beside it on each node that reaches it in-process.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RealNode, type NodeContext, type NodeService } from '../../src/cluster/index.js';
import { freeLoopbackPort } from '../../src/net/tcp/index.js';
import { SERVICES, parseClusterConfig } from '../../src/services/index.js';
import { LeaseKeeper, procsOf, type LookupAnswer, type ProcsService, type SsiOutcome } from '../../src/ssi/index.js';
import { until } from '../helpers/until.js';

const IDS = ['n1', 'n2', 'n3'];
const nodes: RealNode[] = [];
const keepers = new Map<string, LeaseKeeper>();

class Forker implements NodeService {
  private keeper: LeaseKeeper | undefined;
  start(ctx: NodeContext): void {
    const procs = procsOf(ctx);
    if (!procs) throw new Error('no procs service beside the forker');
    this.keeper = new LeaseKeeper({ source: procs, timers: ctx, lease_count: 32 });
    keepers.set(ctx.id, this.keeper);
    this.keeper.start();
  }
  onMessage(): void {}
  stop(): void {
    this.keeper?.stop();
  }
}

beforeAll(async () => {
  const ports = await Promise.all(IDS.map(() => freeLoopbackPort()));
  const config = parseClusterConfig({
    key: randomBytes(32).toString('hex'),
    nodes: IDS.map((id, i) => ({ id, host: '127.0.0.1', port: ports[i] })),
    services: { procs: { tick_ms: 10, call_timeout_ms: 3000 } },
  }, '/');
  for (const id of IDS) {
    const procsFactory = SERVICES['procs']!;
    nodes.push(new RealNode({
      config, id, seed: 1, log: () => {},
      clock: { physical_ns: () => Date.now() * 1e6, monotonic_ns: () => Number(process.hrtime.bigint()) },
      services: { procs: () => procsFactory(config.services['procs'] as Record<string, unknown>), forker: () => new Forker() },
    }));
  }
  await Promise.all(nodes.map((n) => n.start()));
});

afterAll(async () => {
  await Promise.all(nodes.map((n) => n.stop()));
});

describe('procs on real nodes over TCP', () => {
  it('stocks every node with disjoint PIDs and answers a lookup from another node', async () => {
    await until('every node holding a current and a spare range', () => IDS.every((id) => keepers.get(id)?.held().length === 2), 15_000);
    const ranges = IDS.flatMap((id) => keepers.get(id)!.held().map((r) => ({ id, ...r }))).sort((a, b) => a.next - b.next);
    for (let i = 1; i < ranges.length; i++) expect(ranges[i]!.next).toBeGreaterThanOrEqual(ranges[i - 1]!.end);
    const pid = keepers.get('n2')!.take()!;
    const procs = (i: number): ProcsService => nodes[i]!.services.get('procs') as ProcsService;
    let placed: SsiOutcome<unknown> | undefined;
    procs(1).place({ pid, ppid: 0, pgid: pid, sid: pid, program: 'init' }, (r) => { placed = r; });
    await until('the place', () => placed !== undefined);
    expect(placed).toEqual({ ok: true, value: { pid, node: 'n2' } });
    let seen: SsiOutcome<LookupAnswer> | undefined;
    procs(2).lookup(pid, (r) => { seen = r; });
    await until('the lookup', () => seen !== undefined);
    expect(seen).toMatchObject({ ok: true, value: { pid, lease_node: 'n2', entry: { node: 'n2', program: 'init', state: 'running' } } });
  });

  it('checks its options from the config with one clear error', () => {
    expect(() => SERVICES['procs']!({ lanes: 0 })).toThrow('procs option lanes must be a number in [1, 64]');
    expect(() => SERVICES['procs']!({ voters: [] })).toThrow('procs option voters must be a non-empty list of node ids');
  });
});
