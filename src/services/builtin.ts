// Built-in services every cluster can run: `echo` answers pings (a liveness and transport probe) and
// `counter` keeps a number behind at-most-once RPC (incr is not idempotent, get is). With the option
// `durable: true` the counter and its reply cache live in the node's storage and survive crashes.
import { RpcServer } from '../rpc/index.js';
import type { NodeContext, NodeService } from '../node/index.js';

export class EchoService implements NodeService {
  private ctx: NodeContext | undefined;
  received = 0;

  start(ctx: NodeContext): void {
    this.ctx = ctx;
  }

  onMessage(from: string, msg: unknown): void {
    if (!this.ctx || msg === null || typeof msg !== 'object') return;
    const m = msg as { t?: unknown; n?: unknown; reply_to?: unknown };
    if (m.t !== 'ping') return;
    this.received++;
    const svc = typeof m.reply_to === 'string' ? m.reply_to : undefined;
    this.ctx.send(from, { t: 'pong', n: m.n, node: this.ctx.id }, svc);
  }

  stop(): void {
    this.ctx = undefined;
  }
}

export class CounterService implements NodeService {
  value = 0;
  private rpc: RpcServer | undefined;
  private readonly durable: boolean;

  constructor(options: Readonly<Record<string, unknown>> = {}) {
    this.durable = options['durable'] === true;
  }

  start(ctx: NodeContext): void {
    if (this.durable) {
      const saved = Number(ctx.storage.get('value') ?? '0');
      this.value = Number.isSafeInteger(saved) ? saved : 0;
    }
    this.rpc = new RpcServer(ctx, this.durable ? { storage: ctx.storage } : {});
    this.rpc.register('incr', (args) => {
      const by = (args as { by?: unknown } | null)?.by;
      if (typeof by !== 'number' || !Number.isSafeInteger(by)) throw new Error('incr needs {by: integer}');
      this.value += by;
      if (this.durable) ctx.storage.put('value', String(this.value)); // synced with the reply
      return this.value;
    });
    this.rpc.register('get', () => this.value, { idempotent: true });
  }

  get server(): RpcServer | undefined {
    return this.rpc;
  }

  onMessage(from: string, msg: unknown): void {
    this.rpc?.handle(from, msg);
  }

  stop(): void {
    this.rpc = undefined;
  }
}
