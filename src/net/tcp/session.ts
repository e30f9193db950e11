// Replay protection of one connection. The dialer knocks, the acceptor answers with a challenge carrying a fresh nonce; the
// dialer's hello returns it with a nonce of its own, and both derive a 16-byte session tag from the two.
// Every data frame starts with that tag and a sequence number, all under the frame's MAC, so a frame
// recorded on another connection (another tag) or seen before on this one (a seq left of, or inside and
// already marked in, the window) is refused. A client's connection also carries the acceptor's replies
// back, under a tag of their own (replyTag). Nonces come from node:crypto (the real-mode edge).
import { createHash, randomBytes } from 'node:crypto';

export const NONCE_BYTES = 16;
export const SESSION_TAG_BYTES = 16;
export const SEQ_BYTES = 8;
export const DATA_HEADER_BYTES = SESSION_TAG_BYTES + SEQ_BYTES;
/** Sequence numbers accepted below the highest seen, if not seen before (TCP keeps order; this is slack). */
export const REPLAY_WINDOW = 64;

export function freshNonce(): Buffer {
  return randomBytes(NONCE_BYTES);
}

/** A client's own id, `client:<64 random bits in hex>` (see CLIENT_ID_PREFIX). */
export function freshClientId(): string {
  return `client:${randomBytes(8).toString('hex')}`;
}

/**
 * The tag of the acceptor's replies on a client's connection: the same nonces and ids under another label,
 * so a frame of one direction is never accepted in the other.
 */
export function replyTag(acceptor_nonce: Buffer, dialer_nonce: Buffer, dialer: string, acceptor: string): Buffer {
  return createHash('sha256').update('atoll-reply-v1\0').update(acceptor_nonce).update(dialer_nonce)
    .update(`${dialer}\0${acceptor}`).digest().subarray(0, SESSION_TAG_BYTES);
}

/** The tag of a session: binds the acceptor's challenge, the dialer's nonce and both ids. */
export function sessionTag(acceptor_nonce: Buffer, dialer_nonce: Buffer, dialer: string, acceptor: string): Buffer {
  return createHash('sha256').update('atoll-session-v1\0').update(acceptor_nonce).update(dialer_nonce)
    .update(`${dialer}\0${acceptor}`).digest().subarray(0, SESSION_TAG_BYTES);
}

/** A data payload: tag | u64 seq | JSON bytes. */
export function sealData(tag: Buffer, seq: number, json: Buffer): Buffer {
  if (tag.length !== SESSION_TAG_BYTES || !Number.isSafeInteger(seq) || seq < 1) throw new RangeError('bad session header');
  const out = Buffer.allocUnsafe(DATA_HEADER_BYTES + json.length);
  tag.copy(out, 0);
  out.writeBigUInt64BE(BigInt(seq), SESSION_TAG_BYTES);
  json.copy(out, DATA_HEADER_BYTES);
  return out;
}

export type Opened = { readonly tag: Buffer; readonly seq: number; readonly json: Buffer } | 'malformed';

export function openData(payload: Buffer): Opened {
  if (payload.length < DATA_HEADER_BYTES) return 'malformed';
  const seq = payload.readBigUInt64BE(SESSION_TAG_BYTES);
  if (seq < 1n || seq > BigInt(Number.MAX_SAFE_INTEGER)) return 'malformed';
  return { tag: payload.subarray(0, SESSION_TAG_BYTES), seq: Number(seq), json: payload.subarray(DATA_HEADER_BYTES) };
}

/** The sliding window of one session (RFC 4303's, 64 wide): accept(seq) is true once per seq. */
export class ReplayWindow {
  private highest = 0;
  /** Bit i set: seq (highest - i) was seen. */
  private seen = 0n;

  accept(seq: number): boolean {
    if (!Number.isSafeInteger(seq) || seq < 1) return false;
    if (seq > this.highest) {
      const shift = seq - this.highest;
      this.seen = shift >= REPLAY_WINDOW ? 1n : ((this.seen << BigInt(shift)) | 1n) & ((1n << BigInt(REPLAY_WINDOW)) - 1n);
      this.highest = seq;
      return true;
    }
    const back = this.highest - seq;
    if (back >= REPLAY_WINDOW) return false;
    const bit = 1n << BigInt(back);
    if (this.seen & bit) return false;
    this.seen |= bit;
    return true;
  }
}
