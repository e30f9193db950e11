// The robot swarm: a coordinator sends urgent "increment speed by 1" commands to every robot by RPC
// over a lossy, duplicating, reordering network, robots post telemetry to a queue on a hub at 1000
// messages per second each, and some robots drop off the network for a while and come back. The report
// checks that each robot's speed equals the commands acknowledged (none lost, none applied twice) and
// that every telemetry message reached the coordinator exactly once and in order per robot, with
// latency percentiles of both paths and the trace hash. Everything is decided by the seed.
import { SimCluster } from '../cluster/index.js';
import type { NodeContext, NodeService } from '../node/index.js';
import { MqBrokerService, MqConsumer, MqProducer, type Delivery } from '../mq/index.js';
import { RpcClient, RpcServer } from '../rpc/index.js';
import { applyFault, Nemesis, scheduleFaults, type ScheduledFault } from '../net/index.js';
import { ms } from '../sim/index.js';
import { summarizeNs, type LatencySummary } from './stats.js';

export interface SwarmOptions {
  readonly robots: number;
  readonly seed: number;
  /** Commands per robot (default 40). */
  readonly commands?: number;
  /** How long robots post telemetry, in virtual ms (default 2000). */
  readonly duration_ms?: number;
  /** Telemetry messages per second per robot (default 1000). */
  readonly telemetry_hz?: number;
  readonly loss?: number;
  readonly duplicate?: number;
  /** Receives every trace line (e.g. to write the trace to a file). */
  readonly trace_sink?: (line: string) => void;
  /** Extra faults at given times (node names: coord, hub, r01, r02, ...). */
  readonly faults?: readonly ScheduledFault[];
  /** Also run a seeded nemesis (halves, majorities ring, pause, clock skew) during the telemetry phase. */
  readonly nemesis?: boolean;
}

/** The node names of a swarm with n robots. */
export function swarmNodeIds(robots: number): string[] {
  return ['coord', 'hub', ...Array.from({ length: robots }, (_, i) => `r${String(i + 1).padStart(2, '0')}`)];
}

export const SWARM_ROBOTS_MAX = 1000;

export interface RobotReport {
  readonly id: string;
  readonly speed: number;
  readonly commands_sent: number;
  readonly commands_acked: number;
  readonly commands_failed: number;
  readonly increments_applied: number;
  readonly telemetry_sent: number;
  readonly telemetry_received: number;
  readonly telemetry_duplicates: number;
  readonly telemetry_out_of_order: number;
  readonly disconnects: number;
  readonly ok: boolean;
}

export interface SwarmReport {
  readonly scenario: 'swarm';
  readonly seed: number;
  readonly robots: readonly RobotReport[];
  readonly checks: {
    readonly speed_equals_acked: boolean;
    readonly every_command_acked: boolean;
    readonly telemetry_exactly_once_in_order: boolean;
    readonly passed: boolean;
  };
  readonly latency: { readonly rpc: LatencySummary; readonly telemetry: LatencySummary };
  readonly network: Readonly<Record<string, number>>;
  readonly virtual_time_ms: number;
  readonly events: number;
  readonly trace_lines: number;
  readonly trace_hash: string;
  /** Every check held (the same as checks.passed): the field every scenario report has at its top level. */
  readonly passed: boolean;
}

/** Measurements the harness takes in true (simulated) time; node code never sees it. */
interface Meter {
  now(): number;
  telemetrySent: Map<string, number[]>;
  telemetryLatency: number[];
  rpcLatency: number[];
}

class Robot implements NodeService {
  speed = 0;
  applied = 0;
  sent = 0;
  private producer: MqProducer | undefined;
  private rpc: RpcServer | undefined;

  constructor(private readonly meter: Meter, private readonly telemetry: { until_ns: number; period_ns: number }) {}

  start(ctx: NodeContext): void {
    this.rpc = new RpcServer(ctx);
    this.rpc.register('speed.incr', (args) => {
      const by = (args as { by?: unknown } | null)?.by;
      if (by !== 1) throw new Error('speed.incr takes {by: 1}');
      this.speed += by;
      this.applied++;
      return this.speed;
    });
    this.producer = new MqProducer(ctx, { broker: 'hub', queue: 'telemetry', window: 256, outbox_max: 20_000, rto_ns: ms(40) });
    const tick = (): void => {
      if (this.meter.now() >= this.telemetry.until_ns) return;
      const n = this.sent;
      if (this.producer!.send({ r: ctx.id, n, speed: this.speed }) === 'queued') {
        this.sent++;
        let times = this.meter.telemetrySent.get(ctx.id);
        if (!times) this.meter.telemetrySent.set(ctx.id, (times = []));
        times.push(this.meter.now());
      }
      ctx.setTimer(this.telemetry.period_ns, tick);
    };
    ctx.setTimer(ctx.rng.int(0, this.telemetry.period_ns), tick);
  }

