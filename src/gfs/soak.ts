// A fault soak of the global namespace: clients on every node of a simulated cluster make random file operations
// through their node's mount (lookups, creates, unlinks, renames; reads, writes at offsets and appends on files they
// hold open; and compare-and-set under an fcntl-style lock on a shared counter) while the network loses,
// duplicates and delays messages, a node crashes and restarts, and a minority is cut off and healed. The history
// (virtual-time calls and returns, an EIO as an unknown outcome) is checked for linearizability against the
// file-system model (src/check/file-model.ts). Deterministic: one seed, one run.
import { SimCluster } from '../cluster/index.js';
import { checkOperations, fileModel, type FileInput, type FileOutput, type Operation } from '../check/index.js';
import { Prng } from '../sim/index.js';
import { FsError, Later, LOCK_END, type FileHandle, type Maybe } from '../vfs/index.js';
import { GfsMount } from './mount.js';
import { GfsService } from './service.js';

const MS = 1_000_000;
const PATHS = ['/a', '/b', '/c'];
const COUNTER = '/counter';
const COUNTER_WIDTH = 4;
const HANDLES_MAX = 3;
/** An operation not answered in this long (virtual) ends as unknown. */
const WATCHDOG_MS = 5000;

export interface GfsSoakOptions {
  readonly seed: number;
  readonly nodes?: number;
  /** Operations each client makes (one client per node). */
  readonly ops?: number;
  /** Crashes, a partition, loss and duplication (default true). */
  readonly faults?: boolean;
  /**
   * Read without the read barrier (this node's replica as it is): not linearizable, for showing that the check
   * finds what a stale replica gives.
   */
  readonly stale_reads?: boolean;
}

export interface GfsSoakResult {
  readonly seed: number;
  readonly operations: number;
  /** Operations whose outcome is unknown (EIO: the deadline passed). */
  readonly unknown: number;
  readonly verdict: 'ok' | 'illegal' | 'unknown';
  /** The operations of a violation, described (empty when linearizable). */
  readonly counterexample: readonly string[];
  readonly faults: readonly string[];
}

type Op = Operation<FileInput, FileOutput>;

interface Held {
  readonly h: FileHandle;
  readonly ino: number;
}

