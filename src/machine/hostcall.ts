// The host's side of the host-call ring (assembly/hostcall.ts): take the requests the kernel posted, serve
// them, write the answers. Any thread may serve (the main thread, a hart's worker): a record is claimed
// with a compare-and-swap, so each request is served exactly once, and the host never takes a kernel lock.
// An answer may come at once or any time later (complete() or kill() by id), as a network reply will; the
// caller stays blocked meanwhile and its hart runs other threads. Reads no clock.
import { InputError } from '../base/index.js';
import type { Machine } from './machine.js';
import {
  KS, KS_RQ_GEN, KS_THREADED, KS_HOST_IDLE_UNTIL, RING, RING_BASE, RING_ENTRIES, RING_STATE, R, ringRecord, EFAULT,
} from './layout.js';

/** One request as the kernel posted it. */
export interface HostCall {
  /** Request id: what complete() and kill() take. */
  readonly id: number;
  readonly slot: number;
  /** Thread index, tid, pid and process index of the caller. */
  readonly thread: number;
  readonly tid: number;
  readonly pid: number;
  readonly proc: number;
  /** System call number (a7) and arguments (a0..a5). */
  readonly nr: number;
  readonly args: readonly number[];
  /** The caller's satp: user memory is copied through its page tables (usermem.ts). */
  readonly satp: number;
  readonly hart: number;
  /** The hart's mtime at the ecall (virtual time of the call). */
  readonly mtime: bigint;
}

/**
 * A service answers with a0 (negative errno on failure); or a0 (default 0) with a signal to raise on the
 * caller (SIGPIPE with -EPIPE for a write to a pipe without readers: its default action kills, a handler runs
 * and the call returns the result, an ignored one leaves the result) and an action (RA_EXEC: commit the image
 * the host built); or LATER.
 */
export const LATER = 'later';
export type HostAnswer = number | HostReply | typeof LATER;
/**
 * An answer in full: a0, a signal raised on the caller, an action (R_ACTION), and the virtual time (mtime) it
 * is given at when that is later than the present (R_AT: a timeout answers at its deadline, and the caller's
 * clock does not run behind it).
 */
export interface HostReply {
  readonly result?: number;
  readonly signal?: number;
  readonly action?: number;
  readonly at?: bigint;
}
/** Serves one call; LATER means the service keeps the id and calls complete() or kill() itself. */
export type HostService = (call: HostCall) => HostAnswer;

/** An idle limit with no bound of its own: the held calls wait for guests only (KS_HOST_IDLE_UNTIL all ones). */
export const IDLE_ANY = (1n << 64n) - 1n;

/**
 * What a service that keeps calls says about them (HostCallServer.idleLimit): how many it holds, and how far
 * virtual time may jump while nothing runs: 0n not at all (an answer may come from outside at the present
 * time: stdin, the network), an mtime (the earliest deadline it answers at), or IDLE_ANY.
 */
export interface IdleLimit {
  readonly held: number;
  readonly until: bigint;
}

export interface HostCallStats {
  /** Requests posted so far (the last id). */
  readonly posted: number;
  /** Answers reaped after their caller had left its hart (not served while the hart waited). */
  readonly late: number;
  /** Calls that found every record taken and waited for one. */
  readonly full_waits: number;
  /** Most records in flight at once. */
  readonly peak_in_flight: number;
}

const SIGNAL_MAX = 64;

/** The ring in one machine's shared memory, as the host sees it. */
export class HostCallRing {
  private readonly words: Int32Array;
  private readonly words64: BigUint64Array;
  /**
   * The virtual time of the call being served (0n between calls): an answer it causes for another call (a
   * pipe read woken by this write) is given at that time, so the woken caller's clock is not behind the cause.
   */
  serving = 0n;
  /** Slots of the requests this object took and has not answered (a shortcut for finish()). */
  private readonly taken = new Map<number, number>();

  constructor(readonly machine: Machine) {
    this.words = new Int32Array(machine.memory.buffer);
    this.words64 = new BigUint64Array(machine.memory.buffer);
  }

  private load(addr: number): number {
    return Atomics.load(this.words, addr >>> 2) >>> 0;
  }

  /** The id of the last request posted (grows by one per request): a cheap "anything new?" test. */
  get posted(): number {
    return this.load(RING_BASE + RING.POSTED);
  }

