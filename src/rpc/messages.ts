// RPC wire messages (a discriminated union on `t`) and their validation: anything that does not parse
// is ignored by the receiver, never trusted.

export type RpcErrorCode = 'timeout' | 'unreachable' | 'no-method' | 'failed' | 'busy' | 'bad-request';

export interface RpcRequest {
  readonly t: 'rpc.req';
  /** Client id: unique per client incarnation. */
  readonly cid: string;
  readonly seq: number;
  /** Every seq below this is finished at the client: the server may forget those replies. */
  readonly ack: number;
  readonly method: string;
  readonly args: unknown;
  /** The caller's service, where the reply goes. */
  readonly rsvc: string;
}

export type RpcReply =
  | { readonly t: 'rpc.rep'; readonly cid: string; readonly seq: number; readonly ok: true; readonly result: unknown }
  | { readonly t: 'rpc.rep'; readonly cid: string; readonly seq: number; readonly ok: false; readonly code: RpcErrorCode; readonly message: string };

export type RpcMessage = RpcRequest | RpcReply;

const CODES: ReadonlySet<string> = new Set(['timeout', 'unreachable', 'no-method', 'failed', 'busy', 'bad-request']);

function isSeq(x: unknown): x is number {
  return typeof x === 'number' && Number.isSafeInteger(x) && x >= 0;
}

export function parseRpcMessage(x: unknown): RpcMessage | undefined {
  if (x === null || typeof x !== 'object') return undefined;
  const m = x as Record<string, unknown>;
  if (typeof m['cid'] !== 'string' || m['cid'].length > 256 || !isSeq(m['seq'])) return undefined;
  if (m['t'] === 'rpc.req') {
    if (!isSeq(m['ack']) || typeof m['method'] !== 'string' || typeof m['rsvc'] !== 'string') return undefined;
    return m as unknown as RpcRequest;
  }
  if (m['t'] === 'rpc.rep') {
    if (m['ok'] === true) return m as unknown as RpcReply;
    if (m['ok'] === false && typeof m['code'] === 'string' && CODES.has(m['code']) && typeof m['message'] === 'string') {
      return m as unknown as RpcReply;
    }
  }
  return undefined;
}
