// The browser's stand-in for host-clock.ts (the bundle takes it in its place): performance.now in nanoseconds.
// Its origin is the page's or the worker's own start, so it serves one context's intervals; a threaded cluster
// node, whose offset would be taken on the page's thread, does not run in a page.

export function hostMonotonicNs(): number {
  return performance.now() * 1e6;
}
