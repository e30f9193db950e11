// What an operator's client (`atoll fs ... --cluster`) asks a real cluster's gfs service, and what it answers:
// the FsOps of a path (stat, ls, read a range, write a range, mkdir, rm), run on the node against the global
// namespace as a guest's calls are (read barrier, mutations through the log). Requests come from a client id
// (never a member) and are validated here; an answer goes to the client's OPERATOR_SERVICE. A read or write
// moves at most FS_RANGE_BYTES_MAX bytes (a client sends a large file in parts).
import { base64Bytes, base64Text } from '../base/index.js';
import { FsError, Later, andThen, type Maybe } from '../vfs/index.js';
import type { FsEntry, FsOps } from './fs-ops.js';

/** Bytes one request reads or writes (base64 in a frame of the transport's default 1 MiB). */
export const FS_RANGE_BYTES_MAX = 256 * 1024;
const PATH_BYTES_MAX = 4096;

export type FsRequest = { readonly t: 'fs.req'; readonly req: number; readonly path: string } & (
  | { readonly op: 'stat' | 'ls' | 'rm' }
  | { readonly op: 'mkdir'; readonly parents: boolean }
  | { readonly op: 'read'; readonly pos: number; readonly len: number }
  | { readonly op: 'write'; readonly pos: number; readonly data: string; readonly first: boolean; readonly mode: number }
);

export type FsValue = FsEntry | FsEntry[] | { readonly data: string; readonly size: number } | { readonly wrote: number } | null;

export type FsReply = { readonly t: 'fs.resp'; readonly req: number; readonly node: string } & (
  | { readonly ok: true; readonly value: FsValue }
  | { readonly ok: false; readonly errno: string; readonly message: string }
);

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isNat = (v: unknown, max = Number.MAX_SAFE_INTEGER): v is number => Number.isSafeInteger(v) && (v as number) >= 0 && (v as number) <= max;

/** A request off the network, checked (null: malformed). */
export function parseFsRequest(v: unknown): FsRequest | null {
  if (!isObj(v) || v['t'] !== 'fs.req' || !isNat(v['req'])) return null;
  const path = v['path'];
  if (typeof path !== 'string' || !path.startsWith('/') || path.length > PATH_BYTES_MAX) return null;
  const head = { t: 'fs.req' as const, req: v['req'], path };
  switch (v['op']) {
    case 'stat': case 'ls': case 'rm': return { ...head, op: v['op'] };
    case 'mkdir': return typeof v['parents'] === 'boolean' ? { ...head, op: 'mkdir', parents: v['parents'] } : null;
    case 'read': return isNat(v['pos']) && isNat(v['len'], FS_RANGE_BYTES_MAX) ? { ...head, op: 'read', pos: v['pos'], len: v['len'] } : null;
    case 'write': {
      const data = v['data'];
      if (!isNat(v['pos']) || typeof data !== 'string' || data.length > Math.ceil(FS_RANGE_BYTES_MAX / 3) * 4) return null;
      if (typeof v['first'] !== 'boolean' || !isNat(v['mode'], 0o7777)) return null;
      return { ...head, op: 'write', pos: v['pos'], data, first: v['first'], mode: v['mode'] };
    }
    default: return null;
  }
}

/** Run a request on ops; done gets the answer once (now, or when the namespace has answered). */
export function serveFsRequest(ops: FsOps, node: string, r: FsRequest, done: (reply: FsReply) => void): void {
  const head = { t: 'fs.resp' as const, req: r.req, node };
  const fail = (e: unknown): void => {
    if (!(e instanceof FsError)) throw e;
    done({ ...head, ok: false, errno: e.code, message: e.message });
  };
  let m: Maybe<FsValue>;
  try {
    switch (r.op) {
      case 'stat': m = ops.stat(r.path); break;
      case 'ls': m = ops.ls(r.path); break;
      case 'rm': m = andThen(ops.rm(r.path), () => null); break;
      case 'mkdir': m = andThen(ops.mkdir(r.path, r.parents), () => null); break;
      case 'read': m = andThen(ops.read(r.path, r.pos, r.len), (x) => ({ data: base64Text(x.bytes), size: x.size })); break;
      case 'write': {
        const bytes = base64Bytes(r.data);
        if (bytes === null) throw new FsError('EINVAL');
        m = andThen(ops.write(r.path, r.pos, bytes, r.first, r.mode), (n) => ({ wrote: n }));
        break;
      }
    }
  } catch (e) {
    fail(e);
    return;
  }
  if (m instanceof Later) m.then((value) => done({ ...head, ok: true, value }), fail);
  else done({ ...head, ok: true, value: m });
}


/** A reply off the network, checked (null: malformed). */
export function parseFsReply(v: unknown): FsReply | null {
  if (!isObj(v) || v['t'] !== 'fs.resp' || !isNat(v['req']) || typeof v['node'] !== 'string') return null;
  if (v['ok'] === false) return typeof v['errno'] === 'string' && typeof v['message'] === 'string' ? v as unknown as FsReply : null;
  return v['ok'] === true && 'value' in v ? v as unknown as FsReply : null;
}
