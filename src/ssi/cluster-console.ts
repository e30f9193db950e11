// The console of whoever started a cluster run: every guest's standard output and error, cut into lines and
// tagged with the node and pid that wrote them, in virtual-time order; and the book of every process the run
// had (pid, parent, node, program, how it ended, its output). Bounds: OUTPUT_BYTES_MAX kept per process and
// stream (the rest is counted, not kept); PROCESSES_MAX processes in the book.
import { SIGNAL_NUMBER, type RunResult } from '../machine/index.js';
import type { MachineObserver } from './machine-service.js';
import type { ProcessEnd } from './process-watch.js';

export const OUTPUT_BYTES_MAX = 1 << 20;
export const PROCESSES_MAX = 1 << 16;

export type ProcessState = 'running' | 'exited' | 'killed';

export interface ProcessRecord {
  readonly pid: number;
  readonly ppid: number;
  /** Where it runs (or ran last): a migration moves it. */
  node: string;
  /** The nodes it moved to, in order (empty: it never moved). */
  readonly moves: string[];
  program: string;
  state: ProcessState;
  /** The exit status (exited), or the signal's name and number (killed). */
  exit_code: number | null;
  signal: string | null;
  signal_number: number | null;
  /** Why it was killed, when the machine or the cluster knows (a fault, a crashed node). */
  reason: string | null;
  stdout: string;
  stderr: string;
  /** Output bytes beyond OUTPUT_BYTES_MAX that were dropped. */
  dropped_bytes: number;
}

/** One line of guest output as the console shows it. */
export interface ConsoleLine {
  readonly node: string;
  readonly pid: number;
  readonly fd: 1 | 2;
  readonly text: string;
}

export class ClusterConsole implements MachineObserver {
  private readonly book = new Map<string, ProcessRecord>();
  private readonly partial = new Map<string, string>();
  private readonly decoder = new TextDecoder();
  /** Machines with no process left, by node. */
  readonly idleNodes = new Set<string>();

  constructor(
    private readonly onLine: (line: ConsoleLine) => void = () => {},
    private readonly onLog: (node: string, line: string) => void = () => {},
  ) {}

  get processes(): ProcessRecord[] {
    return [...this.book.values()];
  }

  record(node: string, pid: number): ProcessRecord | undefined {
    return this.book.get(`${node}/${pid}`);
  }

  started(node: string, pid: number, ppid: number, program: string): void {
    if (this.book.size >= PROCESSES_MAX) return;
    this.idleNodes.delete(node);
    this.book.set(`${node}/${pid}`, {
      pid, ppid, node, moves: [], program, state: 'running', exit_code: null, signal: null, signal_number: null, reason: null, stdout: '', stderr: '', dropped_bytes: 0,
    });
  }

  ended(node: string, end: ProcessEnd): void {
    this.endedAs(node, end.pid, endFields(end.result));
  }

  /** A process ended as another host reported it (a real node's `end` line). */
  endedAs(node: string, pid: number, result: ProcessEndFields): void {
    const r = this.book.get(`${node}/${pid}`);
    if (r === undefined || r.state !== 'running') return;
    this.flush(node, pid);
    Object.assign(r, result);
  }

  /** Process pid moved from node `from` to `to`: its record (and its output from now on) follows it. */
  moved(from: string, to: string, pid: number): void {
    const r = this.book.get(`${from}/${pid}`);
    if (r === undefined) return;
    this.flush(from, pid);
    r.node = to;
    r.moves.push(to);
    // Re-keyed in place: the report lists processes in the order they started, moved or not.
    const entries = [...this.book].map(([k, v]): [string, ProcessRecord] => (v === r ? [`${to}/${pid}`, r] : [k, v]));
    this.book.clear();
    for (const [k, v] of entries) this.book.set(k, v);
    this.idleNodes.delete(to);
  }

  /** A node crashed: every process still running on it is gone, as if killed by SIGKILL. */
  nodeCrashed(node: string): void {
    for (const r of this.book.values()) if (r.node === node && r.state === 'running') this.gone(r, `node ${node} crashed`);
    this.idleNodes.add(node);
  }

  /** Process pid, which the cluster places on node, is gone without an end there (why): as if killed by SIGKILL. */
  lost(node: string, pid: number, why: string): void {
    const r = this.book.get(`${node}/${pid}`);
    if (r !== undefined && r.state === 'running') this.gone(r, why);
  }

  private gone(r: ProcessRecord, why: string): void {
    this.flush(r.node, r.pid);
    r.state = 'killed';
    r.signal = 'SIGKILL';
    r.signal_number = SIGNAL_NUMBER.SIGKILL;
    r.reason = why;
  }

  idle(node: string): void {
    this.idleNodes.add(node);
  }

  log(node: string, line: string): void {
    this.onLog(node, line);
  }

  write(node: string, pid: number, fd: 1 | 2, bytes: Uint8Array): void {
    const r = this.book.get(`${node}/${pid}`);
    const text = this.decoder.decode(bytes);
    if (r !== undefined) {
      const kept = fd === 1 ? r.stdout : r.stderr;
      const room = Math.max(0, OUTPUT_BYTES_MAX - kept.length);
      const take = text.length <= room ? text : text.slice(0, room);
      r.dropped_bytes += text.length - take.length;
      if (fd === 1) r.stdout += take;
      else r.stderr += take;
    }
    const key = `${node}/${pid}/${fd}`;
    const lines = ((this.partial.get(key) ?? '') + text).split('\n');
    const rest = lines.pop()!;
    for (const line of lines) this.onLine({ node, pid, fd, text: line });
    if (rest === '') this.partial.delete(key);
    else this.partial.set(key, rest);
  }

  /** Show what is left of every unfinished line (the run is over). */
  flushAll(): void {
    for (const key of [...this.partial.keys()]) {
      const [node, pid] = key.split('/');
      this.flush(node!, Number(pid));
    }
  }

  private flush(node: string, pid: number): void {
    for (const fd of [1, 2] as const) {
      const key = `${node}/${pid}/${fd}`;
      const rest = this.partial.get(key);
      if (rest === undefined) continue;
      this.partial.delete(key);
      this.onLine({ node, pid, fd, text: rest });
    }
  }
}

/** How a process ended, as the book keeps it (a run bound that stopped it leaves it running). */
export type ProcessEndFields = Pick<ProcessRecord, 'state' | 'exit_code' | 'signal' | 'signal_number' | 'reason'>;

export function endFields(res: RunResult): ProcessEndFields {
  if (res.kind === 'exit') return { state: 'exited', exit_code: res.code, signal: null, signal_number: null, reason: null };
  if (res.kind === 'limit') return { state: 'running', exit_code: null, signal: null, signal_number: null, reason: null };
  const reason = res.kind === 'killed' ? res.reason : `${res.fault} at 0x${(res.address >>> 0).toString(16).padStart(8, '0')}, pc 0x${(res.pc >>> 0).toString(16).padStart(8, '0')}`;
  return { state: 'killed', exit_code: null, signal: res.signal, signal_number: SIGNAL_NUMBER[res.signal], reason };
}