export function runGfsSoak(o: GfsSoakOptions): GfsSoakResult {
  const n = o.nodes ?? 3;
  const ids = Array.from({ length: n }, (_, i) => `n${i + 1}`);
  const faults = o.faults ?? true;
  const rng = new Prng(o.seed).split('gfs-soak');
  const c = new SimCluster({
    seed: o.seed, nodes: ids.map((id) => ({ id, services: { gfs: () => new GfsService({ call_timeout_ms: 800 }) } })),
    link: { latency: { kind: 'uniform', min_ns: MS, max_ns: 3 * MS }, ...(faults ? { loss: 0.02, duplicate: 0.02 } : {}) },
  });
  const sim = c.sim;
  const svc = (id: string): GfsService | undefined => c.service<GfsService>(id, 'gfs');
  const up = (id: string): boolean => c.node(id).status !== 'down' && svc(id)?.host !== undefined;
  sim.run({ until_ns: 5000 * MS, stop_when: () => ids.some((id) => svc(id)?.host?.raft.role === 'leader') });
  sim.runFor(300 * MS);

  const history: Op[] = [];
  /** Run until m settles (or the bound): its value, an FsError, or null when it never did. */
  const settle = <T>(m: Maybe<T>, bound_ms = 30_000): T | FsError | null => {
    if (!(m instanceof Later)) return m;
    let out: { v: T } | { e: FsError } | null = null;
    m.then((v) => { out = { v }; }, (e) => { out = { e }; });
    sim.run({ until_ns: sim.now_ns + bound_ms * MS, stop_when: () => out !== null });
    const r = out as { v: T } | { e: FsError } | null;
    return r === null ? null : 'v' in r ? r.v : r.e;
  };

  // The shared counter, made before the clients start (part of the history).
  const setupNode = ids[0]!;
  const setup = new GfsMount(svc(setupNode)!);
  const t0 = sim.now_ns;
  const counter = settle(setup.open(['counter'], { read: true, write: true, create: true, exclusive: true, truncate: false, directory: false, mode: 0o644 }));
  if (!(counter instanceof Object) || counter instanceof FsError) throw new Error(`gfs soak: the counter could not be made (${String(counter)})`);
  const counterIno = (counter as FileHandle & { ino: number }).ino;
  history.push({ client: 'setup', input: { op: 'create', path: COUNTER, exclusive: true }, output: counterIno, call: t0, ret: sim.now_ns });
  const t1 = sim.now_ns;
  const w = settle(counter.write(new TextEncoder().encode('0'.repeat(COUNTER_WIDTH)), 0));
  if (w instanceof FsError || w === null) throw new Error('gfs soak: the counter could not be written');
  history.push({ client: 'setup', input: { op: 'write', ino: counterIno, pos: 0, data: '0'.repeat(COUNTER_WIDTH) }, output: 'ok', call: t1, ret: sim.now_ns });

  // Faults at seeded times over the clients' run.
  const faultLog: string[] = [];
  /** Restarts of each node so far (a client's handles die with its node's boot). */
  const boots = new Map(ids.map((id) => [id, 0]));
  if (faults) {
    const victim = ids[rng.int(0, n - 1)]!;
    const crashAt = rng.int(100, 600), restartAt = crashAt + rng.int(200, 800);
    sim.after(crashAt * MS, () => { c.crash(victim); faultLog.push(`crash ${victim} at +${crashAt}ms`); });
    sim.after(restartAt * MS, () => { c.restart(victim); boots.set(victim, (boots.get(victim) ?? 0) + 1); faultLog.push(`restart ${victim} at +${restartAt}ms`); });
    const cut = ids[rng.int(0, n - 1)]!;
    const cutAt = rng.int(300, 1200), healAt = cutAt + rng.int(300, 1500);
    sim.after(cutAt * MS, () => { c.net.isolate(cut); faultLog.push(`isolate ${cut} at +${cutAt}ms`); });
    sim.after(healAt * MS, () => { c.net.rejoin(cut); faultLog.push(`rejoin ${cut} at +${healAt}ms`); });
  }

  // Clients: one per node, each a loop of operations with a pause between them. Operations are asynchronous, so
  // the clients' operations overlap in virtual time; an operation not answered within WATCHDOG_MS (its node went
  // down under it) ends as unknown.
  const opsEach = o.ops ?? 20;
  const enc = new TextEncoder(), dec = new TextDecoder('latin1');
  interface Client { readonly node: string; readonly k: number; done: number; held: Held[]; counter: FileHandle | null; boot: number }
  let unknown = 0;
  const record = (client: number, input: FileInput, call: number, r: FileOutput | FsError | null): void => {
    if ((r instanceof FsError && r.code === 'EIO') || r === null) {
      unknown++;
      history.push({ client, input, output: undefined, call, ret: null });
    } else if (r instanceof FsError) {
      history.push({ client, input, output: r.code, call, ret: sim.now_ns });
    } else history.push({ client, input, output: r, call, ret: sim.now_ns });
  };
  /** fn(value or FsError) once m settles, or fn(null) if it has not within WATCHDOG_MS. */
  const when = <T>(m: Maybe<T>, fn: (r: T | FsError | null) => void): void => {
    let done = false;
    const once = (r: T | FsError | null): void => { if (!done) { done = true; fn(r); } };
    if (!(m instanceof Later)) { once(m); return; }
    sim.after(WATCHDOG_MS * MS, () => once(null));
    m.then((v) => once(v), (e) => once(e));
  };
  const out = <T>(x: T | FsError | null, f: (v: T) => FileOutput): FileOutput | FsError | null => {
    if (x === null || x instanceof FsError) return x as FsError | null;
    return f(x);
  };
  const tryOut = (f: () => FileOutput): FileOutput | FsError => {
    try { return f(); } catch (e) { if (e instanceof FsError) return e; throw e; }
  };
  const RWC = (exclusive: boolean) => ({ read: true, write: true, create: true, exclusive, truncate: false, directory: false, mode: 0o644 });

  const issue = (cl: Client, s: GfsService, finished: () => void): void => {
    const m = new GfsMount(s);
    const pick = rng.int(0, 99);
    const path = PATHS[rng.int(0, PATHS.length - 1)]!;
    const call = sim.now_ns;
    const end = (input: FileInput, r: FileOutput | FsError | null, at = call): void => { record(cl.k, input, at, r); finished(); };
    if (pick < 15 || (cl.held.length === 0 && (pick < 45 || pick >= 60))) {
      const exclusive = rng.int(0, 3) === 0;
      when(m.open([path.slice(1)], RWC(exclusive)), (r) => {
        if (r !== null && !(r instanceof FsError)) {
          cl.held.push({ h: r, ino: (r as FileHandle & { ino: number }).ino });
          if (cl.held.length > HANDLES_MAX) cl.held.shift()!.h.close();
        }
        end({ op: 'create', path, exclusive }, out(r, (h) => (h as FileHandle & { ino: number }).ino));
      });
      return;
    }
    const barrier = (b: Maybe<void>): Maybe<void> => (o.stale_reads === true ? undefined : b);
    if (pick < 30) {
      when(barrier(m.ready()!), (r) => end({ op: 'lookup', path }, r === null || r instanceof FsError ? r : tryOut(() => Number(m.lstat([path.slice(1)]).ino))));
      return;
    }
    if (pick < 38) { when(m.unlink([path.slice(1)]), (r) => end({ op: 'unlink', path }, out(r, () => 'ok'))); return; }
    if (pick < 45) {
      const to = PATHS[rng.int(0, PATHS.length - 1)]!;
      if (to === path) { finished(); return; }
      when(m.rename([path.slice(1)], [to.slice(1)], false), (r) => end({ op: 'rename', from: path, to }, out(r, () => 'ok')));
      return;
    }
    if (pick < 60) {
      // Compare-and-set of the counter under a lock: lock, barrier, read, write if it holds what was expected, unlock.
      const ino = counterIno, file = String(ino);
      const owner = { family: 'posix' as const, id: `p${9000 + cl.k}`, pid: 9000 + cl.k, node: '' };
      const guess = rng.int(0, 1) === 0 ? null : String(rng.int(0, 30)).padStart(COUNTER_WIDTH, '0');
      const unlock = (): void => s.locks.releaseOwner(file, owner.id);
      const withCounter = (go: (h: FileHandle) => void): void => {
        if (cl.counter !== null) { go(cl.counter); return; }
        when(m.open(['counter'], { read: true, write: true, create: false, exclusive: false, truncate: false, directory: false, mode: 0 }), (h) => {
          if (h === null || h instanceof FsError) { unlock(); finished(); return; }
          cl.counter = h;
          go(h);
        });
      };
      when(s.locks.set(file, { owner, type: 'write', start: 0, end: LOCK_END, wait: true }).result, (l) => {
        if (l === null || l instanceof FsError) { unlock(); finished(); return; }
        when(s.barrier(), (b) => {
          if (b === null || b instanceof FsError) { unlock(); finished(); return; }
          const seen = dec.decode(s.tree.read(ino, 0, COUNTER_WIDTH));
          const expect = guess ?? seen;
          const value = String((Number(expect) + 1) % 10000).padStart(COUNTER_WIDTH, '0');
          const at = sim.now_ns;
          if (expect !== seen) { unlock(); end({ op: 'cas', ino, expect, value }, false, at); return; }
          withCounter((h) => when(h.write(enc.encode(value), 0), (r) => {
            unlock();
            end({ op: 'cas', ino, expect, value }, out(r, () => true), at);
          }));
        });
      });
      return;
    }
    const held = cl.held[rng.int(0, cl.held.length - 1)]!;
    if (pick < 75) {
      when(barrier(held.h.ready!()!), (b) => end({ op: 'read', ino: held.ino }, b === null || b instanceof FsError ? b : tryOut(() => {
        const buf = new Uint8Array(Number(held.h.stat().size));
        held.h.read(buf, 0);
        return dec.decode(buf);
      })));
      return;
    }
    const data = String.fromCharCode(97 + rng.int(0, 25)).repeat(rng.int(1, 4));
    if (pick < 88) {
      const pos = rng.int(0, 8);
      when(held.h.write(enc.encode(data), pos), (r) => end({ op: 'write', ino: held.ino, pos, data }, out(r, () => 'ok')));
      return;
    }
    when(held.h.append!(enc.encode(data)), (r) => end({ op: 'append', ino: held.ino, data }, out(r, () => 'ok')));
  };

  const clients: Client[] = ids.map((node, k) => ({ node, k, done: 0, held: [], counter: null, boot: 0 }));
  let running = clients.length;
  const loop = (cl: Client): void => {
    if (cl.done >= opsEach) { running--; return; }
    const s = svc(cl.node);
    if (!up(cl.node) || s === undefined) { sim.after(50 * MS, () => loop(cl)); return; }
    const boot = boots.get(cl.node)!;
    if (boot !== cl.boot) { cl.held = []; cl.counter = null; cl.boot = boot; } // its node restarted: its holds are gone
    issue(cl, s, () => {
      cl.done++;
      sim.after(rng.int(0, 5) * MS, () => loop(cl));
    });
  };
  for (const cl of clients) sim.after(rng.int(0, 5) * MS, () => loop(cl));
  sim.run({ until_ns: sim.now_ns + 600_000 * MS, stop_when: () => running === 0 });
  const r = checkOperations(fileModel, history);
  const bad = r.verdict === 'illegal' && r.counterexample ? r.counterexample.ops.map((op) => fileModel.describe!(op.input, op.output)) : [];
  return { seed: o.seed, operations: history.length, unknown, verdict: r.verdict, counterexample: bad, faults: faultLog };
}
