// The translator: the RV32IM basic blocks reachable from one entry inside one 4 KiB code page become one Wasm
// function over the machine's shared memory. Registers live in locals (loaded on entry, the written ones
// stored back at the exit); the blocks are chained by a loop around a br_table on the block id (forward
// edges branch straight to the later block), so a loop stays in Wasm until its budget ends. Code is position-independent: the function takes the page's virtual
// address, so one translation serves every mapping of the physical page.
// Exits (the interpreter then runs the instruction at H_PC): the budget cannot cover the next block, a load
// or store is misaligned (it always misses the TLB: the tag keeps the alignment bits) or faults (a miss is
// filled by the kernel's slow path, called from the translated code),
// an instruction it leaves out (SYSTEM, MISC-MEM, AMO, anything illegal), a jump out of the region, a store to
// the code's own page (the caller revalidates the code at the next entry). instret stays exact: each block
// takes its length from the budget on entry and gives back what an exit inside it did not run.
import { Bytes, I32, I64, OP, VOID, moduleBytes } from './wasm.js';
import { ACC_READ, ACC_WRITE, H_PC, H_TLB_HITS, TLB_TABLE_BYTES } from '../layout.js';

/** Why translated code returned (the module's "why" global); indexes JitStats.exits. */
export const WHY = { budget: 0, tlb_miss: 1, untranslated: 2, leave: 3, code_store: 4, trap: 5 } as const;
export type ExitReason = keyof typeof WHY;
export const EXIT_REASONS = Object.keys(WHY) as ExitReason[];

/** Most blocks in one region; a target beyond it is an exit. */
export const REGION_BLOCKS_MAX = 256;
const PAGE = 4096;

// Parameters and locals of the function.
const P_H = 0, P_TR = 1, P_TW = 2, P_MASK = 3, P_ASID = 4, P_VPAGE = 5, P_BUDGET = 6;
const PARAMS = 7;
const reg = (r: number): number => PARAMS - 1 + r; // x1..x31 -> locals 7..37
const L_LEFT = 38, L_NPC = 39, L_BLK = 40, L_HITS = 41, L_VA = 42, L_E = 43, L_A = 44;
const LOCALS_I32 = L_A - PARAMS + 1;

const rd = (i: number): number => (i >>> 7) & 31;
const rs1 = (i: number): number => (i >>> 15) & 31;
const rs2 = (i: number): number => (i >>> 20) & 31;
const f3 = (i: number): number => (i >>> 12) & 7;
const f7 = (i: number): number => i >>> 25;
const immI = (i: number): number => i >> 20;
const immS = (i: number): number => ((i >> 25) << 5) | ((i >>> 7) & 31);
const immB = (i: number): number => ((i >> 31) << 12) | ((i << 4) & 0x800) | ((i >>> 20) & 0x7e0) | ((i >>> 7) & 0x1e);
const immJ = (i: number): number => ((i >> 31) << 20) | (i & 0xff000) | ((i >>> 9) & 0x800) | ((i >>> 20) & 0x7fe);

type Kind = 'plain' | 'branch' | 'jal' | 'jalr' | 'out';

/** What the translator does with instruction i at page offset off. */
function kindOf(i: number, off: number): Kind {
  switch (i & 0x7f) {
    case 0x13: {
      const f = f3(i);
      if (f === 1) return f7(i) === 0 ? 'plain' : 'out';
      if (f === 5) return f7(i) === 0 || f7(i) === 0x20 ? 'plain' : 'out';
      return 'plain';
    }
    case 0x33: {
      const s = f7(i), f = f3(i);
      return s === 0 || s === 1 || (s === 0x20 && (f === 0 || f === 5)) ? 'plain' : 'out';
    }
    case 0x37: case 0x17: return 'plain';
    case 0x03: return f3(i) === 3 || f3(i) > 5 ? 'out' : 'plain';
    case 0x23: return f3(i) > 2 ? 'out' : 'plain';
    case 0x63: return f3(i) === 2 || f3(i) === 3 || ((off + immB(i)) & 3) !== 0 ? 'out' : 'branch';
    case 0x6f: return ((off + immJ(i)) & 3) !== 0 ? 'out' : 'jal';
    case 0x67: return f3(i) === 0 ? 'jalr' : 'out';
  }
  return 'out';
}

