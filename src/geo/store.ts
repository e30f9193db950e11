// The geo store's node service: every node is a replica of every key and a coordinator for the clients
// of its centre.
//   write: stamp a version (hybrid clock, above the session's write floor), apply it here, send it to the
//     other replicas of the centre and acknowledge once `write_quorum` of them (this one included) hold
//     it: LOCAL_QUORUM, 2 of 3 by default. The write also goes, in the background and without waiting, to
//     every replica of the other centres (`geo.repl`, fire and forget).
//   read: ask the replicas of the centre; answer with the highest version once `read_quorum` have
//     answered and that version meets the session's floor for the key. A quorum that lacks the session's
//     writes (or reads) makes the read wait for the third local replica, and ask again, until the deadline.
//     Replicas that answered an older version are repaired with the newer one.
//   anti-entropy: every `anti_entropy_ns` each replica compares digests (32 bucket hashes) with the next
//     peer of a seeded round-robin over all replicas; differing buckets exchange versions, then entries.
//     That repairs what replication missed: a cut WAN, a lost message, a replica that was down.
// Nothing waits for another centre. A request that cannot gather a local quorum before `deadline_ns`
// fails with `no-local-quorum`; a read whose local replicas all lack the session's versions fails with
// `session-behind`. Entries are synced to storage before a replica acknowledges them.
// Bounds: `max_ops` coordinations in flight; AE_ENTRIES_MAX entries per anti-entropy message.
import type { NodeContext, NodeService } from '../node/index.js';
import { RpcClient, RpcServer } from '../rpc/index.js';
import { compareVersions, formatVersion, HybridClock, isVersion, VERSION_ZERO, type Version } from './hlc.js';
import { checkKey, DIGEST_BUCKETS, GeoInputError, isEntry, ReplicaStore, type Entry, type ReplicaLimits } from './replica.js';
import { afterOp, isSessionState, readFloor, writeFloor, type SessionState } from './session.js';
import { GeoConfigError, geoTopologyOf, type GeoTopology } from './topology.js';

export const AE_ENTRIES_MAX = 512;
/** The service a client (`atoll geo`) receives answers on, unless its request names another. */
export const GEO_CLIENT_SERVICE = 'geo-client';
const MS = 1_000_000;

export interface GeoStoreOptions {
  readonly topology: GeoTopology;
  /** Local replicas that must acknowledge a write (default: a majority of the centre, 2 of 3). */
  readonly write_quorum?: number;
  /** Local replicas a read waits for (default: a majority of the centre). */
  readonly read_quorum?: number;
  /** Deadline of one read or write (default 50 ms). */
  readonly deadline_ns?: number;
  /** Resend to local replicas that did not answer this often (default 5 ms). */
  readonly retry_ns?: number;
  /** Anti-entropy period (default 100 ms; 0: never). */
  readonly anti_entropy_ns?: number;
  /** Send each write to the other centres at once (default true; false leaves it all to anti-entropy). */
  readonly replicate?: boolean;
  readonly max_ops?: number;
  readonly limits?: ReplicaLimits;
}

export type GeoFailure = 'no-local-quorum' | 'session-behind' | 'busy' | 'bad-request';

export type GeoResult =
  | {
    readonly ok: true;
    /** write: the value written; read: the value found (null: no such key, or deleted). */
    readonly value: string | null;
    readonly version: Version;
    /** write: the version of the key its coordinator held when it wrote (what it overwrote knowingly). */
    readonly prev?: Version;
    /** The local replicas whose answers made the quorum. */
    readonly replicas: readonly string[];
  }
  | {
    readonly ok: false;
    readonly error: GeoFailure;
    readonly message: string;
    /** A write that failed may still spread: it is held by its coordinator. */
    readonly maybe_applied: boolean;
    /** Such a write's version and prev. */
    readonly version?: Version;
    readonly prev?: Version;
  };