  /** Index of the posted-requests word in an Int32Array over the memory (to Atomics.wait on). */
  get postedIndex(): number {
    return (RING_BASE + RING.POSTED) >>> 2;
  }

  /** True when some request is posted and not yet taken by any server. */
  untaken(): boolean {
    for (let slot = 0; slot < RING_ENTRIES; slot++) {
      if (this.load(ringRecord(slot) + R.STATE) === RING_STATE.POSTED) return true;
    }
    return false;
  }

  /** Claim the posted requests that accept() takes, oldest first; each is then this caller's to answer. */
  take(accept: (nr: number) => boolean = () => true): HostCall[] {
    const seen: { slot: number; id: number }[] = [];
    // Plain reads are enough to find candidates (the compare-and-swap below decides), and the scan stops
    // once it has passed every record in use: the kernel takes the lowest free record, so usually at once.
    const w = this.words;
    let busy = w[(RING_BASE + RING.BUSY) >>> 2]!;
    for (let slot = 0; slot < RING_ENTRIES && busy > 0; slot++) {
      const i = ringRecord(slot) >>> 2;
      const state = w[i + (R.STATE >>> 2)]!;
      if (state === RING_STATE.FREE) continue;
      busy--;
      if (state === RING_STATE.POSTED && accept(w[i + (R.NR >>> 2)]! >>> 0)) seen.push({ slot, id: w[i + (R.ID >>> 2)]! >>> 0 });
    }
    if (seen.length > 1) seen.sort((a, b) => (a.id - b.id) | 0);
    const taken: HostCall[] = [];
    for (const { slot } of seen) {
      const i = (ringRecord(slot) + R.STATE) >>> 2;
      if (Atomics.compareExchange(this.words, i, RING_STATE.POSTED, RING_STATE.TAKEN) !== RING_STATE.POSTED) continue;
      // Read it only now that it is ours: another server may have served what was here, and the kernel
      // posted a new request into the record since the scan.
      const call = this.read(slot);
      if (accept(call.nr)) { taken.push(call); this.taken.set(call.id, slot); }
      else Atomics.store(this.words, i, RING_STATE.POSTED);
    }
    return taken;
  }

  private read(slot: number): HostCall {
    const r = ringRecord(slot);
    const v = this.machine.view; // ours since the compare-and-swap: the kernel wrote it before posting
    const u = (off: number): number => v.getUint32(r + off, true);
    const a = r + R.ARGS;
    return {
      id: u(R.ID), slot, thread: u(R.THREAD), tid: u(R.TID), pid: u(R.PID), proc: u(R.PROC), nr: u(R.NR),
      args: [u(a - r), u(a - r + 4), u(a - r + 8), u(a - r + 12), u(a - r + 16), u(a - r + 20)], satp: u(R.SATP),
      hart: u(R.HART), mtime: v.getBigUint64(r + R.MTIME, true),
    };
  }

  /**
   * Answer request id with a0 = result and, when signal is given, raise that signal on the caller as tgkill
   * would. -ERESTARTSYS is the answer to a cancelled wait (cancelled()): the kernel restarts the call or
   * returns -EINTR, as the signal's SA_RESTART says.
   */
  complete(id: number, result: number, signal = 0): void {
    this.answer(id, { result, signal });
  }

  /** Answer request id with a signal raised on the caller and a0 = 0 (complete(id, 0, signal)). */
  kill(id: number, signal: number): void {
    if (!Number.isInteger(signal) || signal < 1 || signal > SIGNAL_MAX) throw new InputError(`signal must be 1..${SIGNAL_MAX}, not ${signal}`);
    this.answer(id, { signal });
  }

  /** Answer request id with a0 = result (default 0), a signal raised on the caller, an action, a time. */
  answer(id: number, a: HostReply): void {
    const signal = a.signal ?? 0;
    if (!Number.isInteger(signal) || signal < 0 || signal > SIGNAL_MAX) throw new InputError(`signal must be 0..${SIGNAL_MAX}, not ${signal}`);
    const given = a.at ?? 0n;
    if (given < 0n || given >= 1n << 64n) throw new InputError(`an answer's virtual time must be a u64 mtime, not ${given}`);
    const at = given > this.serving ? given : this.serving;
    const miss = this.machine.hostKeptMiss;
    this.machine.hostKeptMiss = null;
    if (miss !== null && a.result === -EFAULT && signal === 0 && this.onHostKeptMiss !== null && this.keptMiss(id, miss)) return;
    this.finish(id, a.result ?? 0, signal, a.action ?? 0, at);
  }