const inPage = (off: number): boolean => off >= 0 && off < PAGE;

/** A block: instructions [start, end) of the page, then how it ends. */
interface Block {
  readonly start: number;
  readonly end: number;
  /** 'fall': into the block at end; 'out': exit at end (an instruction left out, or the page's end). */
  readonly last: 'branch' | 'jal' | 'jalr' | 'fall' | 'out';
}

/** The blocks reachable from entry (page offsets), the entry's first. Empty when the entry is left out. */
export function findBlocks(code: Uint32Array, entry: number): Block[] {
  const leaders = new Set<number>([entry]);
  const work = [entry];
  const add = (off: number): void => {
    if (!inPage(off) || leaders.has(off) || leaders.size >= REGION_BLOCKS_MAX) return;
    leaders.add(off);
    work.push(off);
  };
  while (work.length > 0) {
    let off = work.pop()!;
    while (off < PAGE) {
      const i = code[off >>> 2]! | 0;
      const k = kindOf(i, off);
      if (k === 'out' || k === 'jalr') break;
      if (k === 'branch') { add(off + immB(i)); add(off + 4); break; }
      if (k === 'jal') { add(off + immJ(i)); break; }
      off += 4;
    }
  }
  const starts = [...leaders].sort((a, b) => a - b);
  const blocks: Block[] = [];
  for (const s of starts) {
    let off = s;
    let last: Block['last'] = 'out';
    while (off < PAGE) {
      if (off !== s && leaders.has(off)) { last = 'fall'; break; }
      const k = kindOf(code[off >>> 2]! | 0, off);
      if (k === 'out') break;
      if (k !== 'plain') { last = k; off += 4; break; }
      off += 4;
    }
    blocks.push({ start: s, end: off, last });
  }
  const e = blocks.findIndex((b) => b.start === entry);
  const first = blocks.splice(e, 1)[0]!;
  if (first.end === first.start) return [];
  return [first, ...blocks];
}

/** A translated region's module bytes and the code ranges it was built from (checked before each entry). */
export interface Translation {
  readonly bytes: Uint8Array<ArrayBuffer>;
  readonly blocks: readonly Block[];
}

/** Code generation for one region: the function body, tracking the label depth of the chain. */
class Gen {
  readonly b = new Bytes();
  /** Labels opened inside the current block's code (ifs). */
  private inner = 0;
  private index = 0;
  readonly used = new Set<number>();
  readonly written = new Set<number>();

  constructor(private readonly blocks: readonly Block[], private readonly codeHost: number, private readonly ids: ReadonlyMap<number, number>) {}

  private op(o: number): Bytes { return this.b.byte(o); }
  private get(l: number): void { this.b.byte(OP.local_get).u32(l); }
  private set(l: number): void { this.b.byte(OP.local_set).u32(l); }
  private c(v: number): void { this.b.byte(OP.i32_const).s32(v | 0); }
  private mem(o: number, align: number, offset: number): void { this.b.byte(o).u32(align).u32(offset); }
  private r(x: number): void {
    if (x === 0) { this.c(0); return; }
    this.used.add(x);
    this.get(reg(x));
  }
  /** Store the value on the stack in register x (dropped for x0). */
  private w(x: number): void {
    if (x === 0) { this.op(OP.drop); return; }
    this.written.add(x);
    this.set(reg(x));
  }
  private depthTop(): number { return this.blocks.length - 1 - this.index + this.inner; }
  private depthExit(): number { return this.depthTop() + 1; }
  private openIf(type: number = VOID): void { this.b.byte(OP.if).byte(type); this.inner++; }
  private close(): void { this.op(OP.end); this.inner--; }
  /** A virtual pc: the page's address plus off. */
  private vpc(off: number): void { this.get(P_VPAGE); this.c(off); this.op(OP.i32_add); }

