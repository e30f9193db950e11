import { describe, expect, it } from 'vitest';
import { KvClientCore, type KvCallResult, type KvClientEnv, type WireKvRequest } from '../../src/kv/index.js';

/** A hand-driven environment: sent messages are collected, timers fire when the test advances time. */
function fakeEnv(): { env: KvClientEnv; sent: { to: string; msg: WireKvRequest }[]; advance: (ns: number) => void } {
  let now = 0;
  let next = 1;
  const timers = new Map<number, { at: number; cb: () => void }>();
  const sent: { to: string; msg: WireKvRequest }[] = [];
  const env: KvClientEnv = {
    send: (to, msg) => { sent.push({ to, msg: msg as WireKvRequest }); return true; },
    setTimer: (delay, cb) => { timers.set(next, { at: now + delay, cb }); return next++; },
    clearTimer: (id) => { timers.delete(id); },
    now_ns: () => now,
  };
  const advance = (ns: number): void => {
    const until = now + ns;
    for (;;) {
      const due = [...timers.entries()].filter(([, t]) => t.at <= until).sort((x, y) => x[1].at - y[1].at)[0];
      if (!due) break;
      timers.delete(due[0]);
      now = due[1].at;
      due[1].cb();
    }
    now = until;
  };
  return { env, sent, advance };
}

const policy = { attempt_timeout_ns: 100, backoff_base_ns: 10, backoff_max_ns: 40, clamp_to_deadline: true, fail_unsent: true };

describe('kv client core', () => {
  it('follows a leader hint, skips a silent server, keeps the session seq, and matches a late answer', () => {
    const { env, sent, advance } = fakeEnv();
    const core = new KvClientCore(['a', 'b', 'c'], env, policy, 'kv-client');
    const results: KvCallResult[] = [];
    const cmd = core.command('s', { op: 'put', key: 'k', value: 'v' });
    core.call(cmd, { deadline_ns: 10_000 }, (r) => results.push(r));
    expect(sent.map((s) => s.to)).toEqual(['a']);
    core.onMessage({ kind: 'kv-resp', req: sent[0]!.msg.req, ok: false, error: 'not the leader', leader: 'c', retry: true });
    advance(10);
    expect(sent.map((s) => s.to)).toEqual(['a', 'c']);
    advance(100); // c is silent: try the next one
    expect(sent.map((s) => s.to)).toEqual(['a', 'c', 'a']);
    expect(new Set(sent.map((s) => s.msg.cmd.seq))).toEqual(new Set([1]));
    // c's late answer to the earlier attempt completes the call.
    core.onMessage({ kind: 'kv-resp', req: sent[1]!.msg.req, ok: true, value: null });
    expect(results).toEqual([{ ok: true, value: null, server: 'c' }]);
    expect(core.leader).toBe('c');
    expect(core.command('s', { op: 'get', key: 'k' }).seq).toBe(2);
  });

  it('gives up at the deadline with the last error, and a definitive refusal at once', () => {
    const { env, sent, advance } = fakeEnv();
    const core = new KvClientCore(['a', 'b'], env, policy, 'kv-client');
    const results: KvCallResult[] = [];
    core.call(core.command('s', { op: 'get', key: 'k' }), { deadline_ns: 250 }, (r) => results.push(r));
    advance(1000);
    expect(results).toEqual([{ ok: false, kind: 'timeout', error: 'no answer from a' }]);
    expect(sent.map((s) => s.to)).toEqual(['a', 'b', 'a']);
    core.call(core.command('s', { op: 'get', key: 'k' }), { deadline_ns: 5000 }, (r) => results.push(r));
    core.onMessage({ kind: 'kv-resp', req: sent[3]!.msg.req, ok: false, error: 'bad key', leader: null, retry: false });
    expect(results[1]).toEqual({ ok: false, kind: 'refused', error: 'bad key' });
  });
});

describe('kv client core reply matching', () => {
  const named = { ...policy, named_replies: true };

  it('drops and counts a reply naming another session or seq, or answering no outstanding request', () => {
    const { env, sent } = fakeEnv();
    const core = new KvClientCore(['a', 'b'], env, named, 'kv-client');
    const results: KvCallResult[] = [];
    core.call(core.command('mine', { op: 'get', key: 'y' }), { deadline_ns: 10_000 }, (r) => results.push(r));
    const req = sent[0]!.msg.req;
    expect(sent[0]!.msg.named).toBe(true);
    // another process's answer with the same request number: another session, or this session's other seq
    core.onMessage({ kind: 'kv-resp', req, client: 'theirs', seq: 1, ok: true, value: 'Z' });
    core.onMessage({ kind: 'kv-resp', req, client: 'mine', seq: 7, ok: true, value: 'Z' });
    // an answer that names nothing, and one for a request never sent
    core.onMessage({ kind: 'kv-resp', req, ok: true, value: 'Z' });
    core.onMessage({ kind: 'kv-resp', req: req + 100, client: 'mine', seq: 1, ok: true, value: 'Z' });
    expect(results).toEqual([]);
    expect(core.dropped_replies).toBe(4);
    core.onMessage({ kind: 'kv-resp', req, client: 'mine', seq: 1, ok: true, value: 'Y' });
    expect(results).toEqual([{ ok: true, value: 'Y', server: 'a' }]);
    // a late copy of the answer to a finished call is dropped too
    core.onMessage({ kind: 'kv-resp', req, client: 'mine', seq: 1, ok: true, value: 'Y' });
    expect(core.dropped_replies).toBe(5);
  });

  it('drops a status answer from another node than the one asked', () => {
    const { env } = fakeEnv();
    const sentStatus: { to: string; req: number }[] = [];
    const core = new KvClientCore(['a', 'b'], { ...env, send: (to, m) => { sentStatus.push({ to, req: m.req }); return true; } }, named, 'kv-client');
    const got: unknown[] = [];
    core.status('a', 1000, (s) => got.push(s));
    const status = { id: 'b', role: 'leader', term: 1, lead: 'b', commit: 1, applied: 1, last_index: 1, snap_index: 0, voters: ['a', 'b'], learners: [], keys: 0 };
    core.onMessage({ kind: 'status-resp', req: sentStatus[0]!.req, status });
    expect(got).toEqual([]);
    expect(core.dropped_replies).toBe(1);
    core.onMessage({ kind: 'status-resp', req: sentStatus[0]!.req, status: { ...status, id: 'a' } });
    expect(got).toHaveLength(1);
  });
});