  /**
   * Who brings host-kept pages (a post-copy arrival, a shared region): given a call that would fail with -EFAULT
   * because one of its user pages is host-kept here, it may take the call (true) and answer it later:
   * -ERESTARTNOINTR once the page is here (the call runs again), -EFAULT if it cannot come. null: nobody.
   */
  onHostKeptMiss: ((call: { readonly id: number; readonly pid: number; readonly proc: number }, page: number, write: boolean) => boolean) | null = null;

  /** A -EFAULT answer to call id whose copy missed a host-kept page of the caller's: taken by onHostKeptMiss? */
  private keptMiss(id: number, miss: { readonly satp: number; readonly page: number; readonly write: boolean }): boolean {
    const slot = this.taken.get(id >>> 0);
    if (slot === undefined) return false;
    const r = ringRecord(slot);
    if (this.load(r + R.ID) !== id >>> 0 || this.load(r + R.STATE) !== RING_STATE.TAKEN || this.load(r + R.SATP) !== miss.satp) return false;
    return this.onHostKeptMiss!({ id, pid: this.load(r + R.PID), proc: this.load(r + R.PROC) }, miss.page, miss.write);
  }

  /**
   * True when the kernel asks the caller of a call taken and not answered to stop waiting (R_CANCEL): a
   * signal it will handle arrived, or its process is dying. A waiting call should then answer -ERESTARTSYS;
   * a call that does not wait simply finishes.
   */
  cancelled(call: HostCall): boolean {
    const r = ringRecord(call.slot);
    return this.load(r + R.ID) === call.id >>> 0 && this.load(r + R.STATE) === RING_STATE.TAKEN && this.load(r + R.CANCEL) !== 0;
  }

  private finish(id: number, result: number, signal: number, action: number, at = 0n): void {
    const slot = this.slotOf(id);
    const r = ringRecord(slot);
    this.machine.view.setBigUint64(r + R.AT, at, true); // ours until DONE (the store below publishes it)
    Atomics.store(this.words, (r + R.RESULT) >>> 2, result | 0);
    Atomics.store(this.words, (r + R.SIGNAL) >>> 2, signal);
    Atomics.store(this.words, (r + R.ACTION) >>> 2, action);
    // Counted before it is published: a hart may reap the record the moment it reads DONE, and the kernel
    // checks that it never reaps more answers than the host has counted (a hart that sees the count first
    // finds nothing to reap yet, and the run-queue wake below brings it back).
    Atomics.add(this.words, (RING_BASE + RING.DONE) >>> 2, 1);
    Atomics.store(this.words, (r + R.STATE) >>> 2, RING_STATE.DONE); // after the answer: the kernel reads it then
    // Wake idle harts (they wait on the run-queue generation): one of them reaps the answer. Deterministic
    // mode has nobody waiting.
    Atomics.add(this.words, (KS + KS_RQ_GEN) >>> 2, 1);
    if (this.load(KS + KS_THREADED) !== 0) Atomics.notify(this.words, (KS + KS_RQ_GEN) >>> 2);
  }

  private slotOf(id: number): number {
    const hint = this.taken.get(id >>> 0);
    if (hint !== undefined) {
      this.taken.delete(id >>> 0);
      const r = ringRecord(hint);
      if (this.load(r + R.ID) === id >>> 0 && this.load(r + R.STATE) === RING_STATE.TAKEN) return hint;
    }
    for (let slot = 0; slot < RING_ENTRIES; slot++) {
      const r = ringRecord(slot);
      if (this.load(r + R.ID) === id >>> 0 && this.load(r + R.STATE) === RING_STATE.TAKEN) return slot;
    }
    throw new InputError(`host call ${id} is not in flight (never taken, or already answered)`);
  }

  /** Threads waiting for the host: calls in flight, answered and not yet reaped, or waiting for a record. */
  get waitingThreads(): number {
    return this.load(RING_BASE + RING.THREADS);
  }

  /** Tell the kernel how far an idle machine's time may jump while calls are held (KS_HOST_IDLE_UNTIL). */
  setIdleUntil(until: bigint): void {
    Atomics.store(this.words64, (KS + KS_HOST_IDLE_UNTIL) >>> 3, until);
  }