  /** Leave with pc on the stack already set into L_NPC by the caller; give back `refund` instructions. */
  private leave(refund: number, why: number): void {
    if (refund > 0) { this.get(L_LEFT); this.c(refund); this.op(OP.i32_add); this.set(L_LEFT); }
    this.c(why);
    this.b.byte(OP.global_set).u32(0);
    this.b.byte(OP.br).u32(this.depthExit());
  }
  private exitAt(off: number, refund: number, why: number): void {
    this.vpc(off);
    this.set(L_NPC);
    this.leave(refund, why);
  }
  /** Continue at page offset off: the block there, or an exit. */
  private goto(off: number): void {
    const id = this.ids.get(off);
    if (id === undefined) { this.exitAt(off, 0, WHY.leave); return; }
    // A later block is a direct branch: the end of label id is where its code starts. An earlier one (a
    // loop's back edge) goes round the loop and through the br_table.
    if (id > this.index) { this.b.byte(OP.br).u32(this.inner + id - this.index - 1); return; }
    this.c(id);
    this.set(L_BLK);
    this.b.byte(OP.br).u32(this.depthTop());
  }

  body(): Bytes {
    const n = this.blocks.length;
    // The prologue reads the registers: written after the blocks are generated, so keep the code aside.
    const main = this.b;
    this.get(P_BUDGET); this.set(L_LEFT);
    this.c(0); this.set(L_BLK);
    this.b.byte(OP.block).byte(VOID); // the exit
    this.b.byte(OP.loop).byte(VOID);
    for (let k = 0; k < n; k++) this.b.byte(OP.block).byte(VOID);
    this.get(L_BLK);
    this.b.byte(OP.br_table).u32(n);
    for (let k = 0; k < n; k++) this.b.u32(k);
    this.b.u32(0);
    for (this.index = 0; this.index < n; this.index++) {
      this.op(OP.end);
      this.block(this.blocks[this.index]!);
    }
    this.op(OP.end); // loop
    this.op(OP.end); // exit
    for (const x of [...this.written].sort((a, b) => a - b)) {
      this.get(P_H); this.get(reg(x)); this.mem(OP.i32_store, 2, x * 4);
    }
    this.get(P_H); this.get(L_NPC); this.mem(OP.i32_store, 2, H_PC);
    this.get(P_H); this.get(P_H); this.mem(OP.i64_load, 3, H_TLB_HITS);
    this.get(L_HITS); this.op(OP.i64_extend_i32_u); this.op(OP.i64_add); this.mem(OP.i64_store, 3, H_TLB_HITS);
    this.get(P_BUDGET); this.get(L_LEFT); this.op(OP.i32_sub);
    const pro = new Bytes();
    for (const x of [...this.used, ...this.written].filter((x, k, all) => all.indexOf(x) === k).sort((a, b) => a - b)) {
      pro.byte(OP.local_get).u32(P_H).byte(OP.i32_load).u32(2).u32(x * 4).byte(OP.local_set).u32(reg(x));
    }
    return pro.bytes(main.out());
  }

  private block(bl: Block): void {
    const len = (bl.end - bl.start) >>> 2;
    if (len > 0) {
      this.get(L_LEFT); this.c(len); this.op(OP.i32_lt_u);
      this.openIf();
      this.exitAt(bl.start, 0, WHY.budget);
      this.close();
      this.get(L_LEFT); this.c(len); this.op(OP.i32_sub); this.set(L_LEFT);
    }
    for (let off = bl.start; off < bl.end; off += 4) {
      const j = (off - bl.start) >>> 2;
      this.insn(this.code(off), off, len - j);
    }
    if (bl.last === 'fall') this.goto(bl.end);
    else if (bl.last === 'out') this.exitAt(bl.end, 0, bl.end >= PAGE ? WHY.leave : WHY.untranslated);
  }

  private code(off: number): number { return this.codeWords[off >>> 2]! | 0; }
  codeWords: Uint32Array = new Uint32Array(0);

