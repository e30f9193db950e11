// The host's side of host-kept pages (assembly/hostpage.ts): the seam distributed shared memory and post-copy
// migration build on. A page of a process can be made absent here or read-only; a fault on it reaches the
// host as a PageFault (a host call, SYS.host_page); whoever serves it writes the bytes into the page's frame,
// sets the permission and answers 0 (the thread runs its access again), or answers a failure (SIGBUS, or
// SIGSEGV when the address is not the process's). Revoking lowers a page's permission with a TLB shootdown on
// every hart before it returns, so the bytes read afterwards are the last ones any thread wrote here.
// Precondition of every page operation: the machine is between slices (deterministic mode) or the call is made
// while no hart can be writing the page (it is absent or read-only here), as for process images.
import { InputError } from '../base/index.js';
import type { Machine } from './machine.js';
import type { HostAnswer, HostCall, HostReply } from './hostcall.js';
import { PTE, PAGE_BYTES, SIGBUS, SIGSEGV } from './abi.js';
import { EFAULT } from './syscalls.js';

/** Access of a fault, as the kernel's ACC_* (0 read, 1 write, 2 fetch). */
export type PageAccess = 'read' | 'write' | 'fetch';
const ACCESS: readonly PageAccess[] = ['read', 'write', 'fetch'];

/** What a page may be here: absent, a read-only copy (a store faults to the host), or writable (an ordinary page). */
export type PageProt = 'none' | 'read' | 'write' | 'read-exec' | 'write-exec';
const PROT_BITS: Record<PageProt, number> = {
  none: 0, read: PTE.R, write: PTE.R | PTE.W, 'read-exec': PTE.R | PTE.X, 'write-exec': PTE.R | PTE.W | PTE.X,
};

/** One fault on a host-kept page, as the kernel posted it. */
export interface PageFault {
  /** The host call's id: the answer goes to ring.complete(id, ...) when the service answered LATER. */
  readonly id: number;
  readonly proc: number;
  readonly pid: number;
  readonly tid: number;
  readonly thread: number;
  /** The page's address (4 KiB aligned) and the access that faulted. */
  readonly page: number;
  readonly access: PageAccess;
  /** What the page was here when it faulted. */
  readonly had: PageProt;
  readonly hart: number;
  /** Virtual time of the fault (the hart's mtime). */
  readonly mtime: bigint;
}

/** Answers to a fault: served (run the access again), or failed with SIGBUS (the page is lost) or SIGSEGV. */
export const PAGE_SERVED = 0;
export const PAGE_LOST: HostReply = { result: -EFAULT, signal: SIGBUS };
export const PAGE_FORBIDDEN: HostReply = { result: -EFAULT, signal: SIGSEGV };

function protOf(bits: number): PageProt {
  if ((bits & PTE.V) === 0) return 'none';
  const w = (bits & PTE.W) !== 0, x = (bits & PTE.X) !== 0;
  return w ? (x ? 'write-exec' : 'write') : (x ? 'read-exec' : 'read');
}

/** A host call of the page-fault kind (SYS.host_page) as a PageFault. */
export function pageFaultOf(call: HostCall): PageFault {
  return {
    id: call.id, proc: call.proc, pid: call.pid, tid: call.tid, thread: call.thread,
    page: call.args[0]! >>> 0, access: ACCESS[call.args[1]!] ?? 'read', had: protOf(call.args[3]!),
    hart: call.hart, mtime: call.mtime,
  };
}

/** The host-kept pages of one machine's processes. */
export class HostPages {
  constructor(readonly machine: Machine) {}

  private check(what: string, proc: number, va: number, r: number): number {
    if (r < 0) {
      throw new InputError(`host pages: ${what} of page 0x${(va >>> 0).toString(16)} of process slot ${proc} failed (errno ${-r}): ` +
        'no such live process, an address outside user space, or no page there');
    }
    return r >>> 0;
  }

  /** The physical address of the page's frame; with make, a page with no PTE becomes host-kept and absent. */
  frame(proc: number, va: number, make = false): number {
    return this.check('frame', proc, va, this.machine.kernel.hostPageFrame(proc, va >>> 0, make ? 1 : 0));
  }

  /** Set the page's permission here (see PageProt); lowering one shoots down every hart's TLB first. */
  protect(proc: number, va: number, prot: PageProt): void {
    this.check(`protect ${prot}`, proc, va, this.machine.kernel.hostPageSet(proc, va >>> 0, PROT_BITS[prot]));
  }

  /** A copy of the page's bytes. */
  read(proc: number, va: number): Uint8Array {
    const at = this.machine.host(this.frame(proc, va));
    return this.machine.bytes.slice(at, at + PAGE_BYTES);
  }

  /** Give the page its bytes (zeros when null) and permission: what serving a fault does. */
  install(proc: number, va: number, bytes: Uint8Array | null, prot: PageProt): void {
    if (bytes !== null && bytes.length !== PAGE_BYTES) throw new InputError(`host pages: a page is ${PAGE_BYTES} bytes, not ${bytes.length}`);
    const at = this.machine.host(this.frame(proc, va, true));
    if (bytes === null) this.machine.bytes.fill(0, at, at + PAGE_BYTES);
    else this.machine.bytes.set(bytes, at);
    this.protect(proc, va, prot);
  }

  /** Lower the page to `to` (absent or read-only) and return its bytes as they are after every hart let go. */
  revoke(proc: number, va: number, to: 'none' | 'read'): Uint8Array {
    this.frame(proc, va, true);
    this.protect(proc, va, to);
    return this.read(proc, va);
  }

  /** Every fault of proc on a page with no PTE goes to the host (on), or is served by the kernel (off). */
  all(proc: number, on: boolean): void {
    this.check('all', proc, 0x1000, this.machine.kernel.hostPagesAll(proc, on ? 1 : 0));
  }

  /** Faults of proc posted to the host. */
  faults(proc: number): bigint {
    return BigInt.asUintN(64, this.machine.kernel.hostPageFaults(proc));
  }
}

/** Serve the machine's page faults with handler (System.serve(SYS.host_page, ...) takes the result). */
export function pageFaultService(handler: (fault: PageFault) => HostAnswer): (call: HostCall) => HostAnswer {
  return (call) => handler(pageFaultOf(call));
}