/** A client's request (a process outside the cluster): the session travels with it and back. */
export interface GeoClientRequest {
  readonly t: 'geo.client.req';
  readonly id: number;
  readonly op: 'put' | 'get' | 'ls';
  /** put/get: the key; ls: the prefix. */
  readonly key: string;
  readonly value?: string | null;
  readonly session: SessionState;
  readonly reply_to?: string;
}

export interface GeoClientReply {
  readonly t: 'geo.client.rep';
  readonly id: number;
  readonly result: GeoResult;
  /** ls: the keys with a live value under the prefix on the answering replica. */
  readonly keys?: readonly string[];
  /** The session after the request (unchanged when it failed). */
  readonly session: SessionState;
  /** The replica that answered, and its centre. */
  readonly node: string;
  readonly centre: string;
}

function parseClientRequest(msg: unknown): GeoClientRequest | undefined {
  if (msg === null || typeof msg !== 'object') return undefined;
  const m = msg as Record<string, unknown>;
  if (m['t'] !== 'geo.client.req' || !Number.isSafeInteger(m['id']) || typeof m['key'] !== 'string' || !isSessionState(m['session'])) return undefined;
  if (m['op'] !== 'put' && m['op'] !== 'get' && m['op'] !== 'ls') return undefined;
  if (!(m['value'] === undefined || m['value'] === null || typeof m['value'] === 'string')) return undefined;
  if (!(m['reply_to'] === undefined || typeof m['reply_to'] === 'string')) return undefined;
  return m as unknown as GeoClientRequest;
}

const OPTION_KEYS = ['centres', 'write_quorum', 'read_quorum', 'deadline_ms', 'retry_ms', 'anti_entropy_ms', 'replicate'];

/** The `geo` service's options in a cluster config: `{ "centres": { "dc1": ["n1", "n2", "n3"], ... }, "deadline_ms"?: 50, ... }`. */
export function parseGeoOptions(o: Readonly<Record<string, unknown>>): GeoStoreOptions {
  for (const k of Object.keys(o)) if (!OPTION_KEYS.includes(k)) throw new GeoConfigError(`geo: unknown option '${k}' (known: ${OPTION_KEYS.join(', ')})`);
  const centres = o['centres'];
  if (centres === null || typeof centres !== 'object' || Array.isArray(centres)) throw new GeoConfigError('geo: option centres must map each centre name to its replicas\' node ids');
  const num = (k: string): number | undefined => {
    const v = o[k];
    if (v === undefined) return undefined;
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw new GeoConfigError(`geo: option ${k} must be a number >= 0, got ${JSON.stringify(v)}`);
    return v;
  };
  const ms = (k: string): number | undefined => { const v = num(k); return v === undefined ? undefined : Math.round(v * MS); };
  const replicate = o['replicate'];
  if (replicate !== undefined && typeof replicate !== 'boolean') throw new GeoConfigError('geo: option replicate must be true or false');
  const out: Record<string, unknown> = { topology: geoTopologyOf(centres as Record<string, string[]>) };
  const set = (k: string, v: unknown): void => { if (v !== undefined) out[k] = v; };
  set('write_quorum', num('write_quorum'));
  set('read_quorum', num('read_quorum'));
  set('deadline_ns', ms('deadline_ms'));
  set('retry_ns', ms('retry_ms'));
  set('anti_entropy_ns', ms('anti_entropy_ms'));
  set('replicate', replicate);
  return out as unknown as GeoStoreOptions;
}

type AeMessage =
  | { readonly t: 'geo.repl'; readonly entries: readonly Entry[] }
  | { readonly t: 'geo.ae.digest'; readonly buckets: readonly number[] }
  | { readonly t: 'geo.ae.versions'; readonly buckets: readonly number[]; readonly versions: readonly (readonly [string, Version])[] }
  | { readonly t: 'geo.ae.pull'; readonly keys: readonly string[] };

