// A recording service the cluster tests run on nodes.
import type { NodeContext, NodeService } from '../../src/node/index.js';

/** Records what it receives; exposes its context so a test can send from the node. */
export class Probe implements NodeService {
  ctx: NodeContext | undefined;
  received: { from: string; msg: unknown; t: number }[] = [];
  start(ctx: NodeContext): void {
    this.ctx = ctx;
  }
  onMessage(from: string, msg: unknown): void {
    this.received.push({ from, msg, t: this.ctx!.monotonic_ns() });
  }
  stop(): void {}
}

export const probe = (): Probe => new Probe();
