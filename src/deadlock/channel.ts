// Messages from this node to each peer delivered in order, each once, over a network that loses, duplicates
// and reorders: per (sender, receiver) a sequence number, cumulative acknowledgements and periodic resends.
// Each side is known by its boot (a random number drawn at start), and every message names the boot it is for:
// a receiver takes only what was sent to its own boot, so a request meant for a node before its crash is never
// carried out by the node after it (its sender learns of the restart instead and is told: restarted). A sender
// that does not know the peer's boot yet sends anyway; the peer answers with its boot and the messages go again.
// Bound: CHANNEL_UNACKED_MAX messages unacknowledged per peer (send returns false beyond).
import type { NodeContext, TimerId } from '../node/index.js';
import { CHANNEL_RETRY_NS, CHANNEL_UNACKED_MAX } from './limits.js';

/** to: the receiver's boot as the sender knows it (null: not known yet); base: the sender's oldest unacknowledged message. */
export interface ChannelData { readonly t: 'ch'; readonly boot: number; readonly to: number | null; readonly seq: number; readonly base: number; readonly body: unknown }
export interface ChannelAck { readonly t: 'ack'; readonly boot: number; readonly to_boot: number; readonly upto: number }

interface Outbound { next: number; readonly unacked: Map<number, unknown> }
interface Inbound { readonly boot: number; next: number; readonly held: Map<number, unknown> }

export class Channel {
  readonly boot: number;
  private readonly out = new Map<string, Outbound>();
  private readonly inb = new Map<string, Inbound>();
  /** Each peer's boot as last heard (its data, its acks, its leases). */
  private readonly boots = new Map<string, number>();
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
    if (o === undefined) this.out.set(peer, o = { next: 1, unacked: new Map() });
    if (o.unacked.size >= CHANNEL_UNACKED_MAX) return false;
    const seq = o.next++;
    o.unacked.set(seq, body);
    this.transmit(peer, seq, body);
    this.arm();
    return true;
  }

  /**
   * peer is at boot (any message of its says so). A boot other than the one known means it restarted: what it
   * had of ours is gone, and what we had queued for it was for its earlier boot; both streams start afresh and
   * the owner is told. False for a late message of an earlier boot (ignore it).
   */
  heard(peer: string, boot: number): boolean {
    if (this.gone.get(peer)?.has(boot) === true) return false;
    const known = this.boots.get(peer);
    this.boots.set(peer, boot);
    if (known === undefined) { this.resend(peer); return true; }
    if (known === boot) return true;
    this.bury(peer, known);
    this.forget(peer);
    this.restarted(peer);
    return true;
  }

  onData(from: string, m: ChannelData): void {
    if (!this.heard(from, m.boot)) return;
    if (m.to !== this.boot) {
      // Sent before its sender knew this boot: not ours to carry out. Our boot goes back; it sends again, or
      // (it knew an earlier boot of ours) learns that we restarted.
      this.ctx.send(from, { t: 'ack', boot: this.boot, to_boot: m.boot, upto: 0 } satisfies ChannelAck);
      return;
    }
    let i = this.inb.get(from);
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
    if (m.to_boot !== this.boot || !this.heard(from, m.boot)) return;
    const o = this.out.get(from);
    if (o === undefined) return;
    for (const seq of [...o.unacked.keys()]) if (seq <= m.upto) o.unacked.delete(seq);
  }

  private bury(peer: string, boot: number): void {
    let g = this.gone.get(peer);
    if (g === undefined) this.gone.set(peer, g = new Set());
    g.add(boot);
    if (g.size > 8) g.delete(g.values().next().value!);
  }

  /** Forget a peer's streams (it restarted): both start afresh. */
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
    const m: ChannelData = { t: 'ch', boot: this.boot, to: this.boots.get(peer) ?? null, seq, base, body };
    this.sent++;
    this.ctx.send(peer, m);
  }

  /** Send again now what peer has not acknowledged (its boot has just become known). */
  private resend(peer: string): void {
    for (const [seq, body] of this.out.get(peer)?.unacked ?? []) this.transmit(peer, seq, body);
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
