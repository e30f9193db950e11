import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NodeContext, NodeService } from '../../src/node/index.js';
import { loadClusterConfig } from '../../src/cluster/config.js';
import { RealNode } from '../../src/cluster/real-node.js';
import { encodeFrame } from '../../src/net/tcp/frame.js';
import { RpcClient, type RpcOutcome } from '../../src/rpc/index.js';
import { buildCli } from './build-cli.js';
import { Probe } from './probe.js';
import { freeLoopbackPort } from '../../src/net/tcp/index.js';
import { until as waitUntil } from '../helpers/until.js';

class Caller implements NodeService {
  client!: RpcClient;
  start(ctx: NodeContext): void {
    this.client = new RpcClient(ctx, { service: 'counter' });
  }
  onMessage(from: string, msg: unknown): void {
    this.client.handle(from, msg);
  }
  stop(): void {
    this.client.close();
  }
}

interface Child {
  proc: ChildProcess;
  stderr: string;
}

const key = randomBytes(32);
let dir: string;
let launcher: string;
let configPath: string;
let ports: Record<string, number>;
const children = new Map<string, Child>();
let me: RealNode;

const until = (what: string, cond: () => boolean, timeout_ms = 10_000): Promise<void> => waitUntil(what, cond, timeout_ms, 20);

function startChild(id: string, args: string[] = ['node', '--config', configPath, '--id', id, '--stop-on-stdin-close']): Promise<Child> {
  const proc = spawn(process.execPath, [launcher, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  const child: Child = { proc, stderr: '' };
  proc.stderr!.on('data', (d: Buffer) => { child.stderr += d.toString(); });
  children.set(id, child);
  return new Promise((res, rej) => {
    let out = '';
    proc.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('listening on') || out.includes('cluster up')) res(child);
    });
    proc.once('exit', (code) => rej(new Error(`${id} exited with ${code}: ${child.stderr}`)));
  });
}

const probe = (): Probe => me.services.get('probe') as Probe;
const caller = (): Caller => me.services.get('caller') as Caller;

function call(to: string, method: string, args: unknown): Promise<RpcOutcome> {
  return new Promise((res) => caller().client.call(to, method, args, { deadline_ns: 5e9, retry_ns: 2e8 }, res));
}

async function pingAll(ids: string[], n: number): Promise<void> {
  for (const id of ids) probe().ctx!.send(id, { t: 'ping', n, reply_to: 'probe' }, 'echo');
  await until(`pongs ${n}`, () => ids.every((id) => probe().received.some((r) => r.from === id && (r.msg as { n: number }).n === n)));
}

function rawSend(port: number, bytes: Buffer, end = true): Promise<Socket> {
  return new Promise((res) => {
    const s = connect({ host: '127.0.0.1', port }, () => {
      s.write(bytes);
      if (end) s.end();
      res(s);
    });
    s.on('error', () => {});
  });
}

beforeAll(async () => {
  ({ dir, launcher } = buildCli());
  ports = {};
  for (const id of ['n1', 'n2', 'n3', 't']) ports[id] = await freeLoopbackPort();
  configPath = join(dir, 'cluster.json');
  writeFileSync(configPath, JSON.stringify({
    key: key.toString('hex'),
    nodes: Object.entries(ports).map(([id, port]) => ({ id, host: '127.0.0.1', port })),
    services: ['echo', 'counter'],
  }));
  await Promise.all(['n1', 'n2', 'n3'].map((id) => startChild(id)));
  me = new RealNode({
    config: loadClusterConfig(configPath), id: 't', seed: 1, log: () => {},
    clock: { physical_ns: () => Date.now() * 1e6, monotonic_ns: () => Number(process.hrtime.bigint()) },
    services: { probe: () => new Probe(), caller: () => new Caller() },
  });
  await me.start();
});

