// The hart: an RV32IMA + Zicsr-counters interpreter in user mode. run(hart, budget) executes a batch in one
// call with pc, the remaining budget (which already includes the timer deadline) and the current fetch page
// in Wasm locals; it returns at the budget's end, at a trap (pc on the trapping instruction) or when the
// timer fires. Loads and stores probe way 0 of the TLB inline; everything rare goes through tlbSlow.
// LR/SC and AMOs use Wasm atomics on the shared memory so they stay atomic across threads.
import {
  hartBase, tlbBase, HART_BYTES, H_PC, H_SATP, H_RESV_ADDR, H_RESV_VA, H_RESV_VALID, H_RESV_VALUE, H_TICK_INSNS,
  H_INSTRET, H_MTIMECMP, H_TLB_SETS, H_TLB_HITS, H_TIMER_IRQS, H_JIT, TLB_TABLE_BYTES, E_TAG, E_ADDEND,
} from './blocks';
import { HARTS_MAX, RUN_BUDGET_MAX } from './limits';
import {
  OP_LOAD, OP_MISC_MEM, OP_IMM, OP_AUIPC, OP_STORE, OP_AMO, OP_OP, OP_LUI, OP_BRANCH, OP_JALR, OP_JAL, OP_SYSTEM,
  rdOf, rs1Of, rs2Of, f3Of, f7Of, immI, immS, immB, immJ,
} from './decode';
import {
  raise, ACC_READ, ACC_WRITE, ACC_FETCH, EXIT_BUDGET, EXIT_TRAP, EXIT_TIMER, CAUSE_ILLEGAL, CAUSE_BREAKPOINT,
  CAUSE_ECALL_U, CAUSE_FETCH_MISALIGNED, CAUSE_LOAD_MISALIGNED, CAUSE_STORE_MISALIGNED, CAUSE_TIMER_IRQ,
} from './trap';
import { tlbSlow, tlbConfigure, tlbFlush } from './tlb';
import { satpAsid, SATP_MODE_SV32 } from './mmu';
import { timerInsnsLeft, timerRetire, timerNow, TIMER_DISARMED } from './timer';

/**
 * The host's translator (src/machine/jit): run translated code for the loop at pc (host: its host address,
 * on the fetch page just used) for at most budget instructions. It returns how many it retired (0: none,
 * nothing changed); then it has written the registers, H_PC and its TLB hits to the hart block. Called only
 * when H_JIT is set, at taken backward branches and jumps, and at indirect jumps, that stay in their page
 * (the fetch page, so the fetch TLB hits counted stay those of the interpreter).
 */
// @ts-ignore: decorator
@external("env", "jitEnter")
declare function jitEnter(h: u32, tR: u32, tW: u32, setMask: u32, asidTag: u32, pc: u32, host: u32, budget: u32): u32;

/** Bit 32 of a slow load's result: the access faulted (cause and tval are in the hart block). */
const SLOW_FAULT: u64 = 0x1_0000_0000;

// @ts-ignore: decorator
@inline function rget(h: u32, r: u32): u32 { return load<u32>(h + (r << 2)); }
// @ts-ignore: decorator
@inline function rset(h: u32, r: u32, v: u32): void { store<u32>(h + (r << 2), v); }

/** Reset a hart: registers zero, timer disarmed, TLB empty with the given geometry. 0, or -1 on bad input. */
export function hartInit(hart: u32, tickInsns: u32, tlbEntries: u32, tlbWays: u32): i32 {
  if (hart >= HARTS_MAX || tickInsns == 0) return -1;
  const h = hartBase(hart);
  memory.fill(h, 0, HART_BYTES);
  store<u32>(h + H_TICK_INSNS, tickInsns);
  store<u64>(h + H_MTIMECMP, TIMER_DISARMED);
  return tlbConfigure(hart, tlbEntries, tlbWays);
}

/** Switch address space. ASID-tagged entries survive; a change of mode (bare <-> Sv32) flushes. */
export function hartSetSatp(hart: u32, satp: u32): void {
  const h = hartBase(hart);
  const old = load<u32>(h + H_SATP);
  store<u32>(h + H_SATP, satp);
  store<u32>(h + H_RESV_VALID, 0);
  if (((old ^ satp) & SATP_MODE_SV32) != 0) tlbFlush(hart, 0, 0, false, false);
}

