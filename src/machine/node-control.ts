// The words a cluster node's thread and its machine's hart workers share (threaded node mode, hart-worker.ts and
// System.beginThreadedNode): the node asks the workers to stop, or to pause between two dispatches while it
// changes the machine, and counts the ones paused.

/** Int32 indexes into the control buffer. */
export const NODE_CONTROL_STOP = 0;
export const NODE_CONTROL_PAUSE = 1;
export const NODE_CONTROL_PAUSED = 2;
/** Workers that ended (or failed): a pause does not wait for them, nor for their exit event (this thread is blocked then). */
export const NODE_CONTROL_GONE = 3;
export const NODE_CONTROL_WORDS = 4;

/**
 * Instructions per dispatch of a node's hart: how long the node may wait for a pause (about 0.1-0.3 ms of
 * guest work), against the cost of a dispatch call.
 */
export const NODE_BATCH = 50_000;

/** The node's side: pause every worker (blocking until each has stopped between dispatches), run fn, resume. */
export class NodeHartGate {
  private readonly control: Int32Array;
  private depth = 0;

  constructor(
    readonly buffer: SharedArrayBuffer, private readonly workers: number, private readonly wakeIdle: () => void,
    /** Told when the harts are held paused, and when they run again. */
    private readonly onHeld: (held: boolean) => void = () => {},
  ) {
    this.control = new Int32Array(buffer);
  }

  static create(workers: number, wakeIdle: () => void, onHeld?: (held: boolean) => void): NodeHartGate {
    return new NodeHartGate(new SharedArrayBuffer(NODE_CONTROL_WORDS * 4), workers, wakeIdle, onHeld);
  }

  run<T>(fn: () => T): T {
    if (this.depth++ === 0) this.pause();
    try {
      return fn();
    } finally {
      if (--this.depth === 0) this.resume();
    }
  }

  private pause(): void {
    const c = this.control;
    Atomics.store(c, NODE_CONTROL_PAUSE, 1);
    this.wakeIdle(); // a worker waiting on the run queue looks now
    for (;;) {
      const n = Atomics.load(c, NODE_CONTROL_PAUSED);
      if (n + Atomics.load(c, NODE_CONTROL_GONE) >= this.workers || Atomics.load(c, NODE_CONTROL_STOP) !== 0) break;
      Atomics.wait(c, NODE_CONTROL_PAUSED, n, 5);
    }
    this.onHeld(true);
  }

  private resume(): void {
    this.onHeld(false);
    Atomics.store(this.control, NODE_CONTROL_PAUSE, 0);
    Atomics.notify(this.control, NODE_CONTROL_PAUSE);
  }

  /** Workers end after their current dispatch. */
  stop(): void {
    Atomics.store(this.control, NODE_CONTROL_STOP, 1);
    Atomics.notify(this.control, NODE_CONTROL_PAUSE);
    this.wakeIdle();
  }

  /** Is this thread inside run() (the harts paused)? */
  get held(): boolean {
    return this.depth > 0;
  }

  get stopped(): boolean {
    return Atomics.load(this.control, NODE_CONTROL_STOP) !== 0;
  }
}
