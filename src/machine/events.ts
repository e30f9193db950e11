// Process events from the kernel (the PEV ring, abi/defs.mjs): what the host's per-process tables must learn
// before it serves any later call: a fork (PEV_FORK: the child's pid, its parent's, the clone flags); and for
// a cluster, a stand-in's new parent (PEV_REPARENT: its pid, the new parent's pid or 0) and, in cluster
// mode, the end of a process with no local parent (PEV_ENDED: its pid, then si_code and si_status in the
// parent_pid and flags words, PE_CODE and PE_STATUS). The kernel writes a record and then bumps PEV_HEAD; the
// host reads the records from PEV_TAIL on and then stores PEV_TAIL. And the other direction of a process's life, which needs no event: whether a pid's process slot is
// still alive (LIVE or DYING), read from the process table.
import type { Machine } from './machine.js';
import { PEV_BASE, PEV_HEAD, PEV_TAIL, PEV_LOST, PEV_ENTRIES, pevRecord, PE_KIND, PE_PID, PE_PARENT_PID, PE_FLAGS, PROC_BASE, PROC_BYTES, P, PROC_STATE, PROCS_MAX } from './layout.js';

/** One record. PEV_ENDED: parent_pid holds the si_code (CLD_*), flags the si_status. */
export interface ProcessEvent {
  readonly kind: number;
  readonly pid: number;
  readonly parent_pid: number;
  readonly flags: number;
}

export class ProcessEvents {
  private readonly words: Int32Array;

  constructor(readonly machine: Machine) {
    this.words = new Int32Array(machine.memory.buffer);
  }

  /** The events posted since the last take, oldest first (consumed). */
  take(): ProcessEvent[] {
    const head = Atomics.load(this.words, (PEV_BASE + PEV_HEAD) >>> 2) >>> 0;
    let tail = Atomics.load(this.words, (PEV_BASE + PEV_TAIL) >>> 2) >>> 0;
    if (head === tail) return [];
    const out: ProcessEvent[] = [];
    while (tail !== head) {
      const r = pevRecord(tail % PEV_ENTRIES);
      const u = (off: number): number => Atomics.load(this.words, (r + off) >>> 2) >>> 0;
      out.push({ kind: u(PE_KIND), pid: u(PE_PID), parent_pid: u(PE_PARENT_PID), flags: u(PE_FLAGS) });
      tail = (tail + 1) >>> 0;
    }
    Atomics.store(this.words, (PEV_BASE + PEV_TAIL) >>> 2, tail | 0);
    return out;
  }

  /**
   * PEV_ENDED and PEV_REPARENT events the kernel dropped because the ring was full (a fork waits for room
   * instead): when this grows, the process table is the record (DEAD slots, stand-ins' P_PPID).
   */
  lost(): number {
    return Atomics.load(this.words, (PEV_BASE + PEV_LOST) >>> 2) >>> 0;
  }

  /** Post an event as the kernel does (tests of the consumer). */
  post(e: ProcessEvent): void {
    const head = Atomics.load(this.words, (PEV_BASE + PEV_HEAD) >>> 2) >>> 0;
    const r = pevRecord(head % PEV_ENTRIES);
    Atomics.store(this.words, (r + PE_KIND) >>> 2, e.kind);
    Atomics.store(this.words, (r + PE_PID) >>> 2, e.pid);
    Atomics.store(this.words, (r + PE_PARENT_PID) >>> 2, e.parent_pid);
    Atomics.store(this.words, (r + PE_FLAGS) >>> 2, e.flags);
    Atomics.store(this.words, (PEV_BASE + PEV_HEAD) >>> 2, (head + 1) | 0);
  }
}

export type SlotState = 'live' | 'dying' | 'gone';

/** Where each pid's process slot is (cached) and whether it is still alive. */
export class ProcessSlots {
  private readonly slot = new Map<number, number>();

  constructor(readonly machine: Machine) {}

  /** Remember that pid lives in slot (the host loaded it there, or a call came from it). */
  note(pid: number, slot: number): void {
    this.slot.set(pid, slot);
  }

  forget(pid: number): void {
    this.slot.delete(pid);
  }

  private at(slot: number, pid: number): SlotState | null {
    const b = PROC_BASE + slot * PROC_BYTES;
    if (Atomics.load(new Int32Array(this.machine.memory.buffer), (b + P.PID) >>> 2) >>> 0 !== pid) return null;
    const state = this.machine.u32(b + P.STATE);
    return state === PROC_STATE.LIVE ? 'live' : state === PROC_STATE.DYING ? 'dying' : 'gone';
  }

  /** The slot of pid's live process (not dying, not ended), if it has one. */
  liveSlot(pid: number): number | undefined {
    if (this.state(pid) !== 'live') return undefined;
    return this.slot.get(pid);
  }

  state(pid: number): SlotState {
    const hint = this.slot.get(pid);
    if (hint !== undefined) {
      const s = this.at(hint, pid);
      if (s !== null) return s;
    }
    for (let i = 0; i < PROCS_MAX; i++) {
      const s = this.at(i, pid);
      if (s !== null && s !== 'gone') { this.slot.set(pid, i); return s; }
    }
    return 'gone';
  }
}