function parseAe(msg: unknown): AeMessage | undefined {
  if (msg === null || typeof msg !== 'object') return undefined;
  const m = msg as Record<string, unknown>;
  const nums = (x: unknown): boolean => Array.isArray(x) && x.length <= DIGEST_BUCKETS && x.every((n) => Number.isSafeInteger(n) && (n as number) >= 0);
  switch (m['t']) {
    case 'geo.repl':
      return Array.isArray(m['entries']) && m['entries'].length <= AE_ENTRIES_MAX && m['entries'].every(isEntry) ? (m as AeMessage) : undefined;
    case 'geo.ae.digest':
      return nums(m['buckets']) ? (m as AeMessage) : undefined;
    case 'geo.ae.versions': {
      const vs = m['versions'];
      const ok = Array.isArray(vs) && vs.every((p) => Array.isArray(p) && p.length === 2 && typeof p[0] === 'string' && isVersion(p[1]));
      return nums(m['buckets']) && ok ? (m as AeMessage) : undefined;
    }
    case 'geo.ae.pull':
      return Array.isArray(m['keys']) && m['keys'].length <= AE_ENTRIES_MAX && m['keys'].every((k) => typeof k === 'string') ? (m as AeMessage) : undefined;
    default:
      return undefined;
  }
}

export interface GeoStoreStats {
  writes: number;
  reads: number;
  /** Reads that waited past their first quorum for the session's versions. */
  session_waits: number;
  repaired_by_read: number;
  repaired_by_ae: number;
  replicated_in: number;
  ae_rounds: number;
}

export class GeoStore implements NodeService {
  private ctx: NodeContext | undefined;
  private rpc: RpcClient | undefined;
  private server: RpcServer | undefined;
  private replica: ReplicaStore | undefined;
  private hlc: HybridClock | undefined;
  private centre = '';
  private local: readonly string[] = [];
  private remote: readonly string[] = [];
  private aeOrder: string[] = [];
  private aeNext = 0;
  private inFlight = 0;
  private readonly deadline_ns: number;
  private readonly retry_ns: number;
  private readonly maxOps: number;
  readonly stats: GeoStoreStats = { writes: 0, reads: 0, session_waits: 0, repaired_by_read: 0, repaired_by_ae: 0, replicated_in: 0, ae_rounds: 0 };

  constructor(private readonly opts: GeoStoreOptions) {
    this.deadline_ns = opts.deadline_ns ?? 50 * MS;
    this.retry_ns = opts.retry_ns ?? 5 * MS;
    this.maxOps = opts.max_ops ?? 10_000;
    if (!(this.deadline_ns > 0 && this.retry_ns > 0)) throw new RangeError('deadline_ns and retry_ns must be > 0');
  }

  /** This replica's entries and conflict log (undefined before start). */
  get store(): ReplicaStore | undefined {
    return this.replica;
  }

  get writeQuorum(): number {
    return this.opts.write_quorum ?? Math.floor(this.local.length / 2) + 1;
  }

  get readQuorum(): number {
    return this.opts.read_quorum ?? Math.floor(this.local.length / 2) + 1;
  }

