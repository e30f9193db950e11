// Which processes a node's machine has and how each ended, for the cluster's report: the processes the host
// loaded, every fork (the PEV_FORK event), and each one's end, read from its process slot once the slot is no
// longer alive (its exit fields stay until the slot is taken again; the watch looks after every slice that
// ended a process, before any later fork can take the slot). Bound: the machine's PROCS_MAX slots.
import { slotResult, layout, type Machine, type ProcessEvent, type RunResult } from '../machine/index.js';

const { PEV_FORK, PROC_BASE, PROC_BYTES, PROCS_MAX, P, PROC_STATE } = layout;

export interface ProcessEnd {
  readonly pid: number;
  readonly result: RunResult;
}

export class ProcessWatch {
  /** Live pids and the slot each is in. */
  private readonly live = new Map<number, number>();
  private readonly programs = new Map<number, string>();

  constructor(
    private readonly machine: Machine,
    private readonly onStart: (pid: number, ppid: number, program: string) => void,
    private readonly onEnd: (end: ProcessEnd) => void,
  ) {}

  /** A process the host loaded into slot. */
  loaded(pid: number, slot: number, program: string): void {
    this.live.set(pid, slot);
    this.programs.set(pid, program);
    this.onStart(pid, this.u32(slot, P.PPID), program);
  }

  /** pid left this machine (a migration): no end is reported for it here. */
  forget(pid: number): void {
    this.live.delete(pid);
  }

  /** pid arrived from another machine into slot (a migration): watched from now on, not a new start. */
  arrived(pid: number, slot: number, program: string): void {
    this.live.set(pid, slot);
    this.programs.set(pid, program);
  }

  event(e: ProcessEvent): void {
    if (e.kind !== PEV_FORK || this.live.has(e.pid)) return;
    const slot = this.slotOf(e.pid);
    if (slot === undefined) return; // not a process: a thread's id
    const program = this.programs.get(e.parent_pid) ?? '?';
    this.live.set(e.pid, slot);
    this.programs.set(e.pid, program);
    this.onStart(e.pid, e.parent_pid, program);
  }

  /** Report every watched process whose slot has left LIVE and DYING. */
  scan(): void {
    for (const [pid, slot] of this.live) {
      const state = this.u32(slot, P.STATE);
      if (this.u32(slot, P.PID) === pid && (state === PROC_STATE.LIVE || state === PROC_STATE.DYING)) continue;
      this.live.delete(pid);
      this.onEnd({ pid, result: slotResult(this.machine, slot) });
    }
  }

  /** The program pid runs, as the watch knows it ('?' for one it never saw). */
  programOf(pid: number): string {
    return this.programs.get(pid) ?? '?';
  }

  /** Every process alive here: pid, parent, state (running, or dying: ending now) and program. */
  list(): { pid: number; ppid: number; state: 'running' | 'dying'; program: string }[] {
    const out = [];
    for (const [pid, slot] of this.live) {
      if (this.u32(slot, P.PID) !== pid) continue;
      const st = this.u32(slot, P.STATE);
      if (st !== PROC_STATE.LIVE && st !== PROC_STATE.DYING) continue;
      out.push({ pid, ppid: this.u32(slot, P.PPID), state: st === PROC_STATE.LIVE ? 'running' as const : 'dying' as const, program: this.programOf(pid) });
    }
    return out.sort((a, b) => a.pid - b.pid);
  }

  /** Pids the watch sees alive. */
  get count(): number {
    return this.live.size;
  }

  /** The slot that holds or held pid (pids are never reused, so a freed slot still naming it is its own). */
  slotOf(pid: number): number | undefined {
    for (let i = 0; i < PROCS_MAX; i++) if (this.u32(i, P.PID) === pid) return i;
    return undefined;
  }

  private u32(slot: number, off: number): number {
    return this.machine.u32(PROC_BASE + slot * PROC_BYTES + off);
  }
}
