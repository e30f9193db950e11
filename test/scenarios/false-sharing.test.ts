// `atoll scenario false-sharing`: two counters in one page of a region shared by two nodes move the page back and
// forth and count slower than the same counters a page apart, which never move; every count is exact.
import { describe, expect, it } from 'vitest';
import { runFalseSharing, falseSharingText } from '../../src/scenarios/false-sharing.js';

describe('scenario false-sharing', () => {
  it('shows the page moving in the shared layout and not in the padded one, with exact counts', async () => {
    const r = await runFalseSharing({ n: 100_000, nodes: 2, seed: 3, mode: 'amo' });
    const [same, padded] = r.runs;
    expect(r.checks).toEqual({ counts_exact: true, padded_counters_stay: true, same_page_moves: true });
    expect(r.passed).toBe(true);
    expect([same!.x, same!.y, padded!.x, padded!.y]).toEqual([100_000, 100_000, 100_000, 100_000]);
    expect(same!.counter_pages_sent).toBeGreaterThanOrEqual(4);
    expect(padded!.counter_pages_sent).toBe(0);
    expect(same!.ownership_transfers).toBeGreaterThan(padded!.ownership_transfers);
    expect(r.ratio).toBeGreaterThan(1.5); // the moves cost network round trips of virtual time
    expect(falseSharingText(r)).toContain('padded / same: ');
  }, 60_000);

  it('is the same report for the same seed; three nodes and plain stores pass too', async () => {
    const a = await runFalseSharing({ n: 150_000, nodes: 3, seed: 5, mode: 'plain' });
    const b = await runFalseSharing({ n: 150_000, nodes: 3, seed: 5, mode: 'plain' });
    expect(b).toEqual(a);
    expect(a.passed).toBe(true);
  }, 60_000);
});
