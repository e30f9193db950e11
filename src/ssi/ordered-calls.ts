// Requests from this node to another that must be served in the order they were made, each at most once: a
// descriptor's requests to its home (a write before the release that closes it, a cancel after the read it
// cancels) and the notices about a process's life (its end after its reparenting). Each request is an RPC
// (retries, at-most-once) carrying a sequence number per (sender, receiver); the receiver serves request n
// only after n - 1 has been handed to its handler, holding the ones that overtook it. A handler may answer
// later (a pipe read waits for data): ordering is of the starts, not of the answers. Bound: the requests held per
// sender are at most the RPC server's unacknowledged calls per client (it refuses more, and they are retried).
import type { NodeContext } from '../node/index.js';
import type { RpcClient, RpcServer, RpcCall } from '../rpc/index.js';

/** How long an ordered request is tried for (node time): long, since an answer may wait on a guest. */
export const ORDERED_DEADLINE_NS = 3_600e9;
const RETRY_NS = 100_000_000;

/** What the receiver's handler gives back: a JSON value. */
export type OrderedHandler = (from: string, body: unknown, reply: (result: unknown) => void) => void;

interface Held {
  readonly body: unknown;
  readonly call: RpcCall;
}

interface Inbound {
  /** The next sequence number to serve. */
  next: number;
  readonly held: Map<number, Held>;
}

export class OrderedCalls {
  private readonly sendSeq = new Map<string, number>();
  private readonly inbound = new Map<string, Inbound>();

  constructor(
    private readonly ctx: NodeContext,
    private readonly client: RpcClient,
    server: RpcServer,
    /** The RPC method these requests travel as. */
    private readonly method: string,
    private readonly handler: OrderedHandler,
  ) {
    server.register(method, (args, call) => {
      this.receive(call, args);
      return undefined;
    });
  }

  /** Send body to node `to`; done(result) once, or done(null, error) when the node could not be reached in time. */
  call(to: string, body: unknown, done: (result: unknown, error?: string) => void): void {
    const seq = (this.sendSeq.get(to) ?? 0) + 1;
    this.sendSeq.set(to, seq);
    this.client.call(to, this.method, { seq, body }, { deadline_ns: ORDERED_DEADLINE_NS, retry_ns: RETRY_NS }, (o) => {
      if (o.ok) done(o.result);
      else done(null, o.error.message);
    });
  }

  private receive(call: RpcCall, args: unknown): void {
    const a = args as { seq?: unknown; body?: unknown } | null;
    const seq = a?.seq;
    if (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 1) {
      call.fail('bad-request', 'an ordered request needs a positive seq');
      return;
    }
    // A sender restarted with a new client id starts again from 1: key by the client id.
    const key = call.client_id;
    let inb = this.inbound.get(key);
    if (inb === undefined) {
      inb = { next: 1, held: new Map() };
      this.inbound.set(key, inb);
    }
    if (seq < inb.next) return; // served already: its reply comes from the RPC layer's cache
    if (seq > inb.next) {
      inb.held.set(seq, { body: a!.body, call });
      return;
    }
    this.serve(call.from, a!.body, call);
    inb.next++;
    for (let h = inb.held.get(inb.next); h !== undefined; h = inb.held.get(inb.next)) {
      inb.held.delete(inb.next);
      this.serve(h.call.from, h.body, h.call);
      inb.next++;
    }
  }

  private serve(from: string, body: unknown, call: RpcCall): void {
    let answered = false;
    this.handler(from, body, (result) => {
      if (answered) return;
      answered = true;
      call.reply(result);
    });
  }

  /** The node this channel belongs to (for logs). */
  get node(): string {
    return this.ctx.id;
  }
}
