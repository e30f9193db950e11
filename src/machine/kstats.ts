// The kernel's statistics as the host reports them: per hart (instructions, context switches, preemptions,
// idle passes, shootdowns, forced ASID flushes, system calls, TLB), per kernel lock (acquisitions, spins),
// per process, per ended thread, and the host-call ring. Everything comes from the shared memory; nothing here reads a clock,
// so in deterministic mode the same seed gives the same figures.
import type { Machine } from './machine.js';
import type { Process } from './process.js';
import {
  hartBase, H_SWITCHES, H_IDLE, H_ASID_FLUSHES, H_SHOOTDOWNS, H_SYSCALLS_KERNEL, H_SYSCALLS_HOST, H_PREEMPTIONS,
  LOCK_SCHED, LOCK_PROC, LOCK_FRAME, SPINLOCK_ACQUISITIONS, SPINLOCK_SPINS, PROC_BASE, PROC_BYTES, P, KS,
  KS_TREC_COUNT, TREC_BASE, TREC_ENTRIES, TREC_BYTES, KS_OOM_KILLS, TR_TID, TR_PID, TR_SWITCHES, TR_INSTRET, TR_PREEMPTED,
} from './layout.js';
import { procResult } from './process.js';
import { HostCallRing, type HostCallStats } from './hostcall.js';

export interface HartKernelStats {
  readonly hart: number;
  readonly instructions: number;
  readonly context_switches: number;
  readonly preemptions: number;
  readonly idle: number;
  readonly shootdowns: number;
  readonly asid_flushes: number;
  readonly syscalls_kernel: number;
  readonly syscalls_host: number;
  readonly timer_interrupts: number;
  readonly page_faults: number;
  readonly tlb: { readonly hits: number; readonly misses: number; readonly walks: number; readonly flushes: number };
}
export interface LockStats { readonly acquisitions: number; readonly spins: number }
export interface ProcessStats {
  readonly pid: number;
  readonly name: string;
  readonly status: string;
  readonly exit_code: number | null;
  readonly instructions: number;
  readonly context_switches: number;
  readonly threads: number;
  readonly syscalls: number;
  readonly demand_faults: number;
  /** Frames returned to the allocator when it ended. */
  readonly frames_freed: number;
}
export interface ThreadStats { readonly tid: number; readonly pid: number; readonly context_switches: number; readonly instructions: number; readonly preempted: number }
export interface KernelStats {
  readonly harts: HartKernelStats[];
  readonly context_switches: number;
  readonly locks: { readonly sched: LockStats; readonly proc: LockStats; readonly frame: LockStats };
  readonly processes: ProcessStats[];
  /** Ended threads (the newest TREC_ENTRIES), in the order they ended. */
  readonly threads: ThreadStats[];
  readonly oom_kills: number;
  readonly frames_used: number;
  /** The host-call ring: requests posted, answers reaped after the caller left its hart, full-ring waits. */
  readonly hostcalls: HostCallStats;
}

export function collectStats(machine: Machine, procs: readonly Process[], names: ReadonlyMap<number, string>): KernelStats {
  const harts: HartKernelStats[] = [];
  for (let i = 0; i < machine.harts; i++) {
    const b = hartBase(i);
    const s = machine.stats(i);
    const n = (off: number): number => Number(machine.u64(b + off));
    harts.push({
      hart: i, instructions: Number(s.instructions), context_switches: n(H_SWITCHES), preemptions: n(H_PREEMPTIONS), idle: n(H_IDLE),
      shootdowns: n(H_SHOOTDOWNS), asid_flushes: n(H_ASID_FLUSHES), syscalls_kernel: n(H_SYSCALLS_KERNEL), syscalls_host: n(H_SYSCALLS_HOST),
      timer_interrupts: Number(s.timer_interrupts), page_faults: Number(s.page_faults),
      tlb: { hits: Number(s.tlb.hits), misses: Number(s.tlb.misses), walks: Number(s.tlb.walks), flushes: Number(s.tlb.flushes) },
    });
  }
  const lock = (a: number): LockStats => ({ acquisitions: Number(machine.u64(a + SPINLOCK_ACQUISITIONS)), spins: Number(machine.u64(a + SPINLOCK_SPINS)) });
  const processes = procs.map((p): ProcessStats => {
    const b = PROC_BASE + p.index * PROC_BYTES;
    const r = procResult(machine, p.index);
    const status = r === null ? 'running' : r.kind === 'exit' ? `exit ${r.code}` : r.kind === 'limit' ? 'limit' : r.signal;
    return {
      pid: p.pid, name: names.get(p.pid) ?? '', status, exit_code: r?.kind === 'exit' ? r.code : null,
      instructions: Number(machine.u64(b + P.INSTRET)), context_switches: Number(machine.u64(b + P.SWITCHES)),
      threads: machine.u32(b + P.THREADS_CREATED), syscalls: Number(machine.u64(b + P.SYSCALLS)),
      demand_faults: Number(machine.u64(b + P.PAGE_FAULTS)), frames_freed: machine.u32(b + P.FRAMES),
    };
  });
  const count = machine.u32(KS + KS_TREC_COUNT);
  const threads: ThreadStats[] = [];
  for (let i = Math.max(0, count - TREC_ENTRIES); i < count; i++) {
    const r = TREC_BASE + (i % TREC_ENTRIES) * TREC_BYTES;
    threads.push({ tid: machine.u32(r + TR_TID), pid: machine.u32(r + TR_PID), context_switches: Number(machine.u64(r + TR_SWITCHES)), instructions: Number(machine.u64(r + TR_INSTRET)), preempted: machine.u32(r + TR_PREEMPTED) });
  }
  return {
    harts, context_switches: harts.reduce((a, h) => a + h.context_switches, 0),
    locks: { sched: lock(LOCK_SCHED), proc: lock(LOCK_PROC), frame: lock(LOCK_FRAME) },
    processes, threads, oom_kills: machine.u32(KS + KS_OOM_KILLS), frames_used: machine.kernel.framesUsed(),
    hostcalls: new HostCallRing(machine).stats(),
  };
}

export function formatKernelStats(k: KernelStats): string {
  const n = (x: number): string => x.toLocaleString('en-US');
  const lines = [
    `context switches ${n(k.context_switches)} (${k.harts.map((h) => `hart ${h.hart}: ${n(h.context_switches)} switches, ${n(h.preemptions)} preemptions, ${n(h.instructions)} instructions, ${n(h.idle)} idle, ${n(h.shootdowns)} shootdowns`).join('; ')})`,
    `locks: ${(['sched', 'proc', 'frame'] as const).map((l) => `${l} ${n(k.locks[l].acquisitions)} acquisitions / ${n(k.locks[l].spins)} spins`).join(', ')}`,
  ];
  if (k.threads.length > 0) {
    const range = (xs: number[]): string => `${n(Math.min(...xs))}..${n(Math.max(...xs))}`;
    lines.push(`threads ended ${k.threads.length}: switches ${range(k.threads.map((t) => t.context_switches))} each, preempted ${range(k.threads.map((t) => t.preempted))}, instructions ${range(k.threads.map((t) => t.instructions))}`);
  }
  for (const p of k.processes) {
    lines.push(`pid ${p.pid} ${p.name}: ${p.status}, ${n(p.instructions)} instructions, ${n(p.context_switches)} switches, ${p.threads} threads, ${n(p.syscalls)} syscalls, ${n(p.demand_faults)} demand faults, ${n(p.frames_freed)} frames freed`);
  }
  return lines.join('\n');
}