/** A load of 1, 2 or 4 bytes off the fast path: misses, and misaligned accesses (each page checked). */
function loadSlow(h: u32, t: u32, va: u32, size: u32): u64 {
  const a = tlbSlow(h, t, va, ACC_READ);
  if (a == 0) return SLOW_FAULT;
  if ((va & (size - 1)) == 0) {
    return size == 4 ? load<u32>(a) as u64 : size == 2 ? load<u16>(a) as u64 : load<u8>(a) as u64;
  }
  const last = va + size - 1;
  let b = a + size - 1;
  if (((last ^ va) & 0xFFFF_F000) != 0) {
    b = tlbSlow(h, t, last, ACC_READ);
    if (b == 0) return SLOW_FAULT;
  }
  let v: u32 = 0;
  for (let i: u32 = 0; i < size; i++) {
    const x = va + i;
    const host = ((x ^ va) & 0xFFFF_F000) == 0 ? a + i : b - (last - x);
    v |= (load<u8>(host) as u32) << (i << 3);
  }
  return v as u64;
}

/** A store off the fast path; both pages of a straddling store are checked before any byte is written. */
function storeSlow(h: u32, t: u32, va: u32, size: u32, v: u32): bool {
  const a = tlbSlow(h, t, va, ACC_WRITE);
  if (a == 0) return false;
  if ((va & (size - 1)) == 0) {
    if (size == 4) store<u32>(a, v);
    else if (size == 2) store<u16>(a, v as u16);
    else store<u8>(a, v as u8);
    return true;
  }
  const last = va + size - 1;
  let b = a + size - 1;
  if (((last ^ va) & 0xFFFF_F000) != 0) {
    b = tlbSlow(h, t, last, ACC_WRITE);
    if (b == 0) return false;
  }
  for (let i: u32 = 0; i < size; i++) {
    const x = va + i;
    const host = ((x ^ va) & 0xFFFF_F000) == 0 ? a + i : b - (last - x);
    store<u8>(host, (v >>> (i << 3)) as u8);
  }
  return true;
}

/** Read a user counter CSR after `executed` instructions of this batch; -1 when not readable. */
function csrRead(h: u32, csr: u32, executed: u32): i64 {
  const instret = load<u64>(h + H_INSTRET) + (executed as u64);
  switch (csr) {
    case 0xC00: case 0xC02: return (instret & 0xFFFF_FFFF) as i64;
    case 0xC80: case 0xC82: return (instret >> 32) as i64;
    case 0xC01: return (timerNow(h, executed) & 0xFFFF_FFFF) as i64;
    case 0xC81: return (timerNow(h, executed) >> 32) as i64;
  }
  return -1;
}

/** An AMO other than LR/SC on host address a; the old value. funct5 was validated by the caller. */
function amo(a: u32, f5: u32, src: u32): u32 {
  switch (f5) {
    case 0x01: return atomic.xchg<u32>(a, src);
    case 0x00: return atomic.add<u32>(a, src);
    case 0x04: return atomic.xor<u32>(a, src);
    case 0x0C: return atomic.and<u32>(a, src);
    case 0x08: return atomic.or<u32>(a, src);
  }
  // min/max: a compare-and-swap loop (it ends: each failed CAS means another hart made progress).
  while (true) {
    const old = atomic.load<u32>(a);
    let pick: u32;
    if (f5 == 0x10) pick = (old as i32) < (src as i32) ? old : src;
    else if (f5 == 0x14) pick = (old as i32) > (src as i32) ? old : src;
    else if (f5 == 0x18) pick = old < src ? old : src;
    else pick = old > src ? old : src;
    if (atomic.cmpxchg<u32>(a, old, pick) == old) return old;
  }
  return 0;
}

function validAmo(f5: u32): bool {
  return f5 == 0x00 || f5 == 0x01 || f5 == 0x04 || f5 == 0x08 || f5 == 0x0C || f5 == 0x10 || f5 == 0x14 || f5 == 0x18 || f5 == 0x1C;
}

function divs(a: u32, b: u32): u32 {
  if (b == 0) return 0xFFFF_FFFF;
  if (a == 0x8000_0000 && b == 0xFFFF_FFFF) return a;
  return ((a as i32) / (b as i32)) as u32;
}
function rems(a: u32, b: u32): u32 {
  if (b == 0) return a;
  if (a == 0x8000_0000 && b == 0xFFFF_FFFF) return 0;
  return ((a as i32) % (b as i32)) as u32;
}

/**
 * Run hart for at most `budget` instructions. Returns EXIT_BUDGET, EXIT_TRAP (cause/tval in the block, pc
 * at the trapping instruction) or EXIT_TIMER (mtime reached mtimecmp; the timer stays pending until the
 * dispatcher re-arms it).
 */
