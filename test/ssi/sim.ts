// Simulated clusters running `procs` on every node, for the ssi tests: build one, find its leader, run it,
// and collect the outcome of calls with the virtual time they finished at.
import { SimCluster, type NodeService, type ServiceFactory } from '../../src/cluster/index.js';
import { ProcsService, type ProcsServiceOptions, type SsiOutcome } from '../../src/ssi/index.js';
import type { LinkParams } from '../../src/net/index.js';
import type { TraceOptions } from '../../src/sim/index.js';

export const MS = 1_000_000;

export interface ProcsSimOptions {
  readonly seed: number;
  readonly nodes: number;
  readonly procs?: ProcsServiceOptions;
  /** More services on every node (a workload), by name. */
  readonly extra?: Readonly<Record<string, ServiceFactory>>;
  readonly link?: Partial<LinkParams>;
  readonly trace?: TraceOptions;
}

export class ProcsSim {
  readonly c: SimCluster;
  readonly ids: readonly string[];

  constructor(o: ProcsSimOptions) {
    this.ids = Array.from({ length: o.nodes }, (_, i) => `n${i + 1}`);
    const services: Record<string, ServiceFactory> = { procs: () => new ProcsService(o.procs), ...o.extra };
    this.c = new SimCluster({
      seed: o.seed, nodes: this.ids.map((id) => ({ id, services })),
      ...(o.link ? { link: o.link } : {}), ...(o.trace ? { trace: o.trace } : {}),
    });
  }

  procs(id: string): ProcsService | undefined {
    return this.c.service<ProcsService>(id, 'procs');
  }

  service<T extends NodeService>(id: string, name: string): T | undefined {
    return this.c.service<T>(id, name);
  }

  /** The node leading in the highest term, among the nodes up (null when none). */
  leader(among: readonly string[] = this.ids): string | null {
    let best: { id: string; term: number } | null = null;
    for (const id of among) {
      const h = this.procs(id)?.host;
      if (h?.raft.role === 'leader' && (!best || h.raft.term > best.term)) best = { id, term: h.raft.term };
    }
    return best?.id ?? null;
  }

  run(ms: number): void {
    this.c.sim.runFor(ms * MS);
  }

  /** Run until `cond` holds (checked after every event) or `ms` pass; true when it held. */
  runUntil(cond: () => boolean, ms: number): boolean {
    return this.c.sim.run({ until_ns: this.c.sim.now_ns + ms * MS, stop_when: cond }).reason === 'condition' || cond();
  }

  get now_ms(): number {
    return this.c.sim.now_ns / MS;
  }
}

/** A call's outcome and when it arrived, filled in by the callback `cb()` returns. */
export class Outcome<T> {
  result: SsiOutcome<T> | undefined;
  at_ms = -1;
  constructor(private readonly s: ProcsSim) {}
  readonly cb = (r: SsiOutcome<T>): void => {
    if (this.result) throw new Error('a call finished twice');
    this.result = r;
    this.at_ms = this.s.now_ms;
  };
  get value(): T {
    if (!this.result?.ok) throw new Error(`call failed: ${JSON.stringify(this.result)}`);
    return this.result.value;
  }
}
