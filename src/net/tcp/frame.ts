// Wire frames of the real network, version 1, all integers big-endian:
//   u32 frame_len (bytes after this field) | u8 version | u8 type | u8 src_len | src | u8 dst_len | dst |
//   u32 payload_len | payload (UTF-8 JSON) | 32-byte HMAC-SHA256(cluster key, version .. end of payload)
// Decoding never throws: it returns the frame or the reason it was refused.
import { createHmac, timingSafeEqual } from 'node:crypto';

export const FRAME_VERSION = 1;
export const MAC_BYTES = 32;
export const NODE_ID_MAX_BYTES = 64;
export const FRAME_MAX_BYTES_DEFAULT = 1024 * 1024;
/** Smallest possible body: version, type, two 1-byte ids with their lengths, payload length, MAC. */
export const FRAME_MIN_BODY_BYTES = 1 + 1 + 1 + 1 + 1 + 1 + 4 + MAC_BYTES;

export const FrameType = { hello: 1, data: 2 } as const;
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
  const type = typeCode === FrameType.hello ? 'hello' : typeCode === FrameType.data ? 'data' : undefined;
  if (!type) return 'bad-type';
  return { type, src, dst, payload: Buffer.from(body.subarray(o, macAt)) };
}

/**
 * Splits a byte stream into frame bodies. A length beyond the bound is fatal for the stream (it cannot
 * be resynchronised, and the bytes are never buffered); anything else is decided per frame.
 */
export class FrameReader {
  private buf: Buffer = Buffer.alloc(0);

  constructor(private readonly maxFrameBytes: number) {}

  /** Bytes of an incomplete frame held. */
  get buffered(): number {
    return this.buf.length;
  }

  /** Feed bytes; returns complete bodies, or 'oversized' once the stream must be closed. */
  push(chunk: Buffer): Buffer[] | 'oversized' | 'malformed' {
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
    const out: Buffer[] = [];
    for (;;) {
      if (this.buf.length < 4) break;
      const len = this.buf.readUInt32BE(0);
      if (len > this.maxFrameBytes) return 'oversized';
      if (len < FRAME_MIN_BODY_BYTES) return 'malformed';
      if (this.buf.length < 4 + len) break;
      out.push(this.buf.subarray(4, 4 + len));
      this.buf = this.buf.subarray(4 + len);
    }
    return out;
  }
}
