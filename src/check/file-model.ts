// A sequential model of a small file system for the linearizability checker: names that lead to inodes, and
// the inodes' contents, with the operations a namespace's clients make, each one step of the real system:
// lookup (a name's inode, or absent), create (find or make a file: its inode), create-excl (make one, or
// EEXIST), unlink, rename, and on an inode a client holds open: read (the whole contents), write at an offset
// (a hole reads as NUL), append, and compare-and-set (done under a lock by a client: the contents swapped if they
// were the expected ones). Inode numbers are the system's: a create that makes a file may return any inode the
// history has not seen. One partition (the operations touch names and inodes together); small histories only.
import { hashString, type Model, type StepResult } from './model.js';

export type FileInput =
  | { readonly op: 'lookup'; readonly path: string }
  | { readonly op: 'create'; readonly path: string; readonly exclusive: boolean }
  | { readonly op: 'unlink'; readonly path: string }
  | { readonly op: 'rename'; readonly from: string; readonly to: string }
  | { readonly op: 'read'; readonly ino: number }
  | { readonly op: 'write'; readonly ino: number; readonly pos: number; readonly data: string }
  | { readonly op: 'append'; readonly ino: number; readonly data: string }
  | { readonly op: 'cas'; readonly ino: number; readonly expect: string; readonly value: string };

/**
 * lookup: the inode or 'ENOENT'; create: the inode ('EEXIST' for create-excl of an existing name); unlink,
 * rename: 'ok' or 'ENOENT'; read: the contents; write, append: 'ok'; cas: true when it swapped.
 */
export type FileOutput = number | string | boolean;

export interface FileState {
  /** Names to inodes, sorted by name. */
  readonly names: readonly (readonly [string, number])[];
  /** Every inode the history made, with its contents, sorted by inode. */
  readonly data: readonly (readonly [number, string])[];
  readonly hash: number;
}

const REJECT: StepResult<never> = { ok: false, state: undefined as never };

function make(names: Map<string, number>, data: Map<number, string>): FileState {
  const n = [...names].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const d = [...data].sort(([a], [b]) => a - b);
  let h = 0x811c9dc5;
  for (const [k, v] of n) h = hashString(`${k}=${v};`, h);
  for (const [k, v] of d) h = hashString(`${k}:${v};`, h);
  return { names: n, data: d, hash: h };
}

const ok = (names: Map<string, number>, data: Map<number, string>): StepResult<FileState> => ({ ok: true, state: make(names, data) });
const same = (s: FileState): StepResult<FileState> => ({ ok: true, state: s });

export const fileModel: Model<FileState, FileInput, FileOutput> = {
  name: 'file system (names, inodes, contents)',
  init: () => make(new Map(), new Map()),
  step(state, input, output) {
    const names = new Map(state.names);
    const data = new Map(state.data);
    switch (input.op) {
      case 'lookup': {
        const ino = names.get(input.path);
        if (output === undefined || output === (ino ?? 'ENOENT')) return same(state);
        // A file made by a create whose outcome is unknown: the first inode seen for it is its inode.
        if (ino !== undefined && ino < 0 && typeof output === 'number' && !data.has(output)) {
          for (const [k, v] of names) if (v === ino) names.set(k, output);
          data.set(output, data.get(ino)!);
          data.delete(ino);
          return ok(names, data);
        }
        return REJECT;
      }
      case 'create': {
        const ino = names.get(input.path);
        if (ino !== undefined) {
          if (input.exclusive) return output === undefined || output === 'EEXIST' ? same(state) : REJECT;
          if (output === undefined || output === ino) return same(state);
          if (ino < 0 && typeof output === 'number' && !data.has(output)) {
            for (const [k, v] of names) if (v === ino) names.set(k, output);
            data.set(output, data.get(ino)!);
            data.delete(ino);
            return ok(names, data);
          }
          return REJECT;
        }
        if (output === undefined) {
          // An unknown outcome takes effect here (the checker may place it after everything else: as if never), with
          // an inode not known yet: a stand-in, below 0, that the first lookup to see the file names.
          const stand = Math.min(0, ...data.keys()) - 1;
          names.set(input.path, stand);
          data.set(stand, '');
          return ok(names, data);
        }
        if (typeof output !== 'number' || data.has(output)) return REJECT;
        names.set(input.path, output);
        data.set(output, '');
        return ok(names, data);
      }
      case 'unlink': {
        const had = names.delete(input.path);
        if (output !== undefined && output !== (had ? 'ok' : 'ENOENT')) return REJECT;
        return had ? ok(names, data) : same(state);
      }
      case 'rename': {
        const ino = names.get(input.from);
        if (output !== undefined && output !== (ino !== undefined ? 'ok' : 'ENOENT')) return REJECT;
        if (ino === undefined) return same(state);
        names.delete(input.from);
        names.set(input.to, ino);
        return ok(names, data);
      }
      case 'read': {
        const v = data.get(input.ino);
        if (v === undefined) return REJECT;
        return output === undefined || output === v ? same(state) : REJECT;
      }
      case 'write': {
        const v = data.get(input.ino);
        if (v === undefined) return REJECT;
        const padded = v.length >= input.pos ? v : v + '\0'.repeat(input.pos - v.length);
        data.set(input.ino, padded.slice(0, input.pos) + input.data + padded.slice(input.pos + input.data.length));
        return ok(names, data);
      }
      case 'append': {
        const v = data.get(input.ino);
        if (v === undefined) return REJECT;
        data.set(input.ino, v + input.data);
        return ok(names, data);
      }
      case 'cas': {
        const v = data.get(input.ino);
        if (v === undefined) return REJECT;
        const swap = v === input.expect;
        if (output !== undefined && output !== swap) return REJECT;
        if (!swap) return same(state);
        data.set(input.ino, input.value);
        return ok(names, data);
      }
    }
  },
  hash: (s) => s.hash,
  equal: (a, b) => a === b || (a.hash === b.hash && JSON.stringify(a.names) === JSON.stringify(b.names) && JSON.stringify(a.data) === JSON.stringify(b.data)),
  readOnly: (input) => input.op === 'lookup' || input.op === 'read',
  describe: (input, output) => `${JSON.stringify(input)} -> ${output === undefined ? '?' : JSON.stringify(output)}`,
};
