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
//
// In a cluster (KS_CLUSTER) endpoint names are cluster-wide: ipc_register, an ipc_lookup of a name not
// registered here, and an ipc_call on an endpoint elsewhere (id with IPC_REMOTE) go to the host, which keeps
// the names in the cluster's directory and carries calls to the endpoint's machine as RPCs. There the host
// delivers a request through one of IPC_HOST_SLOTS records (ipcHost* below): it waits in its endpoint's host
// queue as a waiting client would, a receiving server takes it (local clients and requests from elsewhere
// alternate when both wait), and its reply token carries IPC_TOKEN_HOST, so the reply lands in the record
// for the host to send back.
import {
  H_MTIME, LOCK_SCHED, LOCK_PROC, T_PROC, T_TID, T_STATE, T_IPC_EP, T_IPC_BUF, T_IPC_LEN, T_IPC_RBUF,
  T_IPC_RMAX, T_IPC_NEXT, P_SATP, IPC_BASE, IPC_EP_BYTES, EP_NAME, EP_OWNER, EP_CALLS, EP_GEN, EP_SEND_HEAD,
  EP_SEND_TAIL, EP_RECV_HEAD, EP_HOST_HEAD, EP_HOST_TAIL, EP_TURN, KS, KS_CLUSTER, ipcHostRecord, HR_STATE, HR_EP,
  HR_LEN, HR_RMAX, HR_RESULT, HR_NEXT, HR_GEN, HR_BUF, P_PID, P_STATE, HRS_FREE, HRS_FILLING, HRS_QUEUED, HRS_SERVING,
  HRS_ANSWERED,
} from './blocks';
import {
  THREADS_MAX, IPC_ENDPOINTS_MAX, IPC_MSG_MAX, IPC_SLOT_BITS as SLOT_BITS, IPC_GEN_BITS,
  IPC_TOKEN_SLOT_BITS as TOKEN_SLOT_BITS, IPC_TOKEN_TID_BITS, IPC_HOST_SLOTS, PROCS_MAX, IPC_REMOTE,
  IPC_TOKEN_HOST,
} from './limits';
import { klock, kunlock } from './klock';
import { procBase, PROC_LIVE } from './proc';
import { threadBase, threadInIpc, threadSetResult, THREAD_NONE, TS_IPC_SEND, TS_IPC_RECV, TS_IPC_REPLY } from './thread';
import { switchOut, threadWake } from './sched';
import { machineNow } from './timer';
import { userRange, copyUserToUser, copyUserToKernel, copyKernelToUser, writeUser32 } from './usercopy';
import { callHart, callH, callT, callTb, callP, callSatp, arg, ret } from './caller';