afterAll(async () => {
  await me?.stop();
  for (const c of children.values()) if (c.proc.exitCode === null) c.proc.kill('SIGKILL');
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('TCP transport between real processes', () => {
  it('carries messages to and from three node processes', async () => {
    await pingAll(['n1', 'n2', 'n3'], 1);
  });

  it('delivers a message a node sends to itself, as the simulator does', async () => {
    expect(probe().ctx!.send('t', { t: 'self', n: 1 })).toBe(true);
    expect(probe().ctx!.send('t', () => 0)).toBe(false);
    await until('self message', () => probe().received.some((r) => r.from === 't' && (r.msg as { t: string }).t === 'self'));
  });

  it('runs RPC increments exactly once over TCP', async () => {
    const results: number[] = [];
    for (let i = 0; i < 10; i++) {
      const o = await call('n2', 'incr', { by: 1 });
      if (o.ok) results.push(o.result as number);
    }
    expect(results).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    const g = await call('n2', 'get', {});
    expect(g.ok && g.result).toBe(10);
  });

  it('drops corrupted, forged, truncated, oversized and malformed frames, logs them, and keeps serving', async () => {
    const port = ports['n1']!;
    const incr = { svc: 'counter', lc: 1, body: { t: 'rpc.req', cid: 'attacker', seq: 1, ack: 1, method: 'incr', args: { by: 1000 }, rsvc: 'probe' } };
    const frame = (k: Buffer): Buffer => encodeFrame(k, { type: 'data', src: 't', dst: 'n1', payload: Buffer.from(JSON.stringify(incr)) });
    const corrupted = frame(key);
    corrupted[corrupted.length - 40] ^= 0x01; // a payload byte
    await rawSend(port, corrupted);
    await rawSend(port, frame(randomBytes(32))); // forged: signed with the wrong key
    const whole = frame(key);
    await rawSend(port, whole.subarray(0, whole.length >> 1)); // truncated: the connection ends mid-frame
    const oversized = Buffer.alloc(64);
    oversized.writeUInt32BE(0x7fff_fff0, 0);
    const s = await rawSend(port, oversized, false);
    await new Promise<void>((r) => s.once('close', () => r())); // the node closes that stream
    const badVersion = Buffer.alloc(4 + 60);
    badVersion.writeUInt32BE(60, 0);
    badVersion.writeUInt8(9, 4);
    const inconsistent = Buffer.from(whole);
    inconsistent.writeUInt8(60, 6); // source length pointing past the destination
    await rawSend(port, Buffer.concat([badVersion, inconsistent]));
    const log = (): string => children.get('n1')!.stderr;
    for (const reason of ['bad-mac count=2', 'truncated', 'oversized', 'bad-version', 'malformed']) {
      await until(`n1 to log ${reason}`, () => log().includes(`reason=${reason}`));
    }
    await pingAll(['n1'], 2);
    const g = await call('n1', 'get', {});
    expect(g.ok && g.result).toBe(0); // no forged or corrupted increment ran
    expect(children.get('n1')!.proc.exitCode).toBeNull();
  });

  it('reconnects with backoff after a node is killed and started again', async () => {
    children.get('n3')!.proc.kill('SIGKILL');
    await until('link to n3 down', () => !me.isConnected('n3'));
    await until('send to n3 refused', () => !probe().ctx!.send('n3', { t: 'ping', n: 0 }, 'echo'));
    const down = await new Promise<RpcOutcome>((res) => caller().client.call('n3', 'get', {}, { deadline_ns: 3e8, retry_ns: 1e8 }, res));
    expect(!down.ok && down.error.code).toBe('unreachable');
    await startChild('n3');
    await until('link to n3 up', () => me.isConnected('n3'));
    await pingAll(['n3'], 3);
  });

  it('stops a node cleanly on SIGTERM and when its stdin closes', async () => {
    const n2 = children.get('n2')!.proc;
    const exited = new Promise<number | null>((r) => n2.once('exit', (code) => r(code)));
    n2.kill('SIGTERM');
    expect(await exited).toBe(0);
    const n1 = children.get('n1')!.proc;
    const exited1 = new Promise<number | null>((r) => n1.once('exit', (code) => r(code)));
    n1.stdin!.end();
    expect(await exited1).toBe(0);
  });

  it('refuses a bad config with one clear line', async () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ key: 'abc', nodes: [] }));
    const proc = spawn(process.execPath, [launcher, 'node', '--config', bad, '--id', 'n1'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    proc.stderr!.on('data', (d: Buffer) => { err += d.toString(); });
    const code = await new Promise<number | null>((r) => proc.once('exit', r));
    expect(code).toBe(1);
    expect(err.trim().split('\n')).toHaveLength(1);
    expect(err).toMatch(/key must be an even number of hex digits/);
  });

  it('starts a loopback cluster with cluster up and stops it on SIGINT', async () => {
    const up = spawn(process.execPath, [launcher, 'cluster', 'up', '--nodes', '3', '--dir', join(dir, 'up'), '--json'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    up.stdout!.on('data', (d: Buffer) => { out += d.toString(); });
    let upErr = '';
    up.stderr!.on('data', (d: Buffer) => { upErr += d.toString(); });
    up.once('exit', (c) => { upErr += `[exit ${c}]`; });
    await until('cluster up', () => out.includes('"nodes"'), 20_000).catch((e: Error) => { throw new Error(`${e.message}: ${upErr}`); });
    const info = JSON.parse(out) as { nodes: { id: string; port: number; pid: number }[] };
    expect(info.nodes.map((n) => n.id)).toEqual(['n1', 'n2', 'n3']);
    const exited = new Promise<string>((r) => up.once('exit', (code, signal) => r(`${code} ${signal} ${upErr}`)));
    up.kill('SIGINT');
    expect(await exited).toMatch(/^0 null/);
    for (const n of info.nodes) expect(() => process.kill(n.pid, 0)).toThrow(); // every child is gone
  });
});
