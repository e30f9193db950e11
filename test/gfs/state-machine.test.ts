// The global namespace's state machine: mutations applied in log order with their proposer's time, a retried
// command applied once, holds that keep an unlinked file until released (or their node is gone), snapshots that
// restore the same state, and bad commands refused without a change.
import { describe, expect, it } from 'vitest';
import { GfsStateMachine, encodeCommand, type GfsOp, type GfsResult } from '../../src/gfs/index.js';

const how = { write: true, create: true, exclusive: false, truncate: false, directory: false, mode: 0o644 };
const b64 = (s: string): string => Buffer.from(s).toString('base64');

class Log {
  index = 0;
  seq = 0;
  constructor(readonly m = new GfsStateMachine(), readonly client = 'n1~1') {}
  run(op: GfsOp, seq = ++this.seq, time = 1000 + this.index): GfsResult {
    return this.m.apply(++this.index, encodeCommand({ client: this.client, seq, time_ns: String(time), op }))!;
  }
  ok(op: GfsOp): number {
    const r = this.run(op);
    if (!r.ok) throw new Error(`refused: ${r.errno} ${r.detail ?? ''}`);
    return r.value;
  }
}

describe('the global namespace state machine', () => {
  it('applies mutations in order, stamps them with the command\'s time, and answers Linux errno names', () => {
    const log = new Log();
    log.ok({ op: 'mkdir', path: ['data'], mode: 0o755 });
    const ino = log.ok({ op: 'open', path: ['data', 'config.txt'], how });
    expect(log.ok({ op: 'write', ino, pos: 0, data: b64('speed=1\n') })).toBe(8);
    expect(new TextDecoder().decode(log.m.tree.read(ino, 0, 100))).toBe('speed=1\n');
    expect(log.m.tree.stat(ino).mtime_ns).toBe(1002n);
    expect(log.run({ op: 'mkdir', path: ['data'], mode: 0o755 })).toEqual({ ok: false, errno: 'EEXIST' });
    expect(log.run({ op: 'rmdir', path: ['data'] })).toEqual({ ok: false, errno: 'ENOTEMPTY' });
    expect(log.run({ op: 'write', ino: 999, pos: 0, data: '' })).toEqual({ ok: false, errno: 'EBADF' });
  });

  it('applies a retried command once and answers it again', () => {
    const log = new Log();
    const ino = log.ok({ op: 'open', path: ['f'], how });
    const w: GfsOp = { op: 'write', ino, pos: 0, data: b64('once') };
    const first = log.run(w, 10);
    expect(log.run({ op: 'write', ino, pos: 4, data: b64('!') }, 10)).toEqual(first); // the same seq: the cached answer
    expect(log.m.tree.stat(ino).size).toBe(4n);
  });

  it('keeps an unlinked file while it is held, and a node\'s holds go with the node', () => {
    const log = new Log();
    const ino = log.ok({ op: 'open', path: ['f'], how });
    log.ok({ op: 'write', ino, pos: 0, data: b64('kept') });
    const h1 = log.ok({ op: 'hold', ino, node: 'n1' });
    log.ok({ op: 'hold', ino, node: 'n3' });
    log.ok({ op: 'unlink', path: ['f'] });
    expect(new TextDecoder().decode(log.m.tree.read(ino, 0, 10))).toBe('kept');
    log.ok({ op: 'release', hold: h1 });
    expect(log.run({ op: 'release', hold: h1 })).toEqual({ ok: false, errno: 'EBADF' });
    expect(log.m.tree.stat(ino).nlink).toBe(0);
    expect(log.ok({ op: 'release-node', node: 'n3' })).toBe(1);
    expect(() => log.m.tree.stat(ino)).toThrow(/EBADF/);
    expect(log.m.holdCount).toBe(0);
  });

  it('restores from its snapshot to the same state', () => {
    const log = new Log();
    log.ok({ op: 'mkdir', path: ['a'], mode: 0o700 });
    const ino = log.ok({ op: 'open', path: ['a', 'f'], how });
    log.ok({ op: 'write', ino, pos: 70_000, data: b64('far out') });
    log.ok({ op: 'symlink', target: 'a/f', path: ['l'] });
    log.ok({ op: 'hold', ino, node: 'n2' });
    const snap = log.m.snapshot();
    const other = new GfsStateMachine();
    other.restore(snap);
    expect(other.snapshot()).toBe(snap);
    expect(other.tree.readlink(['l'])).toBe('a/f');
    expect(new TextDecoder().decode(other.tree.read(ino, 70_000, 7))).toBe('far out');
    expect(other.tree.bytesUsed).toBe(log.m.tree.bytesUsed);
    other.restore('');
    expect(other.tree.inodeCount).toBe(1);
  });

  it('refuses a malformed command with EINVAL and changes nothing', () => {
    const m = new GfsStateMachine();
    const before = m.snapshot();
    for (const raw of ['not json', '{}', JSON.stringify({ client: 'c', seq: 1, time_ns: '1', op: { op: 'mkdir', path: ['..'], mode: 0o755 } }),
      JSON.stringify({ client: 'c', seq: 1, time_ns: 'soon', op: { op: 'unlink', path: ['x'] } }),
      JSON.stringify({ client: 'c', seq: 1, time_ns: '1', op: { op: 'write', ino: 1, pos: -1, data: '' } }),
      JSON.stringify({ client: 'c', seq: 1, time_ns: '1', op: { op: 'format-disk' } })]) {
      const r = m.apply(m.applied + 1, raw)!;
      expect(r.ok).toBe(false);
      expect(r.ok ? '' : r.errno).toBe('EINVAL');
    }
    expect(JSON.parse(m.snapshot()).tree).toEqual(JSON.parse(before).tree);
  });
});
