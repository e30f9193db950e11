// The hart translator's runtime, one per kernel instance (so per worker under --threaded): run() offers it
// the target of every taken backward branch or jump that stays in its page (jitEnter, when the hart's H_JIT
// is set). A target entered HOT_ENTRIES times is translated (translate.ts) into a module of its own, keyed
// by the host address of the target: physical, so remaps and ASIDs need nothing (the interpreter's fetch
// translation found the page), and the code is position-independent in the virtual page. Before each entry
// the region's instruction words are compared with memory: code written since (by any hart or by the
// region itself, which leaves after a store to its own page) drops the translation. Limits: REGIONS_MAX,
// HEAT_MAX. A target whose first instruction is left out is remembered as such (a null region) for good.
import type { JitEnter, KernelExports } from '../kernel.js';
import { EXIT_REASONS, translate, type ExitReason } from './translate.js';

export { translate, findBlocks, EXIT_REASONS, REGION_BLOCKS_MAX, type ExitReason } from './translate.js';

/** Entries of one target before it is translated. */
export const HOT_ENTRIES = 16;
/** Translations kept at once; when full, all are dropped (and retranslated as they get hot again). */
export const REGIONS_MAX = 4096;
/** Targets whose entries are counted at once; when full, the counts start again. */
export const HEAT_MAX = 4 * REGIONS_MAX;

/** The translator's own counters (wall-clock compile time included: it varies run to run). */
export interface JitStats {
  readonly regions: number;
  readonly compiled_bytes: number;
  readonly compile_ms: number;
  readonly invalidations: number;
  readonly entries: number;
  /** Instructions retired by translated code. */
  readonly instructions: number;
  readonly exits: Readonly<Record<ExitReason, number>>;
}

interface Region {
  readonly run: (h: number, tR: number, tW: number, mask: number, asid: number, vpage: number, budget: number) => number;
  readonly why: WebAssembly.Global;
  /** [start, end) word indexes (host / 4) of the code it was built from, flat, and a copy of those words. */
  readonly ranges: Uint32Array;
  readonly words: Uint32Array;
}

export class Jit {
  private readonly mem: Uint32Array;
  private readonly pages: number;
  private readonly regions = new Map<number, Region | null>();
  private readonly heat = new Map<number, number>();
  private regionsMade = 0;
  private bytes = 0;
  private compileMs = 0;
  private invalidations = 0;
  private entries = 0;
  private retired = 0;
  private readonly exits = new Float64Array(EXIT_REASONS.length);

  /** The kernel instance's jitTlbFill, imported by every region (set once the kernel is instantiated). */
  private fill: ((h: number, t: number, va: number, access: number) => number) | null = null;

  constructor(private readonly memory: WebAssembly.Memory) {
    this.mem = new Uint32Array(memory.buffer);
    this.pages = memory.buffer.byteLength / 65536;
  }

  /** Give the translator its kernel instance's TLB slow path (the raw Wasm export, so calls stay in Wasm). */
  attach(kernel: KernelExports): void {
    const f = kernel.jitTlbFill as KernelExports['jitTlbFill'] & { original?: KernelExports['jitTlbFill'] };
    this.fill = f.original ?? f;
  }

  /** The kernel's jitEnter import (assembly/hart.ts). */
  readonly enter: JitEnter = (h, tR, tW, setMask, asidTag, pc, host, budget) => {
    let r = this.regions.get(host);
    if (r === undefined) {
      const n = (this.heat.get(host) ?? 0) + 1;
      if (n < HOT_ENTRIES) {
        if (this.heat.size >= HEAT_MAX) this.heat.clear();
        this.heat.set(host, n);
        return 0;
      }
      this.heat.delete(host);
      if (this.regions.size >= REGIONS_MAX) this.regions.clear();
      r = this.compile(host);
      this.regions.set(host, r);
    }
    if (r === null) return 0;
    if (!this.current(r)) {
      this.regions.delete(host);
      this.invalidations++;
      return 0;
    }
    const k = r.run(h, tR, tW, setMask, asidTag, pc & ~0xfff, budget) >>> 0;
    this.entries++;
    this.retired += k;
    this.exits[r.why.value as number]! += 1;
    return k;
  };

  /** Count a worker's translator in (its counters at its end, under --threaded). */
  add(s: JitStats): void {
    this.regionsMade += s.regions;
    this.bytes += s.compiled_bytes;
    this.compileMs += s.compile_ms;
    this.invalidations += s.invalidations;
    this.entries += s.entries;
    this.retired += s.instructions;
    EXIT_REASONS.forEach((e, i) => { this.exits[i]! += s.exits[e]; });
  }

  stats(): JitStats {
    const exits = Object.fromEntries(EXIT_REASONS.map((e, i) => [e, this.exits[i]!])) as Record<ExitReason, number>;
    return {
      regions: this.regionsMade, compiled_bytes: this.bytes, compile_ms: this.compileMs, invalidations: this.invalidations,
      entries: this.entries, instructions: this.retired, exits,
    };
  }

  private current(r: Region): boolean {
    const mem = this.mem, words = r.words, ranges = r.ranges;
    let k = 0;
    for (let i = 0; i < ranges.length; i += 2) {
      const e = ranges[i + 1]!;
      for (let w = ranges[i]!; w < e; w++) if (mem[w] !== words[k++]) return false;
    }
    return true;
  }

  private compile(host: number): Region | null {
    const t0 = performance.now();
    const page = host & ~0xfff;
    const code = this.mem.subarray(page >>> 2, (page >>> 2) + 1024);
    const t = translate(code, page, host - page, this.pages);
    if (t === null) return null;
    if (this.fill === null) throw new Error('the translator was not attached to its kernel instance');
    const inst = new WebAssembly.Instance(new WebAssembly.Module(t.bytes), { env: { memory: this.memory, fill: this.fill } });
    const spans = t.blocks.filter((b) => b.end > b.start).map((b) => [(page + b.start) >>> 2, (page + b.end) >>> 2] as const);
    const ranges = new Uint32Array(spans.flat());
    const words = new Uint32Array(spans.reduce((n, [s, e]) => n + e - s, 0));
    let k = 0;
    for (const [s, e] of spans) for (let w = s; w < e; w++) words[k++] = this.mem[w]!;
    this.compileMs += performance.now() - t0;
    this.regionsMade++;
    this.bytes += t.bytes.length;
    return { run: inst.exports['run'] as Region['run'], why: inst.exports['why'] as WebAssembly.Global, ranges, words };
  }
}

/** A stats line for --stats. */
export function formatJitStats(s: JitStats): string {
  const exits = EXIT_REASONS.map((e) => `${e} ${s.exits[e]}`).join(', ');
  return `translator: ${s.regions} regions, ${s.compiled_bytes} bytes compiled in ${s.compile_ms.toFixed(1)} ms, ${s.invalidations} invalidations, ` +
    `${s.entries} entries retired ${s.instructions} instructions; exits: ${exits}`;
}
