// Kernel access to user memory for system calls: every page is translated through the process's page
// tables with the user's permissions (so a bad pointer is an EFAULT, never a host crash). Bounded by len.
import { latin1Text } from '../base/index.js';
import type { Machine } from './machine.js';
import { ACC_READ, ACC_WRITE, PAGE_BYTES, PTE } from './layout.js';
import { leafSlot } from './page-walk.js';

/**
 * The host address of user address a under satp for access acc, or 0. A page that fails because it is host-kept
 * (PTE_HOST: absent here, or a read-only copy written to) is noted on the machine (hostKeptMiss), so the call can
 * wait for it and run again rather than fail.
 */
function translate(machine: Machine, satp: number, a: number, acc: number): number {
  const host = machine.kernel.vmTranslate(satp, a, acc) >>> 0;
  if (host === 0 && (satp & 0x8000_0000) !== 0) {
    const slot = leafSlot(machine, (satp & 0x3f_ffff) * PAGE_BYTES, a);
    if (slot !== null && (machine.u32(slot) & PTE.HOST) === PTE.HOST) {
      machine.hostKeptMiss = { satp, page: (a & ~(PAGE_BYTES - 1)) >>> 0, write: acc === ACC_WRITE };
    }
  }
  return host;
}

/** Copy len bytes at user address va; null if any page is not readable by the user. */
export function copyFromUser(machine: Machine, satp: number, va: number, len: number): Uint8Array | null {
  // Translate every page before allocating, so a huge length over a bad pointer costs no memory.
  const hosts: number[] = [];
  for (let done = 0; done < len;) {
    const a = (va + done) >>> 0;
    if (a < va && done > 0) return null; // wrapped around the address space
    const host = translate(machine, satp, a, ACC_READ) >>> 0;
    if (host === 0) return null;
    hosts.push(host);
    done += Math.min(len - done, PAGE_BYTES - (a & (PAGE_BYTES - 1)));
  }
  const out = new Uint8Array(len);
  for (let done = 0, i = 0; done < len; i++) {
    const a = (va + done) >>> 0;
    const n = Math.min(len - done, PAGE_BYTES - (a & (PAGE_BYTES - 1)));
    out.set(machine.bytes.subarray(hosts[i]!, hosts[i]! + n), done);
    done += n;
  }
  return out;
}

/** Copy data to user address va; false (nothing written) if any page is not writable by the user. */
export function copyToUser(machine: Machine, satp: number, va: number, data: Uint8Array): boolean {
  const hosts: number[] = [];
  for (let done = 0; done < data.length;) {
    const a = (va + done) >>> 0;
    if (a < va && done > 0) return false;
    const host = translate(machine, satp, a, ACC_WRITE) >>> 0;
    if (host === 0) return false;
    hosts.push(host);
    done += Math.min(data.length - done, PAGE_BYTES - (a & (PAGE_BYTES - 1)));
  }
  for (let done = 0, i = 0; done < data.length; i++) {
    const a = (va + done) >>> 0;
    const n = Math.min(data.length - done, PAGE_BYTES - (a & (PAGE_BYTES - 1)));
    machine.bytes.set(data.subarray(done, done + n), hosts[i]!);
    done += n;
  }
  return true;
}

/** True when [va, va + len) is writable by the user (nothing is written). */
export function userWritable(machine: Machine, satp: number, va: number, len: number): boolean {
  for (let done = 0; done < len;) {
    const a = (va + done) >>> 0;
    if (a < va && done > 0) return false;
    if ((translate(machine, satp, a, ACC_WRITE) >>> 0) === 0) return false;
    done += Math.min(len - done, PAGE_BYTES - (a & (PAGE_BYTES - 1)));
  }
  return true;
}

/** How many bytes from va on (at most len) are writable by the user: whole pages up to the first that is not. */
export function userWritableBytes(machine: Machine, satp: number, va: number, len: number): number {
  let done = 0;
  while (done < len) {
    const a = (va + done) >>> 0;
    if (a < va && done > 0) break;
    if ((translate(machine, satp, a, ACC_WRITE) >>> 0) === 0) break;
    done += Math.min(len - done, PAGE_BYTES - (a & (PAGE_BYTES - 1)));
  }
  return done;
}

/**
 * The NUL-terminated string at va (latin1: one character per byte) of fewer than max bytes: the string,
 * 'fault' when a byte before the NUL is unreadable, 'long' when no NUL comes within max bytes (ENAMETOOLONG
 * for a path, as Linux's strncpy_from_user of PATH_MAX).
 */
export function stringFromUser(machine: Machine, satp: number, va: number, max: number): string | 'fault' | 'long' {
  const parts: string[] = [];
  let length = 0;
  for (let a = va >>> 0; ;) {
    const host = translate(machine, satp, a, ACC_READ) >>> 0;
    if (host === 0) return 'fault';
    const n = PAGE_BYTES - (a & (PAGE_BYTES - 1));
    const page = machine.bytes.subarray(host, host + n);
    const nul = page.indexOf(0);
    const take = nul < 0 ? n : nul;
    if (length + take >= max) return 'long';
    parts.push(latin1Text(page.subarray(0, take)));
    length += take;
    if (nul >= 0) return parts.join('');
    a = (a + n) >>> 0;
    if (a === 0) return 'fault';
  }
}
