// Latin-1 strings and bytes: one byte per character (its code point's low 8 bits), as the kernel's paths,
// arguments and names travel. The same mapping as Node's Buffer 'latin1' encoding, with no Buffer, so it
// loads in a browser.

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