  onMessage(from: string, msg: unknown): void {
    if (this.rpc?.handle(from, msg)) return;
    this.producer?.handle(from, msg);
  }

  stop(): void {
    this.producer?.close();
  }
}

class Coordinator implements NodeService {
  readonly acked = new Map<string, number>();
  readonly failed = new Map<string, number>();
  readonly issued = new Map<string, number>();
  readonly lastSeen = new Map<string, number>();
  readonly received = new Map<string, number>();
  readonly duplicates = new Map<string, number>();
  readonly outOfOrder = new Map<string, number>();
  private client: RpcClient | undefined;
  private consumer: MqConsumer | undefined;

  constructor(private readonly meter: Meter, private readonly robots: readonly string[], private readonly commands: number) {}

  start(ctx: NodeContext): void {
    this.client = new RpcClient(ctx, { service: 'robot' });
    this.consumer = new MqConsumer(ctx, {
      broker: 'hub', queue: 'telemetry', window: 4096, resubscribe_ns: ms(200),
      onMessage: (d) => this.telemetry(d),
    });
    this.consumer.start();
    this.robots.forEach((r, i) => {
      this.acked.set(r, 0);
      this.failed.set(r, 0);
      this.issued.set(r, 0);
      ctx.setTimer(ms(10) + i * ms(1), () => this.command(ctx, r));
    });
  }

  private command(ctx: NodeContext, robot: string): void {
    const k = this.issued.get(robot)!;
    if (k >= this.commands) return;
    this.issued.set(robot, k + 1);
    const t0 = this.meter.now();
    this.client!.call(robot, 'speed.incr', { by: 1 }, { deadline_ns: ms(30_000), retry_ns: ms(50) }, (o) => {
      if (o.ok) {
        this.acked.set(robot, this.acked.get(robot)! + 1);
        this.meter.rpcLatency.push(this.meter.now() - t0);
      } else {
        this.failed.set(robot, this.failed.get(robot)! + 1);
      }
    });
    ctx.setTimer(ms(40), () => this.command(ctx, robot));
  }

  private telemetry(d: Delivery): void {
    const b = d.body as { r?: unknown; n?: unknown };
    if (typeof b?.r !== 'string' || typeof b.n !== 'number') return;
    const r = b.r;
    const last = this.lastSeen.get(r) ?? -1;
    if (b.n <= last) this.duplicates.set(r, (this.duplicates.get(r) ?? 0) + 1);
    else {
      if (b.n !== last + 1) this.outOfOrder.set(r, (this.outOfOrder.get(r) ?? 0) + 1);
      this.lastSeen.set(r, b.n);
      this.received.set(r, (this.received.get(r) ?? 0) + 1);
      const sentAt = this.meter.telemetrySent.get(r)?.[b.n];
      if (sentAt !== undefined) this.meter.telemetryLatency.push(this.meter.now() - sentAt);
    }
    this.consumer!.ack(d.off);
  }

  onMessage(from: string, msg: unknown): void {
    if (this.client?.handle(from, msg)) return;
    this.consumer?.handle(from, msg);
  }

  stop(): void {
    this.client?.close();
    this.consumer?.close();
  }
}