  start(ctx: NodeContext): void {
    const topo = this.opts.topology;
    this.ctx = ctx;
    this.centre = topo.centreOf(ctx.id);
    this.local = topo.replicas.get(this.centre)!;
    this.remote = topo.nodes.filter((n) => topo.centreOf(n) !== this.centre);
    for (const [name, q] of [['write_quorum', this.writeQuorum], ['read_quorum', this.readQuorum]] as const) {
      if (!Number.isSafeInteger(q) || q < 1 || q > this.local.length) throw new RangeError(`${name} must be 1..${this.local.length} (the replicas of ${this.centre}), got ${q}`);
    }
    this.replica = new ReplicaStore(ctx.id, ctx.storage, this.opts.limits);
    this.hlc = new HybridClock(ctx.id, () => ctx.now_ns());
    for (const e of this.replica.all()) this.hlc.observe(e.v);
    this.rpc = new RpcClient(ctx);
    this.server = new RpcServer(ctx);
    this.server.register('geo.get', (args) => {
      const key = (args as { key?: unknown } | null)?.key;
      if (typeof key !== 'string') throw new Error('geo.get takes {key}');
      return this.replica!.get(key) ?? null;
    }, { idempotent: true });
    this.server.register('geo.put', (args) => {
      if (!isEntry(args)) throw new Error('geo.put takes an entry {key, value, v, prev}');
      this.take([args]);
      return { v: this.replica!.version(args.key) };
    }, { idempotent: true });
    const rng = ctx.rng.split('anti-entropy');
    this.aeOrder = [...ctx.peers].filter((p) => topo.nodes.includes(p));
    for (let i = this.aeOrder.length - 1; i > 0; i--) {
      const j = rng.int(0, i);
      [this.aeOrder[i], this.aeOrder[j]] = [this.aeOrder[j]!, this.aeOrder[i]!];
    }
    const every = this.opts.anti_entropy_ns ?? 100 * MS;
    if (every > 0 && this.aeOrder.length > 0) {
      const round = (): void => { this.antiEntropy(); ctx.setTimer(every, round); };
      // replicas start their rounds spread over one period
      ctx.setTimer(Math.round(rng.uniform(0, every)), round);
    }
  }

  onMessage(from: string, msg: unknown): void {
    if (this.server?.handle(from, msg)) return;
    if (this.rpc?.handle(from, msg)) return;
    if (!this.replica) return;
    const m = parseAe(msg);
    if (m) { this.onAe(from, m); return; }
    const req = parseClientRequest(msg);
    if (req) this.onClient(from, req);
  }

  /** A client's put, get or ls: run it here as its coordinator, answer with the result and the new session. */
  private onClient(from: string, req: GeoClientRequest): void {
    const ctx = this.ctx!;
    const answer = (result: GeoResult, session: SessionState, keys?: readonly string[]): void => {
      const rep: GeoClientReply = { t: 'geo.client.rep', id: req.id, result, session, node: ctx.id, centre: this.centre, ...(keys ? { keys } : {}) };
      ctx.send(from, rep, req.reply_to ?? GEO_CLIENT_SERVICE);
    };
    if (req.op === 'ls') {
      answer({ ok: true, value: null, version: VERSION_ZERO, replicas: [ctx.id] }, req.session, this.replica!.list(req.key));
      return;
    }
    const done = (r: GeoResult): void => answer(r, r.ok ? afterOp(req.session, req.op === 'put' ? 'write' : 'read', req.key, r.version) : req.session);
    if (req.op === 'put') this.put(req.session, req.key, req.value ?? null, done);
    else this.get(req.session, req.key, done);
  }

  stop(): void {
    this.rpc?.close();
  }

  /** Keys with a live value under `prefix` on this replica alone (no quorum), sorted. */
  list(prefix = ''): string[] {
    return this.started().list(prefix);
  }

  /** Write `value` (null deletes) for `session`; cb runs exactly once. */
  put(session: SessionState, key: string, value: string | null, cb: (r: GeoResult) => void): void {
    const rep = this.started();
    try { checkKey(key); } catch (err) { cb({ ok: false, error: 'bad-request', message: (err as Error).message, maybe_applied: false }); return; }
    if (!this.admit(cb)) return;
    const end = this.end(cb);
    this.stats.writes++;
    const e: Entry = { key, value, v: this.hlc!.tick(writeFloor(session)), prev: rep.version(key) };
    try {
      this.take([e]);
    } catch (err) {
      end({ ok: false, error: 'bad-request', message: (err as Error).message, maybe_applied: false });
      return;
    }
    if (this.opts.replicate ?? true) for (const n of this.remote) this.ctx!.send(n, { t: 'geo.repl', entries: [e] });
    const acked = [this.ctx!.id];
    const need = this.writeQuorum;
    if (acked.length >= need) { end({ ok: true, value, version: e.v, prev: e.prev, replicas: acked }); return; }
    let over = false;
    const deadline = this.ctx!.setTimer(this.deadline_ns, () => {
      over = true;
      end({ ok: false, error: 'no-local-quorum', maybe_applied: true, version: e.v, prev: e.prev, message: `write ${key}: ${acked.length} of ${this.local.length} replicas of ${this.centre} acknowledged within ${this.deadline_ns / MS} ms, ${need} needed; the write is held by ${this.ctx!.id} and may still spread (the store never waits for another centre)` });
    });
    for (const n of this.local) {
      if (n === this.ctx!.id) continue;
      this.rpc!.call(n, 'geo.put', e, { deadline_ns: this.deadline_ns, retry_ns: this.retry_ns }, (o) => {
        if (over || !o.ok) return;
        acked.push(n);
        if (acked.length === need) {
          over = true;
          this.ctx!.clearTimer(deadline);
          end({ ok: true, value, version: e.v, prev: e.prev, replicas: acked });
        }
      });
    }
  }

