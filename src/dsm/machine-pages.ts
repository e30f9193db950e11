// IVY's PageStore over one process's host-kept pages on a machine (src/machine/host-pages.ts): a fault the
// machine posts becomes a request of the node's IvyNode, held (LATER) until the page arrives; revocations
// and installs go to the machine's page tables. The caller delivers the Sends between the machine's slices.
import { HostPages, pageFaultOf, PAGE_SERVED, PAGE_LOST, LATER, SYS, type System } from '../machine/index.js';
import type { Access, IvyNode, PageStore, Send } from './ivy.js';

export class ProcessPages implements PageStore {
  readonly pages: HostPages;
  /** Fault ids held per page until it arrives. */
  private readonly held = new Map<number, number[]>();
  /** The pages the protocol keeps; a fault elsewhere is not the protocol's (the page is lost). */
  readonly shared = new Set<number>();

  constructor(readonly sys: System, readonly proc: number) {
    this.pages = new HostPages(sys.machine);
  }

  revoke(page: number, to: 'none' | 'read'): Uint8Array { return this.pages.revoke(this.proc, page, to); }

  install(page: number, bytes: Uint8Array | null, prot: Access): void {
    if (bytes === null) this.pages.protect(this.proc, page, prot);
    else this.pages.install(this.proc, page, bytes, prot);
  }

  resume(page: number): void {
    for (const id of this.held.get(page) ?? []) this.sys.hostcalls.ring.complete(id, PAGE_SERVED);
    this.held.delete(page);
  }

  /** Serve the machine's page faults through node; sends go to send. Before the run. */
  serve(node: IvyNode, send: (out: Send[]) => void): void {
    this.sys.serve(SYS.host_page, (call) => {
      const f = pageFaultOf(call);
      if (f.proc !== this.proc || !this.shared.has(f.page) || f.access === 'fetch') return PAGE_LOST;
      const ids = this.held.get(f.page) ?? [];
      ids.push(f.id);
      this.held.set(f.page, ids);
      send(node.fault(f.page, f.access));
      return LATER;
    });
  }
}
