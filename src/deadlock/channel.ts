// Messages from this node to each peer delivered in order, each once, over a network that loses, duplicates
// and reorders: per (sender, receiver) a sequence number, cumulative acknowledgements and periodic resends.
// Each side is known by its boot (a random number drawn at start): a peer with a new boot has restarted, so what
// it held is gone; the channel starts afresh with it and tells its owner (restarted). Bound: CHANNEL_UNACKED_MAX
// messages unacknowledged per peer (send returns false beyond).
import type { NodeContext, TimerId } from '../node/index.js';
import { CHANNEL_RETRY_NS, CHANNEL_UNACKED_MAX } from './limits.js';

/** base: the sender's oldest unacknowledged message (a receiver that has just started begins there). */
export interface ChannelData { readonly t: 'ch'; readonly boot: number; readonly seq: number; readonly base: number; readonly body: unknown }
export interface ChannelAck { readonly t: 'ack'; readonly boot: number; readonly to_boot: number; readonly upto: number }

interface Outbound { next: number; readonly unacked: Map<number, unknown>; peerBoot: number | null }
interface Inbound { boot: number; next: number; readonly held: Map<number, unknown> }

export class Channel {
  readonly boot: number;
  private readonly out = new Map<string, Outbound>();
  // Inbound streams by sender: a new boot of the sender replaces its stream (the restarted callback is told).
  private readonly inb = new Map<string, Inbound>();
  /** Earlier boots of each peer (their late messages are ignored); a few per peer. */
  private readonly gone = new Map<string, Set<number>>();
  private timer: TimerId | null = null;
  /** Messages sent, resends included (statistics). */
  sent = 0;

  constructor(
    private readonly ctx: NodeContext,
    private readonly deliver: (from: string, body: unknown) => void,
    private readonly restarted: (peer: string) => void,
  ) {
    this.boot = ctx.rng.nextU32();
  }

  /** Queue body for peer (in order after every earlier one). False when too much is unacknowledged. */
  send(peer: string, body: unknown): boolean {
    let o = this.out.get(peer);
    if (o === undefined) this.out.set(peer, o = { next: 1, unacked: new Map(), peerBoot: null });
    if (o.unacked.size >= CHANNEL_UNACKED_MAX) return false;
    const seq = o.next++;
    o.unacked.set(seq, body);
    this.transmit(peer, seq, body);
    this.arm();
    return true;
  }

  onData(from: string, m: ChannelData): void {
    if (this.gone.get(from)?.has(m.boot) === true) return; // a late message of the sender's earlier boot
    let i = this.inb.get(from);
    if (i !== undefined && i.boot !== m.boot) {
      this.bury(from, i.boot);
      this.inb.delete(from);
      i = undefined;
      this.restarted(from);
    }
    if (i === undefined) this.inb.set(from, i = { boot: m.boot, next: m.base, held: new Map() });
    if (m.seq >= i.next && m.seq < i.next + CHANNEL_UNACKED_MAX) i.held.set(m.seq, m.body);
    for (let b = i.held.get(i.next); b !== undefined || i.held.has(i.next); b = i.held.get(i.next)) {
      i.held.delete(i.next);
      i.next++;
      this.deliver(from, b);
      if (this.inb.get(from) !== i) return;
    }
    const ack: ChannelAck = { t: 'ack', boot: this.boot, to_boot: m.boot, upto: i.next - 1 };
    this.ctx.send(from, ack);
  }

  onAck(from: string, m: ChannelAck): void {
    if (m.to_boot !== this.boot) return;
    const o = this.out.get(from);
    if (o === undefined) return;
    if (o.peerBoot !== null && o.peerBoot !== m.boot) {
      // The peer restarted: what it had of ours is gone.
      this.restarted(from);
      return;
    }
    o.peerBoot = m.boot;
    for (const seq of [...o.unacked.keys()]) if (seq <= m.upto) o.unacked.delete(seq);
  }

  private bury(peer: string, boot: number): void {
    let g = this.gone.get(peer);
    if (g === undefined) this.gone.set(peer, g = new Set());
    g.add(boot);
    if (g.size > 8) g.delete(g.values().next().value!);
  }

  /** Forget a peer (it is gone for good, or restarted): its streams start afresh. */
  forget(peer: string): void {
    this.out.delete(peer);
    this.inb.delete(peer);
  }

  /** Messages waiting for an acknowledgement from peer. */
  pending(peer: string): number {
    return this.out.get(peer)?.unacked.size ?? 0;
  }

  stop(): void {
    if (this.timer !== null) this.ctx.clearTimer(this.timer);
    this.timer = null;
  }

  private transmit(peer: string, seq: number, body: unknown): void {
    const o = this.out.get(peer);
    let base = seq;
    for (const k of o?.unacked.keys() ?? []) if (k < base) base = k;
    const m: ChannelData = { t: 'ch', boot: this.boot, seq, base, body };
    this.sent++;
    this.ctx.send(peer, m);
  }

  private arm(): void {
    if (this.timer !== null) return;
    this.timer = this.ctx.setTimer(CHANNEL_RETRY_NS, () => {
      this.timer = null;
      let any = false;
      for (const [peer, o] of this.out) for (const [seq, body] of o.unacked) { this.transmit(peer, seq, body); any = true; }
      if (any) this.arm();
    });
  }
}
