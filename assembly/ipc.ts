// Inter-process communication: synchronous rendezvous message passing between the processes of one machine,
// in the manner of L4 and QNX. A server registers a named endpoint; a client's ipc_call sends a request
// to it and blocks until a server thread has received it (ipc_recv) and answered (ipc_reply). Messages are
// copied by the kernel straight from one process's pages into the other's, each side through its own page
// tables (usercopy.ts) (a bad pointer is -EFAULT for the caller and nobody else), so no memory is shared and nothing is
// buffered: a waiting client holds its request in its own memory until a server takes it.
//
// Bounds: IPC_ENDPOINTS_MAX endpoints per machine, IPC_MSG_MAX bytes per request or reply, and every waiter
// is a thread (at most THREADS_MAX). Each endpoint links its waiters through the thread table: clients
// waiting for a receiver in a FIFO queue, idle server threads in a stack (the most recently idle one, whose
// state is warmest, takes the next request), so call, receive and reply are O(1); a reply finds its client
// from the token (thread index and tid). All state changes happen under the SCHED lock; the copies also
// hold the PROC lock (taken first), so brk cannot unmap a page between its check and the copy.
// When a server process dies its endpoints are freed and every client waiting on them (for delivery or
// for the reply) returns -EPIPE; when a client dies while its request is being served, the server's
// ipc_reply returns -ESRCH.
import {
  H_MTIME, LOCK_SCHED, LOCK_PROC, T_PROC, T_TID, T_STATE, T_IPC_EP, T_IPC_BUF, T_IPC_LEN, T_IPC_RBUF,
  T_IPC_RMAX, T_IPC_NEXT, P_SATP, IPC_BASE, IPC_EP_BYTES, EP_NAME, EP_OWNER, EP_CALLS, EP_GEN, EP_SEND_HEAD,
  EP_SEND_TAIL, EP_RECV_HEAD,
} from './blocks';
import {
  THREADS_MAX, IPC_ENDPOINTS_MAX, IPC_MSG_MAX, IPC_SLOT_BITS as SLOT_BITS, IPC_GEN_BITS,
  IPC_TOKEN_SLOT_BITS as TOKEN_SLOT_BITS, IPC_TOKEN_TID_BITS,
} from './limits';
import { klock, kunlock } from './klock';
import { procBase } from './proc';
import { threadBase, threadInIpc, threadSetResult, THREAD_NONE, TS_IPC_SEND, TS_IPC_RECV, TS_IPC_REPLY } from './thread';
import { switchOut, threadWake } from './sched';
import { userRange, copyUserToUser, writeUser32 } from './usercopy';
import { callHart, callH, callT, callTb, callP, callSatp, arg, ret } from './caller';

// Atoll's own system call numbers (ATOLL_SYS_BASE + n) and the errno values, shared with the host and the
// guest header (abi/defs.mjs).
import {
  NR_IPC_REGISTER, NR_IPC_LOOKUP, NR_IPC_CALL, NR_IPC_RECV, NR_IPC_REPLY, EPERM, ENOENT, ESRCH, EBADF, EFAULT, EINVAL,
  ENOSPC, EPIPE, EMSGSIZE, EADDRINUSE,
} from './abi';
export { NR_IPC_REGISTER, NR_IPC_LOOKUP, NR_IPC_CALL, NR_IPC_RECV, NR_IPC_REPLY };

// An endpoint id is gen << SLOT_BITS | slot (limits.ts; machineInit checks the widths against the limits).
const GEN_MASK: u32 = (1 << IPC_GEN_BITS) - 1; // ids stay positive as a C long

// @ts-ignore: decorator
@inline function epBase(slot: u32): u32 {
  assert(slot < IPC_ENDPOINTS_MAX, 'endpoint index out of range');
  return IPC_BASE + slot * IPC_EP_BYTES;
}