export function run(hart: u32, budget: u32): u32 {
  if (hart >= HARTS_MAX) return EXIT_TRAP;
  const h = hartBase(hart);
  const t = tlbBase(hart);
  const tR = t + ACC_READ * TLB_TABLE_BYTES;
  const tW = t + ACC_WRITE * TLB_TABLE_BYTES;
  const tX = t + ACC_FETCH * TLB_TABLE_BYTES;
  const asidTag = satpAsid(load<u32>(h + H_SATP)) << 3;
  const setMask = (load<u32>(h + H_TLB_SETS) - 1) << 4;
  if (budget > RUN_BUDGET_MAX) budget = RUN_BUDGET_MAX;
  let limit = budget;
  let timerBound = false;
  const untilTimer = timerInsnsLeft(h);
  if (untilTimer <= (budget as u64)) { limit = untilTimer as u32; timerBound = true; }

  let n = limit as i32;
  let left: i32 = 0; // set on a trap: instructions not executed, the trapping one included
  let pc = load<u32>(h + H_PC);
  let fpage: u32 = 1; // never equal to a page address: the first fetch translates
  let fadd: u32 = 0;
  let hits: u32 = 0;

  while (n > 0) {
    n--;
    store<u32>(h, 0); // x0
    if ((pc & 0xFFFF_F000) != fpage) {
      const e = tX + ((pc >>> 8) & setMask);
      if (load<u32>(e, E_TAG) == ((pc & 0xFFFF_F000) | asidTag)) {
        fadd = load<u32>(e, E_ADDEND);
        hits++;
      } else {
        const a = tlbSlow(h, t, pc, ACC_FETCH);
        if (a == 0) { left = n + 1; n = 0; continue; }
        fadd = a - pc;
      }
      fpage = pc & 0xFFFF_F000;
    }
    const i = load<u32>(fadd + pc);
    let next = pc + 4;
    switch (i & 0x7F) {
      case OP_IMM: {
        const a = rget(h, rs1Of(i));
        const imm = immI(i);
        let v: u32;
        switch (f3Of(i)) {
          case 0: v = a + imm; break;
          case 2: v = (a as i32) < (imm as i32) ? 1 : 0; break;
          case 3: v = a < imm ? 1 : 0; break;
          case 4: v = a ^ imm; break;
          case 6: v = a | imm; break;
          case 7: v = a & imm; break;
          case 1:
            if (f7Of(i) != 0) { raise(h, CAUSE_ILLEGAL, i); left = n + 1; n = 0; next = pc; continue; }
            v = a << (imm & 31); break;
          default: {
            const f7 = f7Of(i);
            if (f7 == 0) v = a >>> (imm & 31);
            else if (f7 == 0x20) v = ((a as i32) >> (imm & 31)) as u32;
            else { raise(h, CAUSE_ILLEGAL, i); left = n + 1; n = 0; next = pc; continue; }
          }
        }
        rset(h, rdOf(i), v);
        break;
      }
      case OP_OP: {
        const a = rget(h, rs1Of(i));
        const b = rget(h, rs2Of(i));
        const f7 = f7Of(i);
        const f3 = f3Of(i);
        let v: u32;
        if (f7 == 0) {
          switch (f3) {
            case 0: v = a + b; break;
            case 1: v = a << (b & 31); break;
            case 2: v = (a as i32) < (b as i32) ? 1 : 0; break;
            case 3: v = a < b ? 1 : 0; break;
            case 4: v = a ^ b; break;
            case 5: v = a >>> (b & 31); break;
            case 6: v = a | b; break;
            default: v = a & b;
          }
        } else if (f7 == 1) {
          switch (f3) {
            case 0: v = a * b; break;
            case 1: v = (((a as i32 as i64) * (b as i32 as i64)) >> 32) as u32; break;
            case 2: v = (((a as i32 as i64) * (b as u64 as i64)) >> 32) as u32; break;
            case 3: v = (((a as u64) * (b as u64)) >> 32) as u32; break;
            case 4: v = divs(a, b); break;
            case 5: v = b == 0 ? 0xFFFF_FFFF : a / b; break;
            case 6: v = rems(a, b); break;
            default: v = b == 0 ? a : a % b;
          }
        } else if (f7 == 0x20 && f3 == 0) {
          v = a - b;
        } else if (f7 == 0x20 && f3 == 5) {
          v = ((a as i32) >> (b & 31)) as u32;
        } else { raise(h, CAUSE_ILLEGAL, i); left = n + 1; n = 0; next = pc; continue; }
        rset(h, rdOf(i), v);
        break;
      }
      case OP_LOAD: {
        const f3 = f3Of(i);
        const va = rget(h, rs1Of(i)) + immI(i);
        const am: u32 = f3 & 3; // 0, 1 or 2: log2 of the size
        if (f3 == 3 || f3 > 5) { raise(h, CAUSE_ILLEGAL, i); left = n + 1; n = 0; next = pc; continue; }
        const mask: u32 = (1 << am) - 1;
        const e = tR + ((va >>> 8) & setMask);
        let v: u32;
        if (load<u32>(e, E_TAG) == ((va & (0xFFFF_F000 | mask)) | asidTag)) {
          hits++;
          const a = load<u32>(e, E_ADDEND) + va;
          v = am == 2 ? load<u32>(a) : am == 1 ? load<u16>(a) as u32 : load<u8>(a) as u32;
        } else {
          const r = loadSlow(h, t, va, 1 << am);
          if ((r & SLOW_FAULT) != 0) { left = n + 1; n = 0; next = pc; continue; }
          v = r as u32;
        }
        if (f3 == 0) v = ((v << 24) as i32 >> 24) as u32;
        else if (f3 == 1) v = ((v << 16) as i32 >> 16) as u32;
        rset(h, rdOf(i), v);
        break;
      }
      case OP_STORE: {
        const f3 = f3Of(i);
        if (f3 > 2) { raise(h, CAUSE_ILLEGAL, i); left = n + 1; n = 0; next = pc; continue; }
        const va = rget(h, rs1Of(i)) + immS(i);
        const v = rget(h, rs2Of(i));
        const mask: u32 = (1 << f3) - 1;
        const e = tW + ((va >>> 8) & setMask);
        if (load<u32>(e, E_TAG) == ((va & (0xFFFF_F000 | mask)) | asidTag)) {
          hits++;
          const a = load<u32>(e, E_ADDEND) + va;
          if (f3 == 2) store<u32>(a, v);
          else if (f3 == 1) store<u16>(a, v as u16);
          else store<u8>(a, v as u8);
        } else if (!storeSlow(h, t, va, 1 << f3, v)) {
          left = n + 1; n = 0; next = pc; continue;
        }
        break;
      }
      case OP_BRANCH: {
        const a = rget(h, rs1Of(i));
        const b = rget(h, rs2Of(i));
        let taken: bool;
        switch (f3Of(i)) {
          case 0: taken = a == b; break;
          case 1: taken = a != b; break;
          case 4: taken = (a as i32) < (b as i32); break;
          case 5: taken = (a as i32) >= (b as i32); break;
          case 6: taken = a < b; break;
          case 7: taken = a >= b; break;
          default: { raise(h, CAUSE_ILLEGAL, i); left = n + 1; n = 0; next = pc; continue; }
        }
        if (taken) {
          const target = pc + immB(i);
          if ((target & 3) != 0) { raise(h, CAUSE_FETCH_MISALIGNED, target); left = n + 1; n = 0; next = pc; continue; }
          next = target;
          if (target < pc && ((target ^ pc) >>> 12) == 0 && n > 0 && load<u32>(h + H_JIT) != 0) {
            const k = jitEnter(h, tR, tW, setMask, asidTag, target, fadd + target, n as u32);
            if (k != 0) { n -= k as i32; next = load<u32>(h + H_PC); }
          }
        }
        break;
      }
      case OP_JAL: {
        const target = pc + immJ(i);
        if ((target & 3) != 0) { raise(h, CAUSE_FETCH_MISALIGNED, target); left = n + 1; n = 0; next = pc; continue; }
        rset(h, rdOf(i), pc + 4);
        next = target;
        if (target < pc && ((target ^ pc) >>> 12) == 0 && n > 0 && load<u32>(h + H_JIT) != 0) {
          const k = jitEnter(h, tR, tW, setMask, asidTag, target, fadd + target, n as u32);
          if (k != 0) { n -= k as i32; next = load<u32>(h + H_PC); }
        }
        break;
      }
      case OP_JALR: {
        if (f3Of(i) != 0) { raise(h, CAUSE_ILLEGAL, i); left = n + 1; n = 0; next = pc; continue; }
        const target = (rget(h, rs1Of(i)) + immI(i)) & ~1;
        if ((target & 3) != 0) { raise(h, CAUSE_FETCH_MISALIGNED, target); left = n + 1; n = 0; next = pc; continue; }
        rset(h, rdOf(i), pc + 4);
        next = target;
        // A return or an indirect jump within the page: often back into a loop that was translated.
        if (((target ^ pc) >>> 12) == 0 && n > 0 && load<u32>(h + H_JIT) != 0) {
          const k = jitEnter(h, tR, tW, setMask, asidTag, target, fadd + target, n as u32);
          if (k != 0) { n -= k as i32; next = load<u32>(h + H_PC); }
        }
        break;
      }
      case OP_LUI: rset(h, rdOf(i), i & 0xFFFF_F000); break;
      case OP_AUIPC: rset(h, rdOf(i), pc + (i & 0xFFFF_F000)); break;
      case OP_AMO: {
        const f5 = i >>> 27;
        const va = rget(h, rs1Of(i));
        if (f3Of(i) != 2 || (f5 == 0x02 && rs2Of(i) != 0) || (f5 != 0x02 && f5 != 0x03 && !validAmo(f5))) {
          raise(h, CAUSE_ILLEGAL, i); left = n + 1; n = 0; next = pc; continue;
        }
        if ((va & 3) != 0) {
          raise(h, f5 == 0x02 ? CAUSE_LOAD_MISALIGNED : CAUSE_STORE_MISALIGNED, va); left = n + 1; n = 0; next = pc; continue;
        }
        // An SC with no reservation on its address fails without touching memory, so it cannot fault
        // (as under qemu-user; the ISA allows either).
        if (f5 == 0x03 && (load<u32>(h + H_RESV_VALID) == 0 || load<u32>(h + H_RESV_VA) != va)) {
          store<u32>(h + H_RESV_VALID, 0);
          rset(h, rdOf(i), 1);
          break;
        }
        const access = f5 == 0x02 ? ACC_READ : ACC_WRITE;
        const e = (f5 == 0x02 ? tR : tW) + ((va >>> 8) & setMask);
        let a: u32;
        if (load<u32>(e, E_TAG) == ((va & 0xFFFF_F000) | asidTag)) { hits++; a = load<u32>(e, E_ADDEND) + va; }
        else {
          a = tlbSlow(h, t, va, access);
          if (a == 0) { left = n + 1; n = 0; next = pc; continue; }
        }
        if (f5 == 0x02) {
          const v = atomic.load<u32>(a);
          store<u32>(h + H_RESV_ADDR, a);
          store<u32>(h + H_RESV_VA, va);
          store<u32>(h + H_RESV_VALUE, v);
          store<u32>(h + H_RESV_VALID, 1);
          rset(h, rdOf(i), v);
        } else if (f5 == 0x03) {
          const expected = load<u32>(h + H_RESV_VALUE);
          const ok = load<u32>(h + H_RESV_VALID) != 0 && load<u32>(h + H_RESV_ADDR) == a
            && atomic.cmpxchg<u32>(a, expected, rget(h, rs2Of(i))) == expected;
          store<u32>(h + H_RESV_VALID, 0);
          rset(h, rdOf(i), ok ? 0 : 1);
        } else {
          rset(h, rdOf(i), amo(a, f5, rget(h, rs2Of(i))));
        }
        break;
      }
      case OP_MISC_MEM: {
        const f3 = f3Of(i);
        if (f3 == 0) atomic.or<u32>(h, 0); // a seq-cst RMW orders like a full fence (binaryen rejects atomic.fence here)
        else if (f3 != 1) { raise(h, CAUSE_ILLEGAL, i); left = n + 1; n = 0; next = pc; continue; }
        // FENCE.I: nothing is cached from instruction memory, so written code is already visible.
        break;
      }
      case OP_SYSTEM: {
        const f3 = f3Of(i);
        if (f3 == 0) {
          raise(h, i == 0x73 ? CAUSE_ECALL_U : i == 0x0010_0073 ? CAUSE_BREAKPOINT : CAUSE_ILLEGAL, i == 0x0010_0073 ? pc : i == 0x73 ? 0 : i);
          left = n + 1; n = 0; next = pc; continue;
        }
        const v = (f3 & 3) == 1 || f3 == 4 || rs1Of(i) != 0 ? -1 : csrRead(h, i >>> 20, limit - (n as u32) - 1);
        if (v < 0) { raise(h, CAUSE_ILLEGAL, i); left = n + 1; n = 0; next = pc; continue; }
        rset(h, rdOf(i), v as u32);
        break;
      }
      default: { raise(h, CAUSE_ILLEGAL, i); left = n + 1; n = 0; next = pc; continue; }
    }
    pc = next;
  }

  store<u32>(h, 0);
  store<u32>(h + H_PC, pc);
  store<u64>(h + H_TLB_HITS, load<u64>(h + H_TLB_HITS) + (hits as u64));
  timerRetire(h, limit - (left as u32));
  if (left > 0) return EXIT_TRAP;
  if (timerBound) {
    raise(h, CAUSE_TIMER_IRQ, 0);
    store<u64>(h + H_TIMER_IRQS, load<u64>(h + H_TIMER_IRQS) + 1);
    return EXIT_TIMER;
  }
  return EXIT_BUDGET;
}
