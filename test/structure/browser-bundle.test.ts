// The browser-safe folders really load in a browser's JavaScript: bundled with esbuild for the browser
// platform (no Node built-ins available), the bundle holds no `node:` import, and evaluated in a bare
// context (no process, require, Buffer or module system) it runs a seeded simulation over the simulated
// network, Raft's quorum arithmetic and a linearizability check with the same results, trace digest
// included, as the same code run in Node.
import { runInNewContext } from 'node:vm';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import * as sim from '../../src/sim/index.js';
import * as net from '../../src/net/index.js';
import * as raft from '../../src/raft/index.js';
import * as check from '../../src/check/index.js';
import { BROWSER_SAFE } from './layers.js';

const ROOT = new URL('../../', import.meta.url).pathname;

interface Faces { sim: typeof sim; net: typeof net; raft: typeof raft; check: typeof check }

/** The same small, seeded workload for both: messages bounce over a lossy simulated network. */
function workload(m: Faces): { digest: string; now_ns: number; majority: number; verdict: string } {
  const s = new m.sim.Simulation({ seed: 7 });
  const n: net.SimNetwork<number> = new m.net.SimNetwork<number>(s, {
    rng: s.rng.split('net'),
    link: { loss: 0.1, duplicate: 0.05 },
    deliver: (from, to, hops) => {
      s.record('got', { from, to, hops });
      if (hops < 40) n.send(to, from === 'a' ? 'c' : 'a', hops + 1);
    },
  });
  for (const id of ['a', 'b', 'c']) n.addNode(id);
  n.send('a', 'b', 0);
  n.send('b', 'c', 0);
  s.run({});
  const ok: check.KvOperation[] = [
    { client: 'c1', kind: 'put', key: 'x', value: '1', call: 0, ret: 10 },
    { client: 'c2', kind: 'get', key: 'x', output: '1', call: 11, ret: 20 },
  ];
  const stale: check.KvOperation[] = [...ok, { client: 'c3', kind: 'get', key: 'x', output: null, call: 21, ret: 30 }];
  return {
    digest: s.trace.digest(), now_ns: s.now_ns, majority: m.raft.majoritySize(5),
    verdict: `${m.check.checkHistory(ok).verdict}/${m.check.checkHistory(stale).verdict}`,
  };
}

describe('the browser-safe folders in a browser', () => {
  it('bundle for the browser platform with no node: import, and run there as in Node', async () => {
    const entry = BROWSER_SAFE.map((f) => `export * as ${f} from './src/${f}/index.ts';`).join('\n');
    const out = await build({
      stdin: { contents: entry, resolveDir: ROOT, sourcefile: 'browser-entry.ts', loader: 'ts' },
      bundle: true, platform: 'browser', format: 'iife', globalName: 'atoll', write: false, logLevel: 'silent',
    });
    expect(out.errors).toEqual([]);
    const code = out.outputFiles[0]!.text;
    expect(code).not.toMatch(/["']node:/);
    const context: Record<string, unknown> = { TextEncoder, TextDecoder, console };
    runInNewContext(`${code}\nglobalThis.atoll = atoll;`, context);
    expect(context['process']).toBeUndefined();
    const inBrowser = workload(context['atoll'] as Faces);
    const inNode = workload({ sim, net, raft, check });
    expect(inBrowser).toEqual(inNode);
    expect(inNode.majority).toBe(3);
    expect(inNode.verdict).toBe('ok/illegal');
    expect(inNode.digest).toMatch(/^[0-9a-f]{64}$/);
  }, 60_000);
});
