// A suite that cannot run on this host at all (the browser suite where no Chromium is installed) throws
// SuiteSkipped with the reason; the runner reports the suite as skipped, neither ran nor failed, and a full
// run goes on. Anything else a suite throws is a failure.

export class SuiteSkipped extends Error {
  override readonly name = 'SuiteSkipped';
}

/** Whether `err` is a SuiteSkipped (by name too: a suite module may carry its own copy of this class). */
export function isSuiteSkipped(err: unknown): err is SuiteSkipped {
  return err instanceof SuiteSkipped || (err instanceof Error && err.name === 'SuiteSkipped');
}
