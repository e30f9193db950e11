// Strings and bytes without Node's Buffer, so the code that uses them loads in a browser: latin1 (one byte per
// character, its code point's low 8 bits: how the kernel's paths, arguments and names travel), the UTF-8 length
// of a string, and the host's uid and gid where there is a host process.

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
