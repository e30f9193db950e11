// Waiting in tests of real processes and sockets: poll a condition until it holds or a deadline passes.

/** Resolve once cond() holds; reject naming `what` after timeout_ms. */
export async function until(what: string, cond: () => boolean, timeout_ms = 10_000, poll_ms = 10): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > timeout_ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, poll_ms));
  }
}