  stats(): HostCallStats {
    return {
      posted: this.load(RING_BASE + RING.POSTED), late: this.load(RING_BASE + RING.LATE),
      full_waits: this.load(RING_BASE + RING.FULL_WAITS), peak_in_flight: this.load(RING_BASE + RING.BUSY_PEAK),
    };
  }
}

/**
 * Serves the ring with a table of services by system call number. With a fallback (the main server) it
 * takes every request and answers the unknown ones with the fallback; without one (a worker's local
 * server) it leaves them for another server.
 */
export class HostCallServer {
  private readonly services = new Map<number, HostService>();
  private readonly slices: (() => void)[] = [];
  private readonly hooks: ((taken: readonly HostCall[]) => void)[] = [];
  private readonly limits: (() => IdleLimit)[] = [];
  private published = 0n;
  private seen = -1;

  constructor(readonly ring: HostCallRing, services: Iterable<[number, HostService]>, private readonly fallback: HostService | null) {
    for (const [nr, s] of services) this.services.set(nr >>> 0, s);
  }

  /** Serve system call nr with service (replacing the default one). */
  register(nr: number, service: HostService): this {
    this.services.set(nr >>> 0, service);
    return this;
  }

  /** fn runs between the deterministic runner's slices (a delayed answer, a message arriving, is given here). */
  onSlice(fn: () => void): this {
    this.slices.push(fn);
    return this;
  }

  /** The deterministic runner, between slices: the slice hooks, then drain(). */
  slice(): void {
    for (const fn of this.slices) fn();
    this.drain();
  }

  /**
   * fn runs at every drain, after the posted requests are taken and before they are served (even when none
   * were): the process events, cancellations and ended processes are looked at there.
   */
  onDrain(fn: (taken: readonly HostCall[]) => void): this {
    this.hooks.push(fn);
    return this;
  }

  /**
   * fn tells, after every drain, what its service holds (IdleLimit): when every call in flight is held by such
   * services, the kernel may let virtual time jump as far as the least of their limits (KS_HOST_IDLE_UNTIL).
   */
  idleLimit(fn: () => IdleLimit): this {
    this.limits.push(fn);
    return this;
  }

  /** KS_HOST_IDLE_UNTIL: 0 unless every thread waiting for the host is held by a service that tells its limit. */
  private publishIdle(): void {
    let held = 0;
    let until = IDLE_ANY;
    for (const fn of this.limits) {
      const l = fn();
      held += l.held;
      if (l.held > 0 && l.until < until) until = l.until;
    }
    const waiting = this.ring.waitingThreads;
    const v = waiting === 0 || held !== waiting ? 0n : until;
    if (v === this.published) return;
    this.published = v;
    this.ring.setIdleUntil(v);
  }

  /** Take and serve every posted request this server serves, oldest first; how many it took. */
  drain(): number {
    // Without a fallback some requests are left posted, so the shortcut holds only for the main server.
    const posted = this.ring.posted;
    let calls: HostCall[] = [];
    if (this.fallback === null || posted !== this.seen) {
      this.seen = posted;
      calls = this.ring.take((nr) => this.fallback !== null || this.services.has(nr));
    }
    for (const fn of this.hooks) fn(calls);
    for (const call of calls) {
      this.ring.serving = call.mtime;
      this.ring.machine.hostKeptMiss = null;
      try {
        const answer = (this.services.get(call.nr) ?? this.fallback!)(call);
        if (answer === LATER) continue;
        if (typeof answer === 'number') this.ring.complete(call.id, answer);
        else this.ring.answer(call.id, answer);
      } finally {
        this.ring.serving = 0n;
      }
    }
    if (this.limits.length > 0) this.publishIdle();
    return calls.length;
  }
}


/** Atomics.waitAsync (ES2024; in Node 20), typed here because the project's lib is ES2022. */
export function waitAsync(words: Int32Array, index: number, value: number, timeout_ms: number): Promise<unknown> | null {
  const w = (Atomics as unknown as { waitAsync(a: Int32Array, i: number, v: number, t: number): { async: boolean; value: Promise<unknown> | string } })
    .waitAsync(words, index, value, timeout_ms);
  return w.async ? (w.value as Promise<unknown>) : null;
}