  /** Read `key` for `session` from a local quorum that holds the session's floor; cb runs exactly once. */
  get(session: SessionState, key: string, cb: (r: GeoResult) => void): void {
    const rep = this.started();
    try { checkKey(key); } catch (err) { cb({ ok: false, error: 'bad-request', message: (err as Error).message, maybe_applied: false }); return; }
    if (!this.admit(cb)) return;
    const end = this.end(cb);
    this.stats.reads++;
    const ctx = this.ctx!;
    const floor = readFloor(session, key);
    const answers = new Map<string, Entry | null>();
    let over = false;
    let waited = false;
    let poll: number | undefined;
    const best = (): Entry | null => {
      let b: Entry | null = null;
      for (const e of answers.values()) if (e && (b === null || compareVersions(e.v, b.v) > 0)) b = e;
      return b;
    };
    const finish = (r: GeoResult): void => {
      over = true;
      ctx.clearTimer(deadline);
      if (poll !== undefined) ctx.clearTimer(poll);
      end(r);
    };
    const evaluate = (): void => {
      if (over || answers.size < this.readQuorum) return;
      const b = best();
      if (compareVersions(b?.v ?? VERSION_ZERO, floor) >= 0) {
        if (b) this.repair(b, answers);
        finish({ ok: true, value: b?.value ?? null, version: b?.v ?? VERSION_ZERO, replicas: [...answers.keys()] });
        return;
      }
      if (!waited) { waited = true; this.stats.session_waits++; }
      // the quorum lacks what the session saw: ask again those that answered (the rest are still asked)
      if (poll === undefined) poll = ctx.setTimer(this.retry_ns, () => { poll = undefined; for (const n of [...answers.keys()]) ask(n); });
    };
    const ask = (n: string): void => {
      if (over) return;
      if (n === ctx.id) { answers.set(n, rep.get(key) ?? null); evaluate(); return; }
      this.rpc!.call(n, 'geo.get', { key }, { deadline_ns: this.deadline_ns, retry_ns: this.retry_ns }, (o) => {
        if (over || !o.ok) return;
        const e = o.result === null ? null : isEntry(o.result) ? o.result : undefined;
        if (e === undefined) return;
        if (e) this.hlc!.observe(e.v);
        const had = answers.get(n);
        if (!had || !e || compareVersions(e.v, had.v) > 0) answers.set(n, e ?? had ?? null);
        evaluate();
      });
    };
    const deadline = ctx.setTimer(this.deadline_ns, () => {
      if (over) return;
      if (answers.size < this.readQuorum) {
        finish({ ok: false, error: 'no-local-quorum', maybe_applied: false, message: `read ${key}: ${answers.size} of ${this.local.length} replicas of ${this.centre} answered within ${this.deadline_ns / MS} ms, ${this.readQuorum} needed (the store never waits for another centre)` });
      } else {
        finish({ ok: false, error: 'session-behind', maybe_applied: false, message: `read ${key}: the replicas of ${this.centre} hold version ${formatVersion(best()?.v ?? VERSION_ZERO)}, older than ${formatVersion(floor)} that this session wrote or read; it has not reached ${this.centre} within ${this.deadline_ns / MS} ms` });
      }
    });
    for (const n of this.local) ask(n);
  }

