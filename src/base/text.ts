// Strings and bytes without Node's Buffer, so the code that uses them loads in a browser: latin1 (one byte per
// character, its code point's low 8 bits: how the kernel's paths, arguments and names travel), base64 (how bytes
// travel in JSON messages: RFC 4648's alphabet, padded), the UTF-8 length of a string, and the host's uid and gid
// where there is a host process.

/** The bytes of s, one per character (each code point's low 8 bits, as Buffer.from(s, 'latin1')). */
export function latin1Bytes(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i) & 0xff;
  return out;
}

/** Characters this many bytes at a time go through String.fromCharCode (its argument list is bounded). */
const CHUNK_BYTES = 0x2000;

/** The string of bytes, one character per byte (as Buffer's toString('latin1')). */
export function latin1Text(bytes: Uint8Array): string {
  let s = '';
  for (let off = 0; off < bytes.length; off += CHUNK_BYTES) {
    s += String.fromCharCode(...bytes.subarray(off, Math.min(bytes.length, off + CHUNK_BYTES)));
  }
  return s;
}

/** The host process's uid and gid, where there is one (Node); 0 in a browser. */
export function hostIds(): { readonly uid: number; readonly gid: number } {
  const p = (globalThis as { process?: { getuid?: () => number; getgid?: () => number } }).process;
  return { uid: p?.getuid?.() ?? 0, gid: p?.getgid?.() ?? 0 };
}

/** How many bytes s takes in UTF-8 (as Buffer.byteLength(s); a lone surrogate counts as U+FFFD, 3 bytes). */
export function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) { n += 4; i++; }
    else n += 3;
  }
  return n;
}

const BASE64_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
/** Each alphabet character's code -> its 6 bits; -1 for every other code. */
const BASE64_VALUES = ((): Int8Array => {
  const t = new Int8Array(128).fill(-1);
  for (let i = 0; i < 64; i++) t[BASE64_ALPHABET.charCodeAt(i)] = i;
  return t;
})();
const BASE64_CODES = latin1Bytes(BASE64_ALPHABET);
const PAD = 0x3d; // '='

/** bytes in base64, padded with '=' to a multiple of 4 characters (as Buffer's toString('base64')). */
export function base64Text(bytes: Uint8Array): string {
  const out = new Uint8Array(Math.ceil(bytes.length / 3) * 4);
  const whole = bytes.length - (bytes.length % 3);
  let o = 0;
  for (let i = 0; i < whole; i += 3) {
    const w = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
    out[o++] = BASE64_CODES[w >>> 18]!;
    out[o++] = BASE64_CODES[(w >>> 12) & 63]!;
    out[o++] = BASE64_CODES[(w >>> 6) & 63]!;
    out[o++] = BASE64_CODES[w & 63]!;
  }
  if (whole < bytes.length) {
    const two = bytes.length - whole === 2;
    const w = (bytes[whole]! << 16) | (two ? bytes[whole + 1]! << 8 : 0);
    out[o++] = BASE64_CODES[w >>> 18]!;
    out[o++] = BASE64_CODES[(w >>> 12) & 63]!;
    out[o++] = two ? BASE64_CODES[(w >>> 6) & 63]! : PAD;
    out[o++] = PAD;
  }
  return latin1Text(out);
}

/**
 * The bytes of base64 text as base64Text writes it, or null if text is anything else: a length that is not a
 * multiple of 4, a character outside the alphabet, '=' other than one or two at the end, or bits after the last
 * byte that are not 0. (Buffer.from(text, 'base64') reads such text too, skipping what it does not know; a
 * message that carries it is malformed here.)
 */
export function base64Bytes(text: string): Uint8Array | null {
  if (text.length % 4 !== 0) return null;
  const pad = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
  const out = new Uint8Array((text.length / 4) * 3 - pad);
  const value = (i: number): number => {
    const c = text.charCodeAt(i);
    return c < 128 ? BASE64_VALUES[c]! : -1;
  };
  let o = 0;
  for (let i = 0; i < text.length; i += 4) {
    const last = i + 4 === text.length;
    const a = value(i), b = value(i + 1);
    const c = last && pad === 2 ? 0 : value(i + 2);
    const d = last && pad >= 1 ? 0 : value(i + 3);
    if ((a | b | c | d) < 0) return null;
    const w = (a << 18) | (b << 12) | (c << 6) | d;
    if (last && pad > 0) {
      if ((w & (pad === 2 ? 0xffff : 0xff)) !== 0) return null;
      out[o++] = w >>> 16;
      if (pad === 1) out[o++] = (w >>> 8) & 0xff;
    } else {
      out[o++] = w >>> 16;
      out[o++] = (w >>> 8) & 0xff;
      out[o++] = w & 0xff;
    }
  }
  return out;
}
