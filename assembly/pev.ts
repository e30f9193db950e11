// The process-event ring (block pev of abi/defs.mjs): what the host must learn of a process's life before it
// serves any later call. A fork reserves a record before it makes anything (no room: the call goes to the
// host, which drains the ring) and posts into it once the child exists; the events of a process's end
// (PEV_ENDED, PEV_REPARENT) cannot wait, so they take a record beyond the reservations or are counted lost
// (PEV_LOST: the process table still says what happened). The kernel writes a record, then bumps PEV_HEAD;
// the host reads from PEV_TAIL and stores it. Every change under LOCK_LEAF, inside whatever lock the caller holds.
import {
  PEV_BASE, PEV_HEAD, PEV_TAIL, PEV_RESERVED, PEV_LOST, pevRecord, PE_KIND, PE_PID, PE_PARENT_PID, PE_FLAGS, LOCK_LEAF,
} from './blocks';
import { PEV_ENTRIES } from './limits';
import { klock, kunlock } from './klock';

/** Records taken: posted and not consumed, plus reserved. Under LOCK_LEAF. */
function pevUsed(): u32 {
  return load<u32>(PEV_BASE + PEV_HEAD) - atomic.load<u32>(PEV_BASE + PEV_TAIL) + load<u32>(PEV_BASE + PEV_RESERVED);
}

/** Write one record and publish it. Under LOCK_LEAF, with room. */
function pevWrite(kind: u32, pid: u32, a: u32, b: u32): void {
  const head = load<u32>(PEV_BASE + PEV_HEAD);
  const r = pevRecord(head % PEV_ENTRIES);
  store<u32>(r + PE_KIND, kind);
  store<u32>(r + PE_PID, pid);
  store<u32>(r + PE_PARENT_PID, a);
  store<u32>(r + PE_FLAGS, b);
  atomic.store<u32>(PEV_BASE + PEV_HEAD, head + 1); // the record is complete before the host may see it
}

/** Hold a record for a fork's event: false when the ring has no room. */
export function pevReserve(): bool {
  klock(LOCK_LEAF);
  const room = pevUsed() < PEV_ENTRIES;
  if (room) store<u32>(PEV_BASE + PEV_RESERVED, load<u32>(PEV_BASE + PEV_RESERVED) + 1);
  kunlock(LOCK_LEAF);
  return room;
}

function unreserve(): void {
  const n = load<u32>(PEV_BASE + PEV_RESERVED);
  assert(n != 0, 'process events: releasing a record not reserved');
  store<u32>(PEV_BASE + PEV_RESERVED, n - 1);
}

/** Give back a record pevReserve held (the fork failed). */
export function pevRelease(): void {
  klock(LOCK_LEAF);
  unreserve();
  kunlock(LOCK_LEAF);
}

/** Post an event into the record pevReserve held. */
export function pevPostReserved(kind: u32, pid: u32, a: u32, b: u32): void {
  klock(LOCK_LEAF);
  unreserve();
  pevWrite(kind, pid, a, b);
  kunlock(LOCK_LEAF);
}

/** Post an event that cannot wait: into a record no fork holds, else counted in PEV_LOST. */
export function pevNotify(kind: u32, pid: u32, a: u32, b: u32): void {
  klock(LOCK_LEAF);
  if (pevUsed() < PEV_ENTRIES) pevWrite(kind, pid, a, b);
  else store<u32>(PEV_BASE + PEV_LOST, load<u32>(PEV_BASE + PEV_LOST) + 1);
  kunlock(LOCK_LEAF);
}
