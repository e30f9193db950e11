import { mkdtempSync, appendFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ConfigError } from '../../src/cluster/config.js';
import { parseClusterConfig } from '../../src/services/index.js';
import { ServiceFileStorage as FileStorage } from '../../src/cluster/index.js';
import { decodeBody, encodeFrame, FrameReader } from '../../src/net/tcp/frame.js';
import { run as scenario } from '../../src/cli/commands/scenario.js';
import { UsageError } from '../../src/base/index.js';

const key = Buffer.alloc(32, 7);
const frame = (payload = '{"a":1}', k = key): Buffer => encodeFrame(k, { type: 'data', src: 'n1', dst: 'n2', payload: Buffer.from(payload) });

describe('frames', () => {
  it('round-trips a frame and splits a stream arriving in pieces', () => {
    const bytes = Buffer.concat([frame('{"a":1}'), frame('{"b":2}')]);
    const r = new FrameReader(1 << 20);
    const bodies: Buffer[] = [];
    for (let i = 0; i < bytes.length; i += 7) {
      const got = r.push(bytes.subarray(i, i + 7));
      expect(Array.isArray(got)).toBe(true);
      bodies.push(...(got as Buffer[]));
    }
    expect(bodies.map((b) => decodeBody(key, b))).toEqual([
      { type: 'data', src: 'n1', dst: 'n2', payload: Buffer.from('{"a":1}') },
      { type: 'data', src: 'n1', dst: 'n2', payload: Buffer.from('{"b":2}') },
    ]);
    expect(r.buffered).toBe(0);
  });

  it('refuses a flipped bit, a wrong key, a wrong version and inconsistent lengths', () => {
    const body = (f: Buffer): Buffer => f.subarray(4);
    const flipped = frame();
    flipped[flipped.length - 35] ^= 0x80;
    expect(decodeBody(key, body(flipped))).toBe('bad-mac');
    expect(decodeBody(key, body(frame('{}', Buffer.alloc(32, 8))))).toBe('bad-mac');
    const v2 = frame();
    v2[4] = 2;
    expect(decodeBody(key, body(v2))).toBe('bad-version');
    const lens = frame();
    lens.writeUInt32BE(9999, 4 + 3 + 2 + 1 + 2);
    expect(decodeBody(key, body(lens))).toBe('malformed');
    expect(decodeBody(key, Buffer.alloc(10))).toBe('malformed');
  });

  it('gives up on a stream announcing an oversized frame without buffering it', () => {
    const r = new FrameReader(1024);
    const head = Buffer.alloc(8);
    head.writeUInt32BE(1 << 30, 0);
    expect(r.push(head)).toBe('oversized');
  });
});

describe('file storage', () => {
  let dir = '';
  afterEach(() => { if (dir) rmSync(dir, { recursive: true, force: true }); });

  it('keeps synced writes across reopening, loses un-synced ones and ignores a torn last line', () => {
    dir = mkdtempSync(join(tmpdir(), 'atoll-fs-'));
    const a = new FileStorage(dir);
    a.put('x', '1');
    a.put('y', '2');
    a.sync();
    a.delete('y');
    a.put('z', '3');
    a.sync();
    a.put('lost', 'never synced');
    a.close(); // a crash: the pending write never reached the log
    appendFileSync(join(dir, 'wal.jsonl'), '["torn","wr');
    const b = new FileStorage(dir);
    expect(b.keys()).toEqual(['x', 'z']);
    expect(b.get('x')).toBe('1');
    b.close();
  });

  it('reads storage written in the older plain-JSON format and keeps every write (upgrade)', () => {
    dir = mkdtempSync(join(tmpdir(), 'atoll-fs-'));
    writeFileSync(join(dir, 'snapshot.json'), JSON.stringify({ a: '1', b: '2' }));
    writeFileSync(join(dir, 'wal.jsonl'), '["c","3"]\n["b",null]\n["a","9"]\n["torn","wr');
    const a = new FileStorage(dir);
    expect(a.keys()).toEqual(['a', 'c']);
    expect([a.get('a'), a.get('c')]).toEqual(['9', '3']);
    a.put('d', '4');
    a.sync();
    a.close();
    const b = new FileStorage(dir);
    expect(b.keys()).toEqual(['a', 'c', 'd']);
    b.close();
  });

  it('folds the log into a snapshot and still reads everything back', () => {
    dir = mkdtempSync(join(tmpdir(), 'atoll-fs-'));
    const a = new FileStorage(dir, { compact_bytes: 200 });
    for (let i = 0; i < 50; i++) {
      a.put(`k${i % 5}`, `v${i}`);
      a.sync();
    }
    a.close();
    const b = new FileStorage(dir);
    expect(b.keys().map((k) => b.get(k))).toEqual(['v45', 'v46', 'v47', 'v48', 'v49']);
    b.close();
  });
});

describe('cluster config', () => {
  const good = { key: 'ab'.repeat(16), nodes: [{ id: 'n1', port: 7001 }], services: ['echo'] };
  it('accepts a valid config and fills defaults', () => {
    const c = parseClusterConfig(good, '/tmp');
    expect(c.nodes[0]).toEqual({ id: 'n1', host: '127.0.0.1', port: 7001 });
    expect(c.key.length).toBe(16);
    expect(c.max_frame_bytes).toBe(1 << 20);
  });
  it.each([
    [{ ...good, key: 'abc' }, /key must be/],
    [{ ...good, nodes: [] }, /non-empty/],
    [{ ...good, nodes: [{ id: 'n1', port: 1 }, { id: 'n1', port: 2 }] }, /duplicate node id 'n1'/],
    [{ ...good, nodes: [{ id: 'bad id', port: 1 }] }, /'id' must be/],
    [{ ...good, nodes: [{ id: 'n1', port: 70000 }] }, /'port' must be/],
    [{ ...good, services: ['warp-drive'] }, /unknown service 'warp-drive'/],
  ])('rejects %j', (raw, message) => {
    expect(() => parseClusterConfig(raw, '/tmp')).toThrow(ConfigError);
    expect(() => parseClusterConfig(raw, '/tmp')).toThrow(message);
  });
});

describe('atoll scenario', () => {
  it('prints the same swarm JSON twice for one seed and exits 0 when the checks pass', async () => {
    const outputs: string[] = [];
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => { outputs.push(String(chunk)); return true; });
    try {
      const args = ['swarm', '--robots', '3', '--seed', '9', '--commands', '5', '--duration-ms', '300', '--json'];
      expect(await scenario(args)).toBe(0);
      expect(await scenario(args)).toBe(0);
    } finally {
      spy.mockRestore();
    }
    expect(outputs).toHaveLength(2);
    expect(outputs[0]).toBe(outputs[1]);
    const report = JSON.parse(outputs[0]!) as { checks: { passed: boolean }; trace_hash: string };
    expect(report.checks.passed).toBe(true);
    expect(report.trace_hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('rejects an unknown scenario and bad flags with usage errors', async () => {
    await expect(scenario(['nope'])).rejects.toThrow(UsageError);
    await expect(scenario(['swarm', '--robots', '0'])).rejects.toThrow(/--robots must be between/);
    await expect(scenario(['swarm', '--speed', '3'])).rejects.toThrow(/unknown flag '--speed'/);
  });
});