export function runSwarm(opts: SwarmOptions): SwarmReport {
  if (!Number.isSafeInteger(opts.robots) || opts.robots < 1 || opts.robots > SWARM_ROBOTS_MAX) {
    throw new RangeError(`robots must be between 1 and ${SWARM_ROBOTS_MAX}, got ${opts.robots}`);
  }
  const commands = opts.commands ?? 40;
  const duration_ns = ms(opts.duration_ms ?? 2000);
  const period_ns = Math.round(1e9 / (opts.telemetry_hz ?? 1000));
  const robots = swarmNodeIds(opts.robots).slice(2);
  let cluster: SimCluster | undefined;
  const meter: Meter = { now: () => cluster!.sim.now_ns, telemetrySent: new Map(), telemetryLatency: [], rpcLatency: [] };
  const robotServices = new Map<string, Robot>();
  cluster = new SimCluster({
    seed: opts.seed,
    ...(opts.trace_sink ? { trace: { sink: opts.trace_sink } } : {}),
    link: {
      latency: { kind: 'lognormal', median_ns: ms(2), sigma: 0.6, min_ns: ms(0.5), max_ns: ms(80) },
      loss: opts.loss ?? 0.05, duplicate: opts.duplicate ?? 0.05, reorder: 0.02, reorder_window_ns: ms(10),
    },
    nodes: [
      { id: 'coord', services: { coordinator: () => new Coordinator(meter, robots, commands) } },
      { id: 'hub', services: { mq: () => new MqBrokerService({ capacity: 1_000_000, policy: 'block', redeliver_ns: ms(60) }) } },
      ...robots.map((id) => ({
        id,
        services: { robot: () => { const r = new Robot(meter, { until_ns: duration_ns, period_ns }); robotServices.set(id, r); return r; } },
      })),
    ],
  });
  const c = cluster;
  // Some robots (a quarter, at least one) drop off the network once or twice and come back.
  const chaos = c.sim.rng.split('swarm-disconnects');
  const disconnects = new Map<string, number>();
  for (const r of chaos.shuffle(robots).slice(0, Math.max(1, Math.ceil(robots.length / 4)))) {
    const times = chaos.int(1, 2);
    let at = ms(chaos.int(100, 400));
    for (let k = 0; k < times; k++) {
      const len = ms(chaos.int(150, 600));
      c.sim.at(at, () => applyFault(c, { kind: 'isolate', node: r }));
      c.sim.at(at + len, () => applyFault(c, { kind: 'rejoin', node: r }));
      disconnects.set(r, (disconnects.get(r) ?? 0) + 1);
      at += len + ms(chaos.int(100, 500));
    }
  }
  if (opts.faults) scheduleFaults(c, opts.faults);
  if (opts.nemesis) {
    new Nemesis(c, { rng: c.sim.rng.split('swarm-nemesis'), kinds: ['halves', 'ring', 'pause', 'skew'], interval_ns: ms(250), stop_ns: duration_ns });
  }
  const coordinator = (): Coordinator => c.service<Coordinator>('coord', 'coordinator')!;
  const done = (): boolean => {
    const co = coordinator();
    if (c.sim.now_ns < duration_ns) return false;
    for (const r of robots) {
      const settled = co.acked.get(r)! + co.failed.get(r)!;
      if (settled < commands) return false;
      if ((co.received.get(r) ?? 0) < (robotServices.get(r)?.sent ?? 0)) return false;
    }
    return true;
  };
  // Stop when everything settled, or at a hard bound of virtual time and steps.
  let finished = false;
  const check = (): void => {
    if (done()) { finished = true; return; }
    c.sim.after(ms(10), check);
  };
  c.sim.at(duration_ns, check);
  c.sim.run({ until_ns: duration_ns + ms(60_000), max_steps: 20_000_000, stop_when: () => finished });

  const co = coordinator();
  const reports: RobotReport[] = robots.map((id) => {
    const robot = robotServices.get(id)!;
    const acked = co.acked.get(id)!;
    const received = co.received.get(id) ?? 0;
    const dup = co.duplicates.get(id) ?? 0;
    const ooo = co.outOfOrder.get(id) ?? 0;
    return {
      id, speed: robot.speed, commands_sent: co.issued.get(id)!, commands_acked: acked,
      commands_failed: co.failed.get(id)!, increments_applied: robot.applied,
      telemetry_sent: robot.sent, telemetry_received: received, telemetry_duplicates: dup, telemetry_out_of_order: ooo,
      disconnects: disconnects.get(id) ?? 0,
      ok: robot.speed === acked && acked === commands && received === robot.sent && dup === 0 && ooo === 0,
    };
  });
  const speed_equals_acked = reports.every((r) => r.speed === r.commands_acked && r.increments_applied === r.speed);
  const every_command_acked = reports.every((r) => r.commands_acked === commands);
  const telemetry_exactly_once_in_order = reports.every((r) => r.telemetry_received === r.telemetry_sent && r.telemetry_duplicates === 0 && r.telemetry_out_of_order === 0);
  const passed = speed_equals_acked && every_command_acked && telemetry_exactly_once_in_order;
  return {
    scenario: 'swarm',
    seed: opts.seed,
    robots: reports,
    checks: { speed_equals_acked, every_command_acked, telemetry_exactly_once_in_order, passed },
    latency: { rpc: summarizeNs(meter.rpcLatency), telemetry: summarizeNs(meter.telemetryLatency) },
    network: { ...c.net.stats },
    virtual_time_ms: Math.round(c.sim.now_ns / 1e3) / 1e3,
    events: c.sim.steps_total,
    trace_lines: c.sim.trace.count,
    trace_hash: c.sim.trace.digest(),
    passed,
  };
}
