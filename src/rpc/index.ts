// RPC over any NodeContext: deadlines, retries, at-most-once execution through (client id, seq) reply
// caching, and typed errors for timeout and unreachable peers.
export { RpcClient, RpcError, type RpcCallOptions, type RpcOutcome, type RpcClientOptions } from './client.js';
export { RpcServer, type RpcCall, type RpcHandler, type RpcServerOptions, type RpcServerStats } from './server.js';
export { parseRpcMessage, type RpcMessage, type RpcRequest, type RpcReply, type RpcErrorCode } from './messages.js';