/** The slot of a live endpoint id, or IPC_ENDPOINTS_MAX when the id names none. */
function epSlot(id: u32): u32 {
  const slot = id & (IPC_ENDPOINTS_MAX - 1);
  const b = epBase(slot);
  if (load<u32>(b + EP_NAME) == 0 || (load<u32>(b + EP_GEN) & GEN_MASK) != id >>> SLOT_BITS) return IPC_ENDPOINTS_MAX;
  return slot;
}

function satpOfThread(t: u32): u32 { return load<u32>(procBase(load<u32>(threadBase(t) + T_PROC)) + P_SATP); }

/** Serve an IPC call for the current caller (caller.ts); false when nr is not one. */
export function ipcSyscall(nr: u32): bool {
  switch (nr) {
    case NR_IPC_REGISTER: ret(ipcRegister(callP, arg(0))); return true;
    case NR_IPC_LOOKUP: ret(ipcLookup(arg(0))); return true;
    case NR_IPC_CALL: ipcCall(); return true;
    case NR_IPC_RECV: ipcRecv(); return true;
    case NR_IPC_REPLY: ret(ipcReply()); return true;
  }
  return false;
}

/** ipc_register(name): a new endpoint of the calling process; its id, or -errno. */
function ipcRegister(p: u32, name: u32): u32 {
  if (name == 0) return -EINVAL;
  klock(LOCK_SCHED);
  let free: u32 = IPC_ENDPOINTS_MAX;
  for (let s: u32 = 0; s < IPC_ENDPOINTS_MAX; s++) {
    const n = load<u32>(epBase(s) + EP_NAME);
    if (n == name) { kunlock(LOCK_SCHED); return -EADDRINUSE; }
    if (n == 0 && free == IPC_ENDPOINTS_MAX) free = s;
  }
  if (free == IPC_ENDPOINTS_MAX) { kunlock(LOCK_SCHED); return -ENOSPC; }
  const b = epBase(free);
  const gen = (load<u32>(b + EP_GEN) + 1) & GEN_MASK;
  store<u32>(b + EP_GEN, gen == 0 ? 1 : gen);
  store<u32>(b + EP_NAME, name);
  store<u32>(b + EP_OWNER, p + 1);
  store<u64>(b + EP_CALLS, 0);
  const id = (load<u32>(b + EP_GEN) << SLOT_BITS) | free;
  kunlock(LOCK_SCHED);
  return id;
}

/** ipc_lookup(name): the id of the endpoint registered under name, or -ENOENT. */
function ipcLookup(name: u32): u32 {
  if (name == 0) return -EINVAL;
  klock(LOCK_SCHED);
  let id: u32 = -ENOENT;
  for (let s: u32 = 0; s < IPC_ENDPOINTS_MAX; s++) {
    const b = epBase(s);
    if (load<u32>(b + EP_NAME) == name) { id = (load<u32>(b + EP_GEN) << SLOT_BITS) | s; break; }
  }
  kunlock(LOCK_SCHED);
  return id;
}

// A reply token is tid << TOKEN_SLOT_BITS | thread index (THREADS_MAX = 1 << TOKEN_SLOT_BITS).
const TOKEN_TID_MASK: u32 = (1 << IPC_TOKEN_TID_BITS) - 1;

/** The reply token of client thread t: its index and tid, so a token outliving its thread matches nothing. */
function tokenOf(t: u32): u32 { return ((load<u32>(threadBase(t) + T_TID) & TOKEN_TID_MASK) << TOKEN_SLOT_BITS) | t; }

/** Queue client t at the back of the endpoint's senders. Under the SCHED lock. */
function sendPush(slot: u32, t: u32): void {
  const e = epBase(slot);
  store<u32>(threadBase(t) + T_IPC_NEXT, 0);
  const tail = load<u32>(e + EP_SEND_TAIL);
  if (tail == 0) store<u32>(e + EP_SEND_HEAD, t + 1);
  else store<u32>(threadBase(tail - 1) + T_IPC_NEXT, t + 1);
  store<u32>(e + EP_SEND_TAIL, t + 1);
}

