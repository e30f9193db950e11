// Wire frames of the real network, version 1, all integers big-endian:
//   u32 frame_len (bytes after this field) | u8 version | u8 type | u8 src_len | src | u8 dst_len | dst |
//   u32 payload_len | payload (UTF-8 JSON) | 32-byte HMAC-SHA256(cluster key, version .. end of payload)
// Types: hello (dialer's handshake), data (payload: 16-byte session tag | u64 seq | JSON, see session.ts),
// knock (the dialer's first frame, empty: the acceptor answers it with its challenge, so a stream that
// never speaks gets nothing written to it), challenge (the acceptor's nonce; dst '*'). Decoding never throws: it returns the frame or
// the reason it was refused.
import { utf8Length } from '../../base/index.js';
import { createHmac, timingSafeEqual } from 'node:crypto';

export const FRAME_VERSION = 1;
export const MAC_BYTES = 32;
export const NODE_ID_MAX_BYTES = 64;
/**
 * Clients (`atoll kv`) are not cluster members: each process names itself `client:<random>`, a namespace
 * no config node id can enter (node ids have no ':'). Under TLS they present a certificate naming `client`.
 */
export const CLIENT_ID_PREFIX = 'client:';
export const CLIENT_CERT_ID = 'client';

export function isClientId(id: string): boolean {
  return id.startsWith(CLIENT_ID_PREFIX) && /^client:[A-Za-z0-9._-]+$/.test(id) && utf8Length(id) <= NODE_ID_MAX_BYTES;
}
export const FRAME_MAX_BYTES_DEFAULT = 1024 * 1024;
/** Smallest possible body: version, type, two 1-byte ids with their lengths, payload length, MAC. */
export const FRAME_MIN_BODY_BYTES = 1 + 1 + 1 + 1 + 1 + 1 + 4 + MAC_BYTES;

export const FrameType = { hello: 1, data: 2, challenge: 3, knock: 4 } as const;
/** The destination of a challenge: the acceptor does not know yet who dialled it ('*' is never a node id). */
export const ANY_NODE = '*';
export type FrameTypeName = keyof typeof FrameType;

export interface Frame {
  readonly type: FrameTypeName;
  readonly src: string;
  readonly dst: string;
  readonly payload: Buffer;
}

export type DropReason = 'oversized' | 'malformed' | 'bad-version' | 'bad-type' | 'bad-mac' | 'misaddressed' | 'unknown-source' | 'source-mismatch' | 'bad-payload' | 'truncated';

export function encodeFrame(key: Buffer, f: Frame): Buffer {
  const src = Buffer.from(f.src, 'utf8');
  const dst = Buffer.from(f.dst, 'utf8');
  if (src.length < 1 || src.length > NODE_ID_MAX_BYTES || dst.length < 1 || dst.length > NODE_ID_MAX_BYTES) {
    throw new RangeError(`node ids must be 1..${NODE_ID_MAX_BYTES} bytes`);
  }
  const bodyLen = 2 + 1 + src.length + 1 + dst.length + 4 + f.payload.length + MAC_BYTES;
  const buf = Buffer.allocUnsafe(4 + bodyLen);
  let o = 0;
  buf.writeUInt32BE(bodyLen, o); o += 4;
  buf.writeUInt8(FRAME_VERSION, o++);
  buf.writeUInt8(FrameType[f.type], o++);
  buf.writeUInt8(src.length, o++);
  src.copy(buf, o); o += src.length;
  buf.writeUInt8(dst.length, o++);
  dst.copy(buf, o); o += dst.length;
  buf.writeUInt32BE(f.payload.length, o); o += 4;
  f.payload.copy(buf, o); o += f.payload.length;
  createHmac('sha256', key).update(buf.subarray(4, o)).digest().copy(buf, o);
  return buf;
}

