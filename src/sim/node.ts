// Nodes as actors inside the simulator. A SimNode owns its timers, its durable storage and its status:
// up, paused (timers and deliveries wait until resume, as under SIGSTOP) or down. A crash drops the actor
// and its volatile state, cancels its timers, and loses un-synced storage writes; restart boots a fresh
// actor (a new incarnation) over the surviving storage. Bounds: `max_timers` live timers per node and
// `max_deferred` events held while paused.
import type { EventHandle, Simulation } from './simulation.js';
import { SimStorage, type StorageLimits } from './storage.js';

export interface Actor {
  /** Graceful stop (not called on a crash). */
  stop?(): void;
}

export type NodeStatus = 'up' | 'paused' | 'down';
export type TimerId = number;

export interface SimNodeOptions {
  readonly max_timers?: number;
  readonly max_deferred?: number;
  readonly storage?: StorageLimits;
}

export class SimNode<A extends Actor = Actor> {
  readonly storage: SimStorage;
  status: NodeStatus = 'down';
  /** Boots so far; 0 before the first start. */
  incarnation = 0;
  actor: A | undefined;
  private readonly timers = new Map<TimerId, EventHandle>();
  private nextTimer = 1;
  private deferred: (() => void)[] = [];
  private readonly maxTimers: number;
  private readonly maxDeferred: number;
  /** Events dropped because the node was down or the pause buffer was full. */
  dropped = 0;

  constructor(
    readonly sim: Simulation,
    readonly id: string,
    private readonly boot: (node: SimNode<A>) => A,
    opts: SimNodeOptions = {},
  ) {
    this.storage = new SimStorage(opts.storage);
    this.maxTimers = opts.max_timers ?? 100_000;
    this.maxDeferred = opts.max_deferred ?? 1_000_000;
  }

  /** Boot the actor (first start or restart after a crash/stop). */
  start(): void {
    if (this.status !== 'down') throw new Error(`node ${this.id} is already running`);
    this.incarnation++;
    this.status = 'up';
    this.sim.record('node.start', { node: this.id, inc: this.incarnation });
    const inc = this.incarnation;
    const actor = this.boot(this);
    // booting may have crashed the node (a service failing in start): then nothing is running
    if ((this.status as NodeStatus) !== 'down' && this.incarnation === inc) this.actor = actor;
  }

  /** Crash: volatile state and un-synced writes are lost; synced storage stays. */
  crash(): void {
    if (this.status === 'down') return;
    this.sim.record('node.crash', { node: this.id, inc: this.incarnation, lost_writes: this.storage.unsynced });
    this.halt();
    this.storage.crash();
  }

  /** Graceful stop: the actor's stop() runs; storage is left as it is (un-synced writes stay pending). */
  stop(): void {
    if (this.status === 'down') return;
    this.sim.record('node.stop', { node: this.id, inc: this.incarnation });
    const actor = this.actor;
    this.halt();
    actor?.stop?.();
  }

  restart(): void {
    if (this.status !== 'down') this.crash();
    this.start();
  }

  pause(): void {
    if (this.status !== 'up') return;
    this.status = 'paused';
    this.sim.record('node.pause', { node: this.id });
  }

  /** Resume a paused node: what waited runs now, in the order it arrived. */
  resume(): void {
    if (this.status !== 'paused') return;
    this.status = 'up';
    this.sim.record('node.resume', { node: this.id, deferred: this.deferred.length });
    const waiting = this.deferred;
    this.deferred = [];
    const inc = this.incarnation;
    for (const fn of waiting) this.sim.after(0, () => this.runAs(inc, fn));
  }

  /** Run fn in this node now: dropped if down, held if paused. */
  run(fn: () => void): 'ran' | 'deferred' | 'dropped' {
    return this.runAs(this.incarnation, fn);
  }

  setTimer(delay_ns: number, cb: () => void): TimerId {
    if (this.status === 'down') throw new Error(`node ${this.id} is down: it cannot set timers`);
    if (this.timers.size >= this.maxTimers) throw new RangeError(`node ${this.id} has ${this.maxTimers} timers already`);
    const id = this.nextTimer++;
    const inc = this.incarnation;
    const handle = this.sim.after(delay_ns, () => {
      this.timers.delete(id);
      this.runAs(inc, cb);
    });
    this.timers.set(id, handle);
    return id;
  }

  clearTimer(id: TimerId): void {
    const h = this.timers.get(id);
    if (h) {
      this.sim.cancel(h);
      this.timers.delete(id);
    }
  }

  get liveTimers(): number {
    return this.timers.size;
  }

  private runAs(inc: number, fn: () => void): 'ran' | 'deferred' | 'dropped' {
    if (this.status === 'down' || inc !== this.incarnation) {
      this.dropped++;
      return 'dropped';
    }
    if (this.status === 'paused') {
      if (this.deferred.length >= this.maxDeferred) {
        this.dropped++;
        return 'dropped';
      }
      this.deferred.push(fn);
      return 'deferred';
    }
    fn();
    return 'ran';
  }

  private halt(): void {
    for (const h of this.timers.values()) this.sim.cancel(h);
    this.timers.clear();
    this.deferred = [];
    this.actor = undefined;
    this.status = 'down';
  }
}