/** Take the oldest waiting client of the endpoint, or THREAD_NONE. */
function sendPop(slot: u32): u32 {
  const e = epBase(slot);
  const head = load<u32>(e + EP_SEND_HEAD);
  if (head == 0) return THREAD_NONE;
  const next = load<u32>(threadBase(head - 1) + T_IPC_NEXT);
  store<u32>(e + EP_SEND_HEAD, next);
  if (next == 0) store<u32>(e + EP_SEND_TAIL, 0);
  return head - 1;
}

function recvPush(slot: u32, t: u32): void {
  const e = epBase(slot);
  store<u32>(threadBase(t) + T_IPC_NEXT, load<u32>(e + EP_RECV_HEAD));
  store<u32>(e + EP_RECV_HEAD, t + 1);
}

function recvPop(slot: u32): u32 {
  const e = epBase(slot);
  const head = load<u32>(e + EP_RECV_HEAD);
  if (head == 0) return THREAD_NONE;
  store<u32>(e + EP_RECV_HEAD, load<u32>(threadBase(head - 1) + T_IPC_NEXT));
  return head - 1;
}

/**
 * Take thread t out of its endpoint's queue (a waiting client or server about to be released because its
 * process dies). Bounded by the queue's length (at most THREADS_MAX). Under the SCHED lock.
 */
export function ipcUnlink(t: u32): void {
  const b = threadBase(t);
  const st = load<u32>(b + T_STATE);
  if (st != TS_IPC_SEND && st != TS_IPC_RECV) return;
  const e = epBase(load<u32>(b + T_IPC_EP));
  const headField = st == TS_IPC_SEND ? EP_SEND_HEAD : EP_RECV_HEAD;
  let prev: u32 = 0;
  let cur = load<u32>(e + headField);
  for (let n: u32 = 0; cur != 0 && n < THREADS_MAX; n++) {
    const next = load<u32>(threadBase(cur - 1) + T_IPC_NEXT);
    if (cur == t + 1) {
      if (prev == 0) store<u32>(e + headField, next);
      else store<u32>(threadBase(prev - 1) + T_IPC_NEXT, next);
      if (st == TS_IPC_SEND && load<u32>(e + EP_SEND_TAIL) == t + 1) store<u32>(e + EP_SEND_TAIL, prev);
      return;
    }
    prev = cur;
    cur = next;
  }
}

/** Wake a blocked thread with result v in a0. Under the SCHED lock. */
function wakeWith(t: u32, v: u32, now: u64): void {
  threadSetResult(t, v);
  threadWake(t, now);
}

/**
 * Hand client c's request to server s (both blocked or current; satps given). Copies the request into the
 * server's buffer and its length to the server's length word; the server's result is the client's tid.
 * Returns 0, or the errno the client gets when its request does not fit the server's buffer.
 */
function deliver(c: u32, cSatp: u32, s: u32, sSatp: u32): u32 {
  const cb = threadBase(c), sb = threadBase(s);
  const len = load<u32>(cb + T_IPC_LEN);
  if (len > load<u32>(sb + T_IPC_LEN)) return EMSGSIZE;
  if (!copyUserToUser(cSatp, load<u32>(cb + T_IPC_BUF), sSatp, load<u32>(sb + T_IPC_BUF), len)) return EFAULT;
  if (!writeUser32(sSatp, load<u32>(sb + T_IPC_RBUF), len)) return EFAULT;
  const e = epBase(load<u32>(cb + T_IPC_EP));
  store<u64>(e + EP_CALLS, load<u64>(e + EP_CALLS) + 1);
  return 0;
}

/**
 * ipc_call(ep, req, req_len, reply, reply_max): send and wait for the reply. Returns the reply's length,
 * or -EBADF (no such endpoint), -EMSGSIZE, -EFAULT, -EPIPE (the server's process ended first).
 */
