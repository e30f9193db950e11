import { describe, expect, it } from 'vitest';
import { runSwarm } from '../../src/scenarios/swarm.js';

describe('swarm scenario', () => {
  it('applies every command exactly once and delivers all telemetry in order, reproducibly', () => {
    const a = runSwarm({ robots: 4, seed: 7, commands: 15, duration_ms: 600 });
    expect(a.checks).toEqual({ speed_equals_acked: true, every_command_acked: true, telemetry_exactly_once_in_order: true, passed: true });
    expect(a.robots.every((r) => r.speed === 15 && r.telemetry_sent > 500)).toBe(true);
    expect(a.robots.some((r) => r.disconnects > 0)).toBe(true);
    expect(a.network['lost']!).toBeGreaterThan(0);
    expect(a.network['duplicated']!).toBeGreaterThan(0);
    expect(a.latency.rpc.count).toBe(60);
    expect(JSON.stringify(runSwarm({ robots: 4, seed: 7, commands: 15, duration_ms: 600 }))).toBe(JSON.stringify(a));
    const b = runSwarm({ robots: 4, seed: 8, commands: 15, duration_ms: 600 });
    expect(b.trace_hash).not.toBe(a.trace_hash);
    expect(b.checks.passed).toBe(true);
  });

  it('keeps its guarantees under a seeded nemesis of partitions, pauses and clock skew', () => {
    const calm = runSwarm({ robots: 3, seed: 4, commands: 10, duration_ms: 800 });
    const faults: string[] = [];
    const stormy = runSwarm({ robots: 3, seed: 4, commands: 10, duration_ms: 800, nemesis: true, trace_sink: (l) => { if (l.includes('"ev":"fault"')) faults.push(l); } });
    expect(stormy.checks.passed).toBe(true);
    expect(stormy.trace_hash).not.toBe(calm.trace_hash);
    expect(faults.length).toBeGreaterThanOrEqual(3); // the isolations of the scenario plus the nemesis' own
    expect(faults.some((l) => /"kind":"(partition|ring|pause|skew)"/.test(l))).toBe(true);
  });

  it('applies a fault script; a robot crashed for good fails the checks', () => {
    const r = runSwarm({ robots: 3, seed: 4, commands: 10, duration_ms: 500, faults: [{ at_ns: 200e6, fault: { kind: 'crash', node: 'r02' } }] });
    expect(r.checks.passed).toBe(false);
    expect(r.robots.find((x) => x.id === 'r02')!.ok).toBe(false);
    expect(r.robots.filter((x) => x.ok).map((x) => x.id)).toEqual(['r01', 'r03']);
  });
});
