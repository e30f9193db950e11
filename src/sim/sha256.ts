// SHA-256 for the run trace, streaming, in pure JavaScript (@noble/hashes) so the simulator loads in a
// browser as well as in Node. A host may install a faster implementation with the same digests (Node's
// native one: see src/cli/main.ts); the bytes hashed and the hex digest do not depend on which is used.
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';

export interface Sha256 {
  update(text: string): void;
  /** Hex digest of everything so far; updating may continue afterwards. */
  hexDigest(): string;
}

export type Sha256Factory = () => Sha256;

const utf8 = new TextEncoder();

function nobleSha256(): Sha256 {
  const h = sha256.create();
  return {
    update: (text) => { h.update(utf8.encode(text)); },
    hexDigest: () => bytesToHex(h.clone().digest()),
  };
}

let factory: Sha256Factory = nobleSha256;

/** A new streaming SHA-256 from the installed implementation. */
export function createSha256(): Sha256 {
  return factory();
}

/** Install another implementation (it must give the same digests); returns the previous one. */
export function useSha256(next: Sha256Factory): Sha256Factory {
  const prev = factory;
  factory = next;
  return prev;
}

/** The pure implementation, for tests that compare implementations. */
export const pureSha256: Sha256Factory = nobleSha256;