function ipcCall(): void {
  const id = arg(0), req = arg(1), len = arg(2), reply = arg(3), rmax = arg(4);
  if (len > IPC_MSG_MAX) { ret(-EMSGSIZE); return; }
  const satp = callSatp, t = callT, tb = callTb;
  klock(LOCK_PROC);
  if (!userRange(satp, req, len, false) || !userRange(satp, reply, rmax < IPC_MSG_MAX ? rmax : IPC_MSG_MAX, true)) {
    kunlock(LOCK_PROC);
    ret(-EFAULT);
    return;
  }
  klock(LOCK_SCHED);
  const slot = epSlot(id);
  if (slot == IPC_ENDPOINTS_MAX) {
    kunlock(LOCK_SCHED);
    kunlock(LOCK_PROC);
    ret(-EBADF);
    return;
  }
  store<u32>(tb + T_IPC_EP, slot);
  store<u32>(tb + T_IPC_BUF, req);
  store<u32>(tb + T_IPC_LEN, len);
  store<u32>(tb + T_IPC_RBUF, reply);
  store<u32>(tb + T_IPC_RMAX, rmax < IPC_MSG_MAX ? rmax : IPC_MSG_MAX);
  const now = load<u64>(callH + H_MTIME);
  let state = TS_IPC_SEND;
  // A server already waiting takes the request now (registers are still on the hart: H_REGS holds ours).
  while (true) {
    const s = recvPop(slot);
    if (s == THREAD_NONE) break;
    const e = deliver(t, satp, s, satpOfThread(s));
    if (e == EFAULT) { wakeWith(s, -EFAULT, now); continue; } // the server's buffer went bad: it hears so
    if (e != 0) {
      recvPush(slot, s); // the request did not fit: the server goes on waiting
      kunlock(LOCK_SCHED);
      kunlock(LOCK_PROC);
      ret(-e);
      return;
    }
    wakeWith(s, tokenOf(t), now);
    state = TS_IPC_REPLY;
    break;
  }
  if (state == TS_IPC_SEND) sendPush(slot, t);
  ret(0);
  switchOut(callHart, state); // a0 is set when it is woken
  kunlock(LOCK_SCHED);
  kunlock(LOCK_PROC);
}

/**
 * ipc_recv(ep, buf, buf_max, len_out): take the oldest request on an endpoint of the caller's process,
 * waiting for one if none is there. Returns the client's token (for ipc_reply: its thread index and tid) with the request
 * in buf and its length at len_out; or -EBADF (no such endpoint), -EPERM (another process's), -EFAULT.
 * A waiting client whose request is longer than buf_max gets -EMSGSIZE and the next one is taken.
 */
function ipcRecv(): void {
  const id = arg(0), buf = arg(1), lenOut = arg(3);
  const max = arg(2) < IPC_MSG_MAX ? arg(2) : IPC_MSG_MAX;
  const satp = callSatp, t = callT, tb = callTb, p = callP;
  klock(LOCK_PROC);
  if (!userRange(satp, buf, max, true) || (lenOut & 3) != 0 || !userRange(satp, lenOut, 4, true)) {
    kunlock(LOCK_PROC);
    ret(-EFAULT);
    return;
  }
  klock(LOCK_SCHED);
  const slot = epSlot(id);
  let err: u32 = 0;
  if (slot == IPC_ENDPOINTS_MAX) err = EBADF;
  else if (load<u32>(epBase(slot) + EP_OWNER) != p + 1) err = EPERM;
  if (err != 0) {
    kunlock(LOCK_SCHED);
    kunlock(LOCK_PROC);
    ret(-err);
    return;
  }
  store<u32>(tb + T_IPC_EP, slot);
  store<u32>(tb + T_IPC_BUF, buf);
  store<u32>(tb + T_IPC_LEN, max);
  store<u32>(tb + T_IPC_RBUF, lenOut);
  const now = load<u64>(callH + H_MTIME);
  while (true) {
    const c = sendPop(slot);
    if (c == THREAD_NONE) break;
    const e = deliver(c, satpOfThread(c), t, satp);
    if (e != 0) { wakeWith(c, -e, now); continue; }
    store<u32>(threadBase(c) + T_STATE, TS_IPC_REPLY);
    kunlock(LOCK_SCHED);
    kunlock(LOCK_PROC);
    ret(tokenOf(c));
    return;
  }
  recvPush(slot, t);
  ret(0);
  switchOut(callHart, TS_IPC_RECV);
  kunlock(LOCK_SCHED);
  kunlock(LOCK_PROC);
}

