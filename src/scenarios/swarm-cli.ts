// `atoll scenario swarm`: flags, the human report and the --json report of the robot swarm.
import { createWriteStream } from 'node:fs';
import { flagBool, flagNumber, flagString, type ParsedArgs } from '../base/index.js';
import { UsageError } from '../base/index.js';
import { readFaultFile } from './fault-file.js';
import { runSwarm, swarmNodeIds, SWARM_ROBOTS_MAX, type SwarmReport } from './swarm.js';
import type { ScenarioEntry } from './types.js';

function human(r: SwarmReport): string {
  const lines: string[] = [];
  const yes = (b: boolean): string => (b ? 'yes' : 'NO');
  lines.push(`swarm: ${r.robots.length} robots, seed ${r.seed}, ${r.virtual_time_ms} ms of virtual time, ${r.events} events`);
  lines.push('');
  lines.push('robot  speed  acked  sent  applied  telemetry(sent/received)  dup  out-of-order  disconnects  ok');
  for (const x of r.robots) {
    lines.push(
      `${x.id.padEnd(6)} ${String(x.speed).padStart(5)}  ${String(x.commands_acked).padStart(5)}  ${String(x.commands_sent).padStart(4)}  ` +
      `${String(x.increments_applied).padStart(7)}  ${`${x.telemetry_sent}/${x.telemetry_received}`.padStart(24)}  ${String(x.telemetry_duplicates).padStart(3)}  ` +
      `${String(x.telemetry_out_of_order).padStart(12)}  ${String(x.disconnects).padStart(11)}  ${yes(x.ok)}`,
    );
  }
  lines.push('');
  lines.push(`speed equals commands acknowledged (none lost, none applied twice): ${yes(r.checks.speed_equals_acked)}`);
  lines.push(`every command acknowledged: ${yes(r.checks.every_command_acked)}`);
  lines.push(`telemetry delivered exactly once, in order per robot: ${yes(r.checks.telemetry_exactly_once_in_order)}`);
  const l = (s: SwarmReport['latency']['rpc']): string => `p50 ${s.p50_ms} ms, p90 ${s.p90_ms} ms, p99 ${s.p99_ms} ms, max ${s.max_ms} ms (${s.count} samples)`;
  lines.push(`rpc latency (issue to acknowledgement): ${l(r.latency.rpc)}`);
  lines.push(`telemetry latency (post to consumption): ${l(r.latency.telemetry)}`);
  const n = r.network;
  lines.push(`network: ${n['sent']} sent, ${n['delivered']} delivered, ${n['lost']} lost, ${n['duplicated']} duplicated, ${n['reordered']} reordered, ${n['partitioned']} cut by disconnects`);
  lines.push(`trace: ${r.trace_lines} lines, sha256 ${r.trace_hash}`);
  lines.push(r.passed ? 'PASS' : 'FAIL');
  return lines.join('\n') + '\n';
}

export const swarmScenario: ScenarioEntry = {
  summary: 'coordinator commands robots by RPC; robots stream telemetry to a queue; robots drop off and return',
  flags: {
    robots: { kind: 'integer', help: `number of robots (1..${SWARM_ROBOTS_MAX}, default 8)` },
    seed: { kind: 'integer', help: 'seed of the run (default 1)' },
    commands: { kind: 'integer', help: 'speed commands per robot (default 40)' },
    'duration-ms': { kind: 'integer', value: '<ms>', help: 'virtual ms of telemetry (default 2000)' },
    trace: { kind: 'string', value: '<file>', help: 'write the trace (JSON lines) to this file' },
    faults: { kind: 'string', value: '<file>', help: 'fault script file ("at 1s partition coord|hub,r01", see docs/cluster.md)' },
    nemesis: { kind: 'boolean', help: 'add a seeded nemesis: random halves, majorities ring, pause, clock skew' },
    json: { kind: 'boolean', help: 'print the report as one JSON object' },
  },
  async run(args: ParsedArgs, out: (text: string) => void): Promise<number> {
    const robots = flagNumber(args, 'robots') ?? 8;
    if (robots < 1 || robots > SWARM_ROBOTS_MAX) throw new UsageError(`--robots must be between 1 and ${SWARM_ROBOTS_MAX}, got ${robots}`);
    const commands = flagNumber(args, 'commands') ?? 40;
    if (commands < 0 || commands > 100_000) throw new UsageError(`--commands must be between 0 and 100000, got ${commands}`);
    const duration = flagNumber(args, 'duration-ms') ?? 2000;
    if (duration < 1 || duration > 600_000) throw new UsageError(`--duration-ms must be between 1 and 600000, got ${duration}`);
    const seed = flagNumber(args, 'seed') ?? 1;
    const faultsPath = flagString(args, 'faults');
    const faults = faultsPath ? readFaultFile(faultsPath, swarmNodeIds(robots)) : undefined;
    const tracePath = flagString(args, 'trace');
    const stream = tracePath ? createWriteStream(tracePath) : undefined;
    const report = runSwarm({
      robots, seed, commands, duration_ms: duration, nemesis: flagBool(args, 'nemesis'),
      ...(faults ? { faults } : {}),
      ...(stream ? { trace_sink: (line: string) => void stream.write(line + '\n') } : {}),
    });
    if (stream) await new Promise<void>((resolve, reject) => stream.end((err?: Error | null) => (err ? reject(err) : resolve())));
    out(flagBool(args, 'json') ? JSON.stringify(report) + '\n' : human(report));
    return report.passed ? 0 : 1;
  },
};