/** Decode one frame body (the bytes after frame_len). */
export function decodeBody(key: Buffer, body: Buffer): Frame | DropReason {
  if (body.length < FRAME_MIN_BODY_BYTES) return 'malformed';
  let o = 0;
  const version = body.readUInt8(o++);
  if (version !== FRAME_VERSION) return 'bad-version';
  const typeCode = body.readUInt8(o++);
  const srcLen = body.readUInt8(o++);
  if (srcLen < 1 || srcLen > NODE_ID_MAX_BYTES || o + srcLen + 1 > body.length) return 'malformed';
  const src = body.toString('utf8', o, o + srcLen); o += srcLen;
  const dstLen = body.readUInt8(o++);
  if (dstLen < 1 || dstLen > NODE_ID_MAX_BYTES || o + dstLen + 4 > body.length) return 'malformed';
  const dst = body.toString('utf8', o, o + dstLen); o += dstLen;
  const payloadLen = body.readUInt32BE(o); o += 4;
  if (o + payloadLen + MAC_BYTES !== body.length) return 'malformed';
  const macAt = o + payloadLen;
  const expected = createHmac('sha256', key).update(body.subarray(0, macAt)).digest();
  if (!timingSafeEqual(expected, body.subarray(macAt))) return 'bad-mac';
  const type = typeCode === FrameType.hello ? 'hello' : typeCode === FrameType.data ? 'data' : typeCode === FrameType.challenge ? 'challenge' : typeCode === FrameType.knock ? 'knock' : undefined;
  if (!type) return 'bad-type';
  return { type, src, dst, payload: Buffer.from(body.subarray(o, macAt)) };
}

/**
 * Splits a byte stream into frame bodies. A length beyond the bound is fatal for the stream (it cannot
 * be resynchronised, and the bytes are never buffered); anything else is decided per frame. Chunks are
 * kept as received and joined once per frame, and `next()` hands out one body at a time, so the owner
 * can change the bound between frames (a small one before the peer is authenticated).
 */
export class FrameReader {
  private chunks: Buffer[] = [];
  private total = 0;

  constructor(private maxFrameBytes: number) {}

  /** Bytes of an incomplete frame held. */
  get buffered(): number {
    return this.total;
  }

  /** The largest frame body accepted from now on. */
  set max_frame_bytes(n: number) {
    this.maxFrameBytes = n;
  }

  /** Feed bytes; returns complete bodies, or 'oversized' once the stream must be closed. */
  push(chunk: Buffer): Buffer[] | 'oversized' | 'malformed' {
    this.append(chunk);
    const out: Buffer[] = [];
    for (;;) {
      const b = this.next();
      if (b === undefined) return out;
      if (typeof b === 'string') return b;
      out.push(b);
    }
  }

  append(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.chunks.push(chunk);
    this.total += chunk.length;
  }

  /** The next complete body, undefined when more bytes are needed, or why the stream must be closed. */
  next(): Buffer | undefined | 'oversized' | 'malformed' {
    if (this.total < 4) return undefined;
    const head = this.join(4);
    const len = head.readUInt32BE(0);
    if (len > this.maxFrameBytes) return 'oversized';
    if (len < FRAME_MIN_BODY_BYTES) return 'malformed';
    if (this.total < 4 + len) return undefined;
    const whole = this.join(4 + len);
    this.consume(4 + len);
    return whole.subarray(4, 4 + len);
  }

  /** Drop everything held (the connection is closing). */
  clear(): void {
    this.chunks = [];
    this.total = 0;
  }

  /** The first n bytes as one buffer (n <= total); merges the leading chunks only when they must be. */
  private join(n: number): Buffer {
    const first = this.chunks[0]!;
    if (first.length >= n) return first;
    let take = 0;
    let k = 0;
    while (take < n) take += this.chunks[k++]!.length;
    const merged = Buffer.concat(this.chunks.slice(0, k), take);
    this.chunks.splice(0, k, merged);
    return merged;
  }

  private consume(n: number): void {
    let left = n;
    while (left > 0) {
      const c = this.chunks[0]!;
      if (c.length <= left) {
        this.chunks.shift();
        left -= c.length;
      } else {
        // a small remainder is copied so it does not pin the large chunk it came in
        const rest = c.subarray(left);
        this.chunks[0] = rest.length < c.length >> 1 ? Buffer.from(rest) : rest;
        left = 0;
      }
    }
    this.total -= n;
  }
}