/**
 * ipc_reply(token, buf, len): answer the client whose request this process received. 0, or -ESRCH (no
 * such client waiting on this process: it died, or was answered), -EMSGSIZE (longer than IPC_MSG_MAX or
 * the client's reply buffer: the client gets -EMSGSIZE too), -EFAULT (buf is bad; the client keeps waiting).
 */
function ipcReply(): u32 {
  const token = arg(0), buf = arg(1), len = arg(2);
  if (len > IPC_MSG_MAX) return -EMSGSIZE;
  const satp = callSatp, p = callP;
  klock(LOCK_PROC);
  if (!userRange(satp, buf, len, false)) { kunlock(LOCK_PROC); return -EFAULT; }
  klock(LOCK_SCHED);
  const c = token & (THREADS_MAX - 1);
  const known = load<u32>(threadBase(c) + T_STATE) == TS_IPC_REPLY && tokenOf(c) == token &&
    load<u32>(epBase(load<u32>(threadBase(c) + T_IPC_EP)) + EP_OWNER) == p + 1;
  let r: u32 = 0;
  if (!known) r = -ESRCH;
  else {
    const cb = threadBase(c);
    const now = load<u64>(callH + H_MTIME);
    if (len > load<u32>(cb + T_IPC_RMAX)) {
      wakeWith(c, -EMSGSIZE, now);
      r = -EMSGSIZE;
    } else if (!copyUserToUser(satp, buf, satpOfThread(c), load<u32>(cb + T_IPC_RBUF), len)) {
      wakeWith(c, -EFAULT, now); // the client's reply buffer went bad after its call
    } else {
      wakeWith(c, len, now);
    }
  }
  kunlock(LOCK_SCHED);
  kunlock(LOCK_PROC);
  return r;
}

/**
 * Process p is ending (under the SCHED lock): free its endpoints and wake every other process's client
 * waiting on one of them with -EPIPE. Its own blocked threads are released by the caller.
 */
export function ipcProcGone(p: u32, now: u64): void {
  for (let s: u32 = 0; s < IPC_ENDPOINTS_MAX; s++) {
    const b = epBase(s);
    if (load<u32>(b + EP_NAME) == 0 || load<u32>(b + EP_OWNER) != p + 1) continue;
    store<u32>(b + EP_NAME, 0);
    store<u32>(b + EP_OWNER, 0);
    store<u32>(b + EP_SEND_HEAD, 0); // every client on it is woken below; its own servers are released
    store<u32>(b + EP_SEND_TAIL, 0);
    store<u32>(b + EP_RECV_HEAD, 0);
    for (let t: u32 = 0; t < THREADS_MAX; t++) {
      const tb = threadBase(t);
      const st = load<u32>(tb + T_STATE);
      if ((st != TS_IPC_SEND && st != TS_IPC_REPLY) || load<u32>(tb + T_IPC_EP) != s) continue;
      if (load<u32>(tb + T_PROC) == p) continue;
      wakeWith(t, -EPIPE, now);
    }
  }
}

/** Requests delivered through endpoint `id` (statistics and tests); 0 for a free one. */
export function ipcEndpointCalls(id: u32): u64 {
  const slot = epSlot(id);
  return slot == IPC_ENDPOINTS_MAX ? 0 : load<u64>(epBase(slot) + EP_CALLS);
}

/** Threads blocked in IPC on the machine (tests). */
export function ipcWaiters(): u32 {
  let n: u32 = 0;
  for (let t: u32 = 0; t < THREADS_MAX; t++) if (threadInIpc(load<u32>(threadBase(t) + T_STATE))) n++;
  return n;
}
