// The run trace: every recorded event becomes one JSON line, and a running SHA-256 over the lines gives
// the run's hash (same seed, same lines, same hash). Lines are JSON.stringify of records whose keys are
// always built in the same order by the code that records them, so the text is canonical for a given run.
// Bound: at most `keep_max_lines` lines are kept in memory (default 0: hash only); a sink sees every line.
import { createSha256, type Sha256 } from './sha256.js';

export type TraceValue = string | number | boolean | null | readonly TraceValue[] | { readonly [k: string]: TraceValue };

export interface TraceRecord {
  readonly t: number;
  readonly ev: string;
  readonly [field: string]: TraceValue | undefined;
}

export interface TraceOptions {
  /** Keep up to this many lines in memory for inspection (default 0). */
  readonly keep_max_lines?: number;
  /** Called with every line (without the newline), e.g. to stream the trace to a file. */
  readonly sink?: (line: string) => void;
}

export class Trace {
  private readonly hash: Sha256 = createSha256();
  private readonly kept: string[] = [];
  private readonly keepMax: number;
  private readonly sink: ((line: string) => void) | undefined;
  /** Lines not yet fed to the hash: batching cuts the per-line cost of the digest. */
  private unhashed = '';
  /** Lines recorded so far (kept or not). */
  count = 0;

  constructor(opts: TraceOptions = {}) {
    this.keepMax = opts.keep_max_lines ?? 0;
    this.sink = opts.sink;
  }

  write(record: TraceRecord): void {
    const line = JSON.stringify(record);
    this.unhashed += line + '\n';
    if (this.unhashed.length > 65_536) this.flush();
    this.count++;
    if (this.kept.length < this.keepMax) this.kept.push(line);
    if (this.sink) this.sink(line);
  }

  /** Hex SHA-256 of all lines so far ("line\n" each); recording may continue afterwards. */
  digest(): string {
    this.flush();
    return this.hash.hexDigest();
  }

  private flush(): void {
    if (this.unhashed.length === 0) return;
    this.hash.update(this.unhashed);
    this.unhashed = '';
  }

  /** The kept lines (at most keep_max_lines). */
  lines(): readonly string[] {
    return this.kept;
  }

  /** The kept lines parsed back into records. */
  records(): TraceRecord[] {
    return this.kept.map((l) => JSON.parse(l) as TraceRecord);
  }
}