  /** One instruction; `rest` counts it and those after it in its block (what an exit before it gives back). */
  private insn(i: number, off: number, rest: number): void {
    switch (i & 0x7f) {
      case 0x13: return this.opImm(i);
      case 0x33: return this.opReg(i);
      case 0x37: this.c(i & 0xfffff000); this.w(rd(i)); return;
      case 0x17: this.vpc((off + (i & 0xfffff000)) | 0); this.w(rd(i)); return;
      case 0x03: return this.load(i, off, rest);
      case 0x23: return this.store(i, off, rest);
      case 0x63: return this.branch(i, off);
      case 0x6f: {
        const t = off + immJ(i);
        if (rd(i) !== 0) { this.vpc(off + 4); this.w(rd(i)); }
        this.goto(t);
        return;
      }
      case 0x67: {
        this.r(rs1(i)); this.c(immI(i)); this.op(OP.i32_add); this.c(~1); this.op(OP.i32_and); this.set(L_VA);
        this.get(L_VA); this.c(3); this.op(OP.i32_and);
        this.openIf();
        this.exitAt(off, rest, WHY.trap);
        this.close();
        if (rd(i) !== 0) { this.vpc(off + 4); this.w(rd(i)); }
        this.get(L_VA); this.set(L_NPC);
        this.leave(0, WHY.leave);
        return;
      }
    }
    throw new Error(`translator: instruction 0x${(i >>> 0).toString(16)} was not meant to be translated`);
  }

  private opImm(i: number): void {
    const imm = immI(i);
    this.r(rs1(i));
    switch (f3(i)) {
      case 0: this.c(imm); this.op(OP.i32_add); break;
      case 2: this.c(imm); this.op(OP.i32_lt_s); break;
      case 3: this.c(imm); this.op(OP.i32_lt_u); break;
      case 4: this.c(imm); this.op(OP.i32_xor); break;
      case 6: this.c(imm); this.op(OP.i32_or); break;
      case 7: this.c(imm); this.op(OP.i32_and); break;
      case 1: this.c(imm & 31); this.op(OP.i32_shl); break;
      default: this.c(imm & 31); this.op(f7(i) === 0 ? OP.i32_shr_u : OP.i32_shr_s);
    }
    this.w(rd(i));
  }

  private opReg(i: number): void {
    const a = rs1(i), b = rs2(i), f = f3(i);
    if (f7(i) === 1) { this.mulDiv(f, a, b); this.w(rd(i)); return; }
    this.r(a); this.r(b);
    if (f7(i) === 0x20) this.op(f === 0 ? OP.i32_sub : OP.i32_shr_s);
    else this.op([OP.i32_add, OP.i32_shl, OP.i32_lt_s, OP.i32_lt_u, OP.i32_xor, OP.i32_shr_u, OP.i32_or, OP.i32_and][f]!);
    this.w(rd(i));
  }

  /** The M extension with RISC-V's results for division by zero and overflow (Wasm would trap). */
  private mulDiv(f: number, a: number, b: number): void {
    const high = (sa: boolean, sb: boolean): void => {
      this.r(a); this.op(sa ? OP.i64_extend_i32_s : OP.i64_extend_i32_u);
      this.r(b); this.op(sb ? OP.i64_extend_i32_s : OP.i64_extend_i32_u);
      this.op(OP.i64_mul); this.b.byte(OP.i64_const).s32(32); this.op(OP.i64_shr_u); this.op(OP.i32_wrap_i64);
    };
    switch (f) {
      case 0: this.r(a); this.r(b); this.op(OP.i32_mul); return;
      case 1: return high(true, true);
      case 2: return high(true, false);
      case 3: return high(false, false);
    }
    // b == 0 ? (div: -1, rem: a) : signed overflow ? (div: a, rem: 0) : a op b
    this.r(b); this.op(OP.i32_eqz);
    this.openIf(I32);
    if (f === 4 || f === 5) this.c(-1); else this.r(a);
    this.op(OP.else);
    if (f === 4) {
      this.r(a); this.c(0x80000000); this.op(OP.i32_eq); this.r(b); this.c(-1); this.op(OP.i32_eq); this.op(OP.i32_and);
      this.openIf(I32);
      this.r(a);
      this.op(OP.else);
      this.r(a); this.r(b); this.op(OP.i32_div_s);
      this.close();
    } else {
      this.r(a); this.r(b);
      this.op(f === 5 ? OP.i32_div_u : f === 6 ? OP.i32_rem_s : OP.i32_rem_u); // rem_s of INT_MIN by -1 is 0 in Wasm
    }
    this.close();
  }