  private started(): ReplicaStore {
    if (!this.replica) throw new Error('the geo store is not started');
    return this.replica;
  }

  private admit(cb: (r: GeoResult) => void): boolean {
    if (this.inFlight >= this.maxOps) {
      cb({ ok: false, error: 'busy', message: `more than ${this.maxOps} operations in flight at ${this.ctx!.id}`, maybe_applied: false });
      return false;
    }
    this.inFlight++;
    return true;
  }

  private end(cb: (r: GeoResult) => void): (r: GeoResult) => void {
    let done = false;
    return (r) => {
      if (done) throw new Error('geo store: an operation ended twice');
      done = true;
      this.inFlight--;
      cb(r);
    };
  }

  /** Apply entries (newer wins, conflicts logged), make them durable; true when any changed this replica. */
  private take(entries: readonly Entry[]): boolean {
    let changed = false;
    for (const e of entries) {
      this.hlc!.observe(e.v);
      const r = this.replica!.apply(e);
      if (r === 'new' || r === 'newer') changed = true;
    }
    this.ctx!.storage.sync();
    return changed;
  }

  /** Send the read's answer to the local replicas that answered an older version (and take it here). */
  private repair(b: Entry, answers: ReadonlyMap<string, Entry | null>): void {
    for (const [n, e] of answers) {
      if (e && compareVersions(e.v, b.v) >= 0) continue;
      this.stats.repaired_by_read++;
      if (n === this.ctx!.id) this.take([b]);
      else this.rpc!.call(n, 'geo.put', b, { deadline_ns: this.deadline_ns, retry_ns: this.deadline_ns }, () => {});
    }
  }

  private antiEntropy(): void {
    const peer = this.aeOrder[this.aeNext++ % this.aeOrder.length]!;
    this.stats.ae_rounds++;
    this.ctx!.send(peer, { t: 'geo.ae.digest', buckets: this.replica!.digest() });
  }

  private onAe(from: string, m: AeMessage): void {
    const rep = this.replica!;
    const ctx = this.ctx!;
    switch (m.t) {
      case 'geo.repl':
        this.stats.replicated_in++;
        this.take(m.entries);
        return;
      case 'geo.ae.digest': {
        const mine = rep.digest();
        const differ = mine.flatMap((h, i) => (h !== m.buckets[i] ? [i] : []));
        if (differ.length === 0) return;
        ctx.send(from, { t: 'geo.ae.versions', buckets: differ, versions: rep.versionsIn(new Set(differ)) });
        return;
      }
      case 'geo.ae.versions': {
        // push what we hold newer (or they lack), pull what they hold newer (or we lack)
        const theirs = new Map(m.versions.map(([k, v]) => [k, v] as const));
        const push: Entry[] = [];
        for (const [k] of rep.versionsIn(new Set(m.buckets))) {
          const e = rep.get(k)!;
          const t = theirs.get(k);
          if (t === undefined || compareVersions(e.v, t) > 0) push.push(e);
        }
        const pull = [...theirs].filter(([k, v]) => compareVersions(v, rep.version(k)) > 0).map(([k]) => k);
        for (let i = 0; i < push.length; i += AE_ENTRIES_MAX) ctx.send(from, { t: 'geo.repl', entries: push.slice(i, i + AE_ENTRIES_MAX) });
        for (let i = 0; i < pull.length; i += AE_ENTRIES_MAX) ctx.send(from, { t: 'geo.ae.pull', keys: pull.slice(i, i + AE_ENTRIES_MAX) });
        this.stats.repaired_by_ae += push.length;
        return;
      }
      case 'geo.ae.pull': {
        const entries = m.keys.flatMap((k) => { const e = rep.get(k); return e ? [e] : []; });
        if (entries.length > 0) ctx.send(from, { t: 'geo.repl', entries });
        this.stats.repaired_by_ae += entries.length;
        return;
      }
    }
  }
}

export { GeoInputError };
