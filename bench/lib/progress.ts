// Where the runner's progress goes on a terminal or a log. Not a terminal (a file, a pipe, CI): every line
// as it comes, plain, no escape codes at all. A terminal: one line redrawn in place (the run's status and
// the latest step), with the lines that say how a suite ended kept above it.
import type { ProgressKind } from './types.js';

/** The part of a stream the sink needs (process.stderr, or a test double). */
export interface ProgressStream {
  write(text: string): unknown;
  readonly isTTY?: boolean;
  readonly columns?: number;
}

export interface ProgressSink {
  /** A progress line; on a terminal, 'done' lines stay, 'info' lines replace each other. */
  line(text: string, kind?: ProgressKind): void;
  /** The run's status (suite, elapsed, time left); drawn on a terminal only (the lines carry the ETA too). */
  status(text: string): void;
  /** Clear the updating line (a terminal); call before the final output. */
  close(): void;
}

const CLEAR_LINE = '\r\u001b[2K';
const COLUMNS_DEFAULT = 80;

export function progressSink(stream: ProgressStream, quiet = false): ProgressSink {
  if (quiet) return { line: () => {}, status: () => {}, close: () => {} };
  if (stream.isTTY !== true) {
    return { line: (text) => { stream.write(`${text}\n`); }, status: () => {}, close: () => {} };
  }
  let state = '', latest = '', drawn = false;
  const draw = (): void => {
    const columns = stream.columns !== undefined && stream.columns > 0 ? stream.columns : COLUMNS_DEFAULT;
    const width = Math.max(20, columns - 1);
    const text = [state, latest.trim()].filter((s) => s !== '').join('  ');
    stream.write(`${CLEAR_LINE}${text.length > width ? `${text.slice(0, width - 1)}…` : text}`);
    drawn = true;
  };
  return {
    line(text, kind = 'info') {
      if (kind === 'done') {
        stream.write(`${CLEAR_LINE}${text}\n`);
        drawn = false;
        latest = '';
        state = ''; // the suite it described has ended
        return;
      }
      latest = text;
      draw();
    },
    status(text) {
      state = text;
      draw();
    },
    close() {
      if (drawn) stream.write(CLEAR_LINE);
      drawn = false;
    },
  };
}
