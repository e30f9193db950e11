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
});
