// The host's monotonic clock in nanoseconds, as a hart's worker thread reads it for a cluster node's clock (in
// Node: process.hrtime). A threaded node's clock offset is taken against this same clock on the main thread.
// The browser bundle takes host-clock.browser.ts in its place.
import { hrtime } from 'node:process';

export function hostMonotonicNs(): number {
  return Number(hrtime.bigint());
}