// Atoll's own system call numbers (ATOLL_SYS_BASE + n) and the errno values, shared with the host and the
// guest header (abi/defs.mjs).
import {
  NR_IPC_REGISTER, NR_IPC_LOOKUP, NR_IPC_CALL, NR_IPC_RECV, NR_IPC_REPLY, EPERM, ENOENT, ESRCH, EBADF, EFAULT, EINVAL,
  ENOSPC, EPIPE, EMSGSIZE, EADDRINUSE, EAGAIN, EBUSY,
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

function inCluster(): bool { return atomic.load<u32>(KS + KS_CLUSTER) != 0; }

/**
 * Serve an IPC call for the current caller (caller.ts); false when nr is not one, or when the host serves it
 * (cluster-wide names: a registration, a name not registered here, a call to an endpoint elsewhere).
 */
export function ipcSyscall(nr: u32): bool {
  switch (nr) {
    case NR_IPC_REGISTER:
      if (inCluster() && arg(0) != 0) return false;
      ret(ipcRegister(callP, arg(0)));
      return true;
    case NR_IPC_LOOKUP: {
      const id = ipcLookup(arg(0));
      if (id == -ENOENT && inCluster()) return false;
      ret(id);
      return true;
    }
    case NR_IPC_CALL:
      if ((arg(0) & IPC_REMOTE) != 0 && inCluster()) return false;
      ipcCall();
      return true;
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

/**
 * The host registers an endpoint for process index proc (ipc_register in a cluster, once the name is the
 * caller's cluster-wide): its id, or -ESRCH (the process is not live), -EINVAL, -EADDRINUSE, -ENOSPC.
 */
export function ipcRegisterProc(proc: u32, name: u32): i32 {
  if (proc >= PROCS_MAX) return -EINVAL;
  if (load<u32>(procBase(proc) + P_STATE) != PROC_LIVE) return -ESRCH;
  return <i32>ipcRegister(proc, name);
}

/** ipc_lookup(name): the id of the endpoint registered under name, or -ENOENT. Also the host's lookup. */
export function ipcLookup(name: u32): u32 {
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

// A host record's token: IPC_TOKEN_HOST | its use count << TOKEN_SLOT_BITS | record index.
function hostToken(r: u32): u32 {
  return IPC_TOKEN_HOST | ((load<u32>(ipcHostRecord(r) + HR_GEN) & TOKEN_TID_MASK) << TOKEN_SLOT_BITS) | r;
}

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
  const e = epBase(slot);
  const hostFirst = load<u32>(e + EP_TURN) != 0;
  store<u32>(e + EP_TURN, hostFirst ? 0 : 1);
  let got = hostFirst ? recvHost(slot, satp, buf, max, lenOut) : 0;
  if (got == 0) got = recvLocal(slot, t, satp, now);
  if (got == 0 && !hostFirst) got = recvHost(slot, satp, buf, max, lenOut);
  if (got != 0) {
    kunlock(LOCK_SCHED);
    kunlock(LOCK_PROC);
    ret(got);
    return;
  }
  recvPush(slot, t);
  ret(0);
  switchOut(callHart, TS_IPC_RECV);
  kunlock(LOCK_SCHED);
  kunlock(LOCK_PROC);
}

/** The oldest waiting local client's request into server t's buffer: its token, or 0 when none waits. Under both locks. */
function recvLocal(slot: u32, t: u32, satp: u32, now: u64): u32 {
  while (true) {
    const c = sendPop(slot);
    if (c == THREAD_NONE) return 0;
    const e = deliver(c, satpOfThread(c), t, satp);
    if (e != 0) { wakeWith(c, -e, now); continue; }
    store<u32>(threadBase(c) + T_STATE, TS_IPC_REPLY);
    return tokenOf(c);
  }
}

/**
 * The oldest request from another machine on the endpoint into the receiving server's buffer: its token, or 0
 * when none waits. One longer than the buffer is answered -EMSGSIZE and the next is taken. Under both locks.
 */
function recvHost(slot: u32, satp: u32, buf: u32, max: u32, lenOut: u32): u32 {
  while (true) {
    const r = hostPop(slot);
    if (r == IPC_HOST_SLOTS) return 0;
    const err = hostDeliver(r, satp, buf, max, lenOut);
    if (err != 0) { hostAnswer(r, -err); continue; }
    return hostToken(r);
  }
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
  if ((token & IPC_TOKEN_HOST) != 0) {
    const r = hostReply(token, satp, p, buf, len);
    kunlock(LOCK_SCHED);
    kunlock(LOCK_PROC);
    return r;
  }
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
    store<u32>(b + EP_HOST_HEAD, 0);
    store<u32>(b + EP_HOST_TAIL, 0);
    for (let r: u32 = 0; r < IPC_HOST_SLOTS; r++) {
      const st = load<u32>(ipcHostRecord(r) + HR_STATE);
      if ((st == HRS_QUEUED || st == HRS_SERVING) && load<u32>(ipcHostRecord(r) + HR_EP) == s) hostAnswer(r, -EPIPE);
    }
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

// ---- requests from other machines (the host's side of cluster-wide endpoints) ----------------------------

function hostPush(slot: u32, r: u32): void {
  const e = epBase(slot);
  store<u32>(ipcHostRecord(r) + HR_NEXT, 0);
  const tail = load<u32>(e + EP_HOST_TAIL);
  if (tail == 0) store<u32>(e + EP_HOST_HEAD, r + 1);
  else store<u32>(ipcHostRecord(tail - 1) + HR_NEXT, r + 1);
  store<u32>(e + EP_HOST_TAIL, r + 1);
}

/** Take the oldest request from elsewhere waiting on the endpoint, or IPC_HOST_SLOTS. */
function hostPop(slot: u32): u32 {
  const e = epBase(slot);
  const head = load<u32>(e + EP_HOST_HEAD);
  if (head == 0) return IPC_HOST_SLOTS;
  const next = load<u32>(ipcHostRecord(head - 1) + HR_NEXT);
  store<u32>(e + EP_HOST_HEAD, next);
  if (next == 0) store<u32>(e + EP_HOST_TAIL, 0);
  return head - 1;
}

/** Take record r out of its endpoint's queue (a cancel). Bounded by IPC_HOST_SLOTS. */
function hostUnlink(r: u32): void {
  const e = epBase(load<u32>(ipcHostRecord(r) + HR_EP));
  let prev: u32 = 0;
  let cur = load<u32>(e + EP_HOST_HEAD);
  for (let n: u32 = 0; cur != 0 && n < IPC_HOST_SLOTS; n++) {
    const next = load<u32>(ipcHostRecord(cur - 1) + HR_NEXT);
    if (cur == r + 1) {
      if (prev == 0) store<u32>(e + EP_HOST_HEAD, next);
      else store<u32>(ipcHostRecord(prev - 1) + HR_NEXT, next);
      if (load<u32>(e + EP_HOST_TAIL) == r + 1) store<u32>(e + EP_HOST_TAIL, prev);
      return;
    }
    prev = cur;
    cur = next;
  }
}

/** Record r is answered with v (a reply's length, or -errno): the host takes it from here. */
function hostAnswer(r: u32, v: u32): void {
  store<u32>(ipcHostRecord(r) + HR_RESULT, v);
  atomic.store<u32>(ipcHostRecord(r) + HR_STATE, HRS_ANSWERED);
}

/** Copy record r's request to a receiving server (satp, buf of max bytes, its length word): 0 or the errno. */
function hostDeliver(r: u32, satp: u32, buf: u32, max: u32, lenOut: u32): u32 {
  const rb = ipcHostRecord(r);
  const len = load<u32>(rb + HR_LEN);
  if (len > max) return EMSGSIZE;
  if (!copyKernelToUser(satp, buf, rb + HR_BUF, len)) return EFAULT;
  if (!writeUser32(satp, lenOut, len)) return EFAULT;
  const e = epBase(load<u32>(rb + HR_EP));
  store<u64>(e + EP_CALLS, load<u64>(e + EP_CALLS) + 1);
  store<u32>(rb + HR_STATE, HRS_SERVING);
  return 0;
}

/** ipc_reply to a request from elsewhere: the reply into its record. 0, -ESRCH, -EMSGSIZE, -EFAULT. Under both locks. */
function hostReply(token: u32, satp: u32, p: u32, buf: u32, len: u32): u32 {
  const r = token & (THREADS_MAX - 1);
  if (r >= IPC_HOST_SLOTS) return -ESRCH;
  const rb = ipcHostRecord(r);
  if (load<u32>(rb + HR_STATE) != HRS_SERVING || hostToken(r) != token) return -ESRCH;
  if (load<u32>(epBase(load<u32>(rb + HR_EP)) + EP_OWNER) != p + 1) return -ESRCH;
  if (len > load<u32>(rb + HR_RMAX)) { hostAnswer(r, -EMSGSIZE); return -EMSGSIZE; }
  if (!copyUserToKernel(satp, buf, rb + HR_BUF, len)) return -EFAULT; // checked above: only a racing unmap
  store<u32>(rb + HR_LEN, len);
  hostAnswer(r, len);
  return 0;
}

/** The host reserves a free record for a request from elsewhere: its index (write the request at HR_BUF), or -EAGAIN. */
export function ipcHostReserve(): i32 {
  klock(LOCK_SCHED);
  let found: i32 = -EAGAIN;
  for (let r: u32 = 0; r < IPC_HOST_SLOTS; r++) {
    const rb = ipcHostRecord(r);
    if (load<u32>(rb + HR_STATE) != HRS_FREE) continue;
    store<u32>(rb + HR_GEN, load<u32>(rb + HR_GEN) + 1);
    store<u32>(rb + HR_STATE, HRS_FILLING);
    found = <i32>r;
    break;
  }
  kunlock(LOCK_SCHED);
  return found;
}

/**
 * Deliver reserved record r (len request bytes at HR_BUF, the client takes at most rmax) to the endpoint
 * registered under name by process pid: 0 (it waits for, or went to, a receiver), or -EBADF (no such
 * endpoint of that process: the record is freed), -EMSGSIZE, -EINVAL (r not reserved).
 */
export function ipcHostDeliver(r: u32, name: u32, pid: u32, len: u32, rmax: u32): i32 {
  if (r >= IPC_HOST_SLOTS) return -EINVAL;
  const rb = ipcHostRecord(r);
  klock(LOCK_PROC);
  klock(LOCK_SCHED);
  let err: u32 = 0;
  let slot: u32 = IPC_ENDPOINTS_MAX;
  if (load<u32>(rb + HR_STATE) != HRS_FILLING) err = EINVAL;
  else if (len > IPC_MSG_MAX) err = EMSGSIZE;
  else {
    for (let s: u32 = 0; s < IPC_ENDPOINTS_MAX; s++) {
      const b = epBase(s);
      if (name == 0 || load<u32>(b + EP_NAME) != name) continue;
      const owner = load<u32>(b + EP_OWNER);
      if (owner != 0 && load<u32>(procBase(owner - 1) + P_PID) == pid) slot = s;
      break;
    }
    if (slot == IPC_ENDPOINTS_MAX) err = EBADF;
  }
  if (err != 0) {
    if (err != EINVAL) store<u32>(rb + HR_STATE, HRS_FREE);
    kunlock(LOCK_SCHED);
    kunlock(LOCK_PROC);
    return -<i32>err;
  }
  store<u32>(rb + HR_EP, slot);
  store<u32>(rb + HR_LEN, len);
  store<u32>(rb + HR_RMAX, rmax < IPC_MSG_MAX ? rmax : IPC_MSG_MAX);
  store<u32>(rb + HR_STATE, HRS_QUEUED);
  const now = machineNow();
  // A server already waiting takes it now (the most recently idle one, as for a local client).
  while (true) {
    const s = recvPop(slot);
    if (s == THREAD_NONE) { hostPush(slot, r); break; }
    const sb = threadBase(s);
    const e = hostDeliver(r, satpOfThread(s), load<u32>(sb + T_IPC_BUF), load<u32>(sb + T_IPC_LEN), load<u32>(sb + T_IPC_RBUF));
    if (e == EFAULT) { wakeWith(s, -EFAULT, now); continue; }
    if (e != 0) { recvPush(slot, s); hostAnswer(r, -e); break; } // too long for the server: the client hears so
    wakeWith(s, hostToken(r), now);
    break;
  }
  kunlock(LOCK_SCHED);
  kunlock(LOCK_PROC);
  return 0;
}

/** Withdraw record r (its caller gave up): 0 when it had not reached a server (now freed), -EBUSY when a server has it, -EINVAL otherwise. */
export function ipcHostCancel(r: u32): i32 {
  if (r >= IPC_HOST_SLOTS) return -EINVAL;
  const rb = ipcHostRecord(r);
  klock(LOCK_SCHED);
  const st = load<u32>(rb + HR_STATE);
  let v: i32 = -EINVAL;
  if (st == HRS_QUEUED) hostUnlink(r);
  if (st == HRS_QUEUED || st == HRS_FILLING) { store<u32>(rb + HR_STATE, HRS_FREE); v = 0; } else if (st == HRS_SERVING) v = -EBUSY;
  kunlock(LOCK_SCHED);
  return v;
}

/** The first answered record (its HR_RESULT and, for a reply, HR_LEN bytes at HR_BUF), or -1. */
export function ipcHostAnswered(): i32 {
  for (let r: u32 = 0; r < IPC_HOST_SLOTS; r++) if (atomic.load<u32>(ipcHostRecord(r) + HR_STATE) == HRS_ANSWERED) return <i32>r;
  return -1;
}

/** The host has taken answered record r: it is free again. */
export function ipcHostFree(r: u32): void {
  if (r >= IPC_HOST_SLOTS) return;
  klock(LOCK_SCHED);
  if (load<u32>(ipcHostRecord(r) + HR_STATE) == HRS_ANSWERED) store<u32>(ipcHostRecord(r) + HR_STATE, HRS_FREE);
  kunlock(LOCK_SCHED);
}
