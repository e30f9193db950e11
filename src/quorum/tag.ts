// Version tags of the quorum register: (version, writer). Versions order writes; the writer id (unique
// per write: client and its write count) breaks ties between writes that picked the same version, so
// every replica orders any two writes the same way. Tag {v: 0, w: ''} is the register never written.

export interface Tag {
  readonly v: number;
  readonly w: string;
}

export const TAG_ZERO: Tag = { v: 0, w: '' };

/** Negative when a is older than b, 0 when equal, positive when newer. */
export function compareTags(a: Tag, b: Tag): number {
  if (a.v !== b.v) return a.v - b.v;
  return a.w < b.w ? -1 : a.w > b.w ? 1 : 0;
}

export const maxTag = (a: Tag, b: Tag): Tag => (compareTags(a, b) >= 0 ? a : b);

export function formatTag(t: Tag): string {
  return t.v === 0 ? '(0)' : `(${t.v}, ${t.w})`;
}

export function isTag(x: unknown): x is Tag {
  if (x === null || typeof x !== 'object') return false;
  const t = x as Record<string, unknown>;
  return typeof t['v'] === 'number' && Number.isSafeInteger(t['v']) && t['v'] >= 0 && typeof t['w'] === 'string' && t['w'].length <= 256;
}
