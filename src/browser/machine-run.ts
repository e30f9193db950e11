// One machine in the page: a guest program (its bytes) loaded as a process on a fresh machine of K harts, each
// hart in its own Web Worker over the machine's one shared memory (System.runThreaded). The guest's fds 1 and 2
// go to the caller's console, fd 0 reads what the console pushes; sample() reads the live counters from the
// shared memory while the harts run; stop() terminates the workers.
import { InputError } from '../base/index.js';
import { parseElf } from '../elf/index.js';
import { Vfs } from '../vfs/index.js';
import { PushInput, System, exitCodeOfAll, faultLine, layout, type GuestIO, type RunResult } from '../machine/index.js';
import { MemoryMount } from './memory-mount.js';

/** Guest RAM of a machine in the page: frames are handed out on demand, untouched RAM costs nothing. */
export const PAGE_RAM_BYTES = 256 * 1024 * 1024;

export interface MachineRunOptions {
  readonly program: Uint8Array;
  /** The program's name (its argv[0] and its path in the machine's root). */
  readonly name: string;
  readonly args: readonly string[];
  readonly harts: number;
  /** Files the guest sees in its root directory, besides itself (the other prebuilt guests). */
  readonly files?: ReadonlyMap<string, Uint8Array>;
  /** Guest output as it comes (fd 1 or 2), and kernel log lines. */
  readonly output: (fd: 1 | 2, text: string) => void;
  readonly log: (line: string) => void;
}

/** The counters a page shows while a machine runs (sums over the harts). */
export interface LiveStats {
  readonly instructions: number;
  readonly wall_ms: number;
  /** Instructions per microsecond since the previous sample (the whole run's for the first). */
  readonly mips: number;
  readonly tlb_hit_rate: number;
  readonly context_switches: number;
  readonly page_faults: number;
  readonly harts: number;
}

export interface MachineEnd {
  readonly exit_code: number;
  readonly results: readonly (RunResult | null)[];
  /** A line for a process killed by a signal (as `atoll run` prints on stderr), or null. */
  readonly fault: string | null;
  readonly stopped: boolean;
  readonly stats: LiveStats;
}

export class MachineRun {
  private readonly abort = new AbortController();
  private readonly t0: number;
  private last = { instructions: 0, at: 0 };
  readonly done: Promise<MachineEnd>;

  /** @param input what the guest's fd 0 reads: the console pushes lines into it. */
  private constructor(private readonly sys: System, readonly input: PushInput, opts: MachineRunOptions) {
    const decoders = { 1: new TextDecoder(), 2: new TextDecoder() };
    const io: GuestIO = {
      write: (fd, bytes) => { opts.output(fd, decoders[fd].decode(bytes, { stream: true })); return bytes.length; },
      isTerminal: () => false,
    };
    this.t0 = performance.now();
    this.last = { instructions: 0, at: this.t0 };
    this.done = sys.runThreaded(opts.log, io, this.abort.signal).then((r) => {
      const stopped = this.abort.signal.aborted;
      const results = r.results;
      const ended = results.map((x): RunResult => x ?? { kind: 'limit', instructions: 0n });
      const fault = ended.map((x) => faultLine(x)).find((l) => l !== null) ?? null;
      return { exit_code: exitCodeOfAll(ended), results, fault: stopped ? null : fault, stopped, stats: this.sample() };
    });
  }

  static async start(opts: MachineRunOptions): Promise<MachineRun> {
    if (!globalThis.crossOriginIsolated) throw new InputError('this page is not cross-origin isolated: SharedArrayBuffer needs COOP/COEP headers (serve it with `atoll serve`)');
    const image = parseElf(opts.program, { userEnd: layout.LOAD_END });
    const files = new Map(opts.files ?? []);
    files.set(opts.name, opts.program);
    const input = new PushInput();
    const sys = await System.create({ ram_bytes: PAGE_RAM_BYTES, harts: opts.harts, threaded: true, vfs: new Vfs(new MemoryMount(files)), stdin: input });
    sys.spawn(image, { argv: [opts.name, ...opts.args], envp: [], name: opts.name, seed: 1 });
    return new MachineRun(sys, input, opts);
  }

  /** The counters now (they move while the harts run). */
  sample(): LiveStats {
    const m = this.sys.machine;
    let instructions = 0, hits = 0, misses = 0, page_faults = 0;
    for (let h = 0; h < m.harts; h++) {
      const s = m.stats(h);
      instructions += Number(s.instructions);
      hits += Number(s.tlb.hits); misses += Number(s.tlb.misses);
      page_faults += Number(s.page_faults);
    }
    const now = performance.now();
    const dt = now - this.last.at;
    const mips = dt > 0 ? (instructions - this.last.instructions) / dt / 1000 : 0;
    this.last = { instructions, at: now };
    const context_switches = this.sys.stats().harts.reduce((a, h) => a + h.context_switches, 0);
    return { instructions, wall_ms: now - this.t0, mips, tlb_hit_rate: hits + misses > 0 ? hits / (hits + misses) : 1, context_switches, page_faults, harts: m.harts };
  }

  /** End the run now: every hart's worker is terminated. */
  stop(): void {
    this.abort.abort();
  }
}
