import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { runGeo } from '../../src/scenarios/geo.js';

describe('atoll scenario geo', () => {
  it('meets the goals: p99 under 15 ms everywhere, 100% local availability in the cut, no session violation, convergence', () => {
    const r = runGeo(1);
    expect(r.passed, JSON.stringify(r.checks)).toBe(true);
    for (const c of r.centres) {
      expect(c.reads.count).toBeGreaterThan(1000);
      expect(c.writes.count).toBeGreaterThan(500);
      expect(c.reads.p99_ms).toBeLessThan(15);
      expect(c.writes.p99_ms).toBeLessThan(15);
      expect(c.cut_requests).toBeGreaterThan(500);
      expect(c.cut_availability_pct).toBe(100);
    }
    expect(r.sessions).toEqual({ read_your_writes: 0, monotonic_reads: 0, monotonic_writes: 0, writes_follow_reads: 0 });
    // the WAN is felt only as staleness: behind by about a WAN trip before the cut, by up to the cut's length during it
    expect(r.staleness.before_cut.p50_ms).toBeGreaterThan(10);
    expect(r.staleness.before_cut.p50_ms).toBeLessThan(200);
    expect(r.staleness.during_cut.max_ms).toBeGreaterThan(500);
    expect(r.staleness.during_cut.max_ms).toBeLessThan(1200); // a write acknowledged just before the cut, read just before the heal
    expect(r.conflicts).toBeGreaterThan(0);
    expect(r.lost_writes).toBe(0);
    expect(r.converge_after_heal_ms).toBeGreaterThan(40);
    expect(r.converge_after_heal_ms).toBeLessThan(2000);
    expect(r.replicas_identical).toBe(true);
    expect(r.quorum_loss.failed).toBe(r.quorum_loss.requests);
    expect(r.quorum_loss.message).toMatch(/of 3 replicas of dc3 (acknowledged|answered) within 50 ms, 2 needed/);
    expect(r.centres[2]!.failed['no-local-quorum']).toBeGreaterThan(0);
    expect(r.centres[0]!.failed).toEqual({});
  });

  it('passes on other seeds', () => {
    for (const seed of [2, 3, 4]) expect(runGeo(seed).passed, `seed ${seed}`).toBe(true);
  });

  it('same seed, same report; another seed, another run', () => {
    const a = JSON.stringify(runGeo(5));
    expect(JSON.stringify(runGeo(5))).toBe(a);
    expect(JSON.stringify(runGeo(6))).not.toBe(a);
  });

  it('the CLI prints the report, as JSON with --json, and exits 0 when it passes', () => {
    const run = (...args: string[]): string => execFileSync(process.execPath, ['bin/atoll.js', 'scenario', 'geo', ...args], { encoding: 'utf8' });
    const j = JSON.parse(run('--seed', '1', '--json')) as { passed: boolean; trace_hash: string };
    expect(j.passed).toBe(true);
    expect(j.trace_hash).toBe(runGeo(1).trace_hash);
    const text = run('--seed', '1');
    expect(text).toMatch(/^centre {2}reads {2}p50 ms {2}p99 ms/m);
    expect(text).toMatch(/^dc1 .*\(100\.00%\)/m);
    expect(text).toMatch(/PASS\n$/);
  }, 60_000);
});
