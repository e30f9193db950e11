// Client histories for the linearizability checker: one record per operation with its invocation and
// response times (any monotonic unit: virtual ns in the simulator). An operation whose outcome the client
// never learned (timeout, crash) has `ret: null`: it may or may not have taken effect, at any time after
// its call.

export type KvOpKind = 'put' | 'get' | 'del';

export interface KvOperation {
  readonly client: string;
  readonly kind: KvOpKind;
  readonly key: string;
  /** put: the value written. */
  readonly value?: string;
  /** get: the value read (null: absent). Ignored for put/del. */
  readonly output?: string | null;
  readonly call: number;
  /** Response time, or null if the outcome is unknown. */
  readonly ret: number | null;
}

/** A small recorder a test or harness uses while it runs clients. */
export class HistoryRecorder {
  readonly ops: KvOperation[] = [];
  private open = new Map<number, { client: string; kind: KvOpKind; key: string; value?: string; call: number }>();
  private nextId = 1;

  constructor(readonly max_ops = 1_000_000) {}

  invoke(client: string, kind: KvOpKind, key: string, value: string | undefined, now: number): number {
    if (this.open.size + this.ops.length >= this.max_ops) throw new Error(`history: more than ${this.max_ops} operations`);
    const id = this.nextId++;
    this.open.set(id, { client, kind, key, value, call: now });
    return id;
  }

  complete(id: number, output: string | null, now: number): void {
    const o = this.open.get(id);
    if (!o) throw new Error(`history: operation ${id} is not open`);
    this.open.delete(id);
    this.ops.push({ ...o, output, ret: now });
  }

  /** The client gave up: the outcome is unknown. */
  abandon(id: number): void {
    const o = this.open.get(id);
    if (!o) return;
    this.open.delete(id);
    this.ops.push({ ...o, ret: null });
  }

  /** Every operation, with those still open counted as unknown. */
  all(): KvOperation[] {
    return [...this.ops, ...[...this.open.values()].map((o) => ({ ...o, ret: null }))];
  }
}