  /**
   * The host address of the access, on the stack: way 0 of TLB table `table` inline; on a miss of an aligned
   * access the kernel's slow path (jitTlbFill, imported) without leaving; a misaligned access, or a fill that
   * faults, exits before the instruction (the interpreter then does it, and raises the fault).
   */
  private probe(table: number, access: number, va: () => void, mask: number, off: number, rest: number): void {
    va(); this.set(L_VA);
    this.get(table); this.get(L_VA); this.c(8); this.op(OP.i32_shr_u); this.get(P_MASK); this.op(OP.i32_and); this.op(OP.i32_add);
    this.b.byte(OP.local_tee).u32(L_E);
    this.mem(OP.i32_load, 2, 0);
    this.get(L_VA); this.c(0xfffff000 | mask); this.op(OP.i32_and); this.get(P_ASID); this.op(OP.i32_or);
    this.op(OP.i32_ne);
    this.openIf();
    if (mask !== 0) {
      this.get(L_VA); this.c(mask); this.op(OP.i32_and);
      this.openIf();
      this.exitAt(off, rest, WHY.tlb_miss);
      this.close();
    }
    this.get(P_H); this.get(table); this.c(-access * TLB_TABLE_BYTES); this.op(OP.i32_add); this.get(L_VA); this.c(access);
    this.b.byte(OP.call).u32(0);
    this.b.byte(OP.local_tee).u32(L_A);
    this.op(OP.i32_eqz);
    this.openIf();
    this.exitAt(off, rest, WHY.tlb_miss);
    this.close();
    this.op(OP.else);
    this.get(L_HITS); this.c(1); this.op(OP.i32_add); this.set(L_HITS);
    this.get(L_E); this.mem(OP.i32_load, 2, 4); this.get(L_VA); this.op(OP.i32_add); this.set(L_A);
    this.close();
    this.get(L_A);
  }

  private load(i: number, off: number, rest: number): void {
    const f = f3(i);
    const size = f & 3;
    this.probe(P_TR, ACC_READ, () => { this.r(rs1(i)); this.c(immI(i)); this.op(OP.i32_add); }, (1 << size) - 1, off, rest);
    const ops = [OP.i32_load8_s, OP.i32_load16_s, OP.i32_load, 0, OP.i32_load8_u, OP.i32_load16_u];
    this.mem(ops[f]!, 0, 0);
    this.w(rd(i));
  }

  private store(i: number, off: number, rest: number): void {
    const f = f3(i);
    this.probe(P_TW, ACC_WRITE, () => { this.r(rs1(i)); this.c(immS(i)); this.op(OP.i32_add); }, (1 << f) - 1, off, rest);
    this.r(rs2(i));
    this.mem([OP.i32_store8, OP.i32_store16, OP.i32_store][f]!, 0, 0);
    // A store into this code's own page: leave after it; the next entry compares the code again.
    this.get(L_A); this.c(~0xfff); this.op(OP.i32_and); this.c(this.codeHost); this.op(OP.i32_eq);
    this.openIf();
    this.exitAt(off + 4, rest - 1, WHY.code_store);
    this.close();
  }

  private branch(i: number, off: number): void {
    this.r(rs1(i)); this.r(rs2(i));
    this.op([OP.i32_eq, OP.i32_ne, 0, 0, OP.i32_lt_s, OP.i32_ge_s, OP.i32_lt_u, OP.i32_ge_u][f3(i)]!);
    this.openIf();
    this.goto(off + immB(i));
    this.close();
    this.goto(off + 4);
  }
}

/**
 * Translate the region entered at page offset `entry` of the code page at host address codeHost (words:
 * that page). null when the entry's first instruction is one the translator leaves out.
 */
export function translate(code: Uint32Array, codeHost: number, entry: number, pages: number): Translation | null {
  const blocks = findBlocks(code, entry);
  if (blocks.length === 0) return null;
  const ids = new Map(blocks.map((b, k) => [b.start, k]));
  const g = new Gen(blocks, codeHost, ids);
  g.codeWords = code;
  const body = g.body();
  return { bytes: moduleBytes(pages, PARAMS, [[LOCALS_I32, I32], [0, I64]].filter(([n]) => n! > 0) as [number, number][], body), blocks };
}
