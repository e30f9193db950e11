// The browser bundle's seams: every Node-only module of src/ that has a .browser.ts twin (which the bundle takes
// in its place) is matched export for export by it, the twins import no node: module, and the built bundles
// (needs `npm run build`) name no node: module, call no require, use neither Buffer nor process where a page would
// throw (the build's own check, scripts/browser-globals.mjs, which is held here to what a context without Node's
// globals really does), and hold the page's entry points; the page offers every scenario the CLI has. The
// browser-safe folders use none of Node's globals either (Buffer, process): an import check cannot see those.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { nodeGlobalUses } from '../../scripts/browser-globals.mjs';
import { BROWSER_SAFE } from '../structure/layers.js';
import { PAGE_SCENARIOS } from '../../src/browser/cluster-run.js';
import { SCENARIOS } from '../../src/cli/commands/scenario.js';

const ROOT = join(import.meta.dirname, '../..');
const SRC = join(ROOT, 'src');

function twins(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? twins(p) : p.endsWith('.browser.ts') ? [p] : [];
  });
}

describe('the browser bundle', () => {
  const found = twins(SRC);

  it('has a browser twin for each Node-only seam, exporting at least what the Node module exports', async () => {
    expect(found.map((p) => relative(SRC, p)).sort()).toEqual([
      'machine/hart-thread.browser.ts', 'machine/host-clock.browser.ts', 'machine/host-stdin.browser.ts', 'machine/kernel-file.browser.ts',
      'machine/program-file.browser.ts', 'machine/stdio.browser.ts', 'scenarios/cluster-guest.browser.ts', 'scenarios/fault-file.browser.ts',
      'vfs/hostdir.browser.ts',
    ]);
    for (const twin of found) {
      const node = twin.replace(/\.browser\.ts$/, '.ts');
      const [n, b] = [await import(node) as Record<string, unknown>, await import(twin) as Record<string, unknown>];
      for (const name of Object.keys(n)) {
        expect(Object.keys(b), `${relative(SRC, twin)} lacks ${name}`).toContain(name);
        expect(typeof b[name], `${relative(SRC, twin)}: ${name}`).toBe(typeof n[name]);
      }
      expect(readFileSync(twin, 'utf8')).not.toMatch(/from\s+['"]node:/);
      expect(readFileSync(node, 'utf8')).toMatch(/from\s+['"]node:/);
    }
  });

  it('builds bundles that name no node: module, call no require and use neither Buffer nor process', async () => {
    for (const f of ['page.js', 'hart-worker.js', 'scenario-worker.js']) {
      const text = readFileSync(join(ROOT, 'dist/browser', f), 'utf8');
      expect(text, f).not.toMatch(/["']node:[a-z_/]+["']/);
      expect(text, f).not.toMatch(/\brequire\(/);
      expect(await nodeGlobalUses(text), f).toEqual([]);
    }
    const page = readFileSync(join(ROOT, 'dist/browser/page.js'), 'utf8');
    expect(page).toContain('/hart-worker.js');
    expect(page).toContain('/kernel.wasm');
    // The scenario worker fetches the cluster guests (cluster-guest.browser.ts), not the Node reader.
    const scenarios = readFileSync(join(ROOT, 'dist/browser/scenario-worker.js'), 'utf8');
    expect(scenarios).toContain('/guests/cluster/');
    expect(scenarios).toContain('/kernel.wasm');
    expect(readFileSync(join(ROOT, 'dist/browser/index.html'), 'utf8')).toContain('src="/page.js"');
  });

  it('the build\'s check finds the uses of Buffer and process that throw without Node\'s globals, and only those', async () => {
    const throwing = [
      'process.cwd();',
      'const env = process?.env;',
      'globalThis.process.env.HOME;',
      "Buffer.from('a');",
      'const f = () => process.hrtime.bigint(); f();',
      'const s = `pid ${process.pid}`;',
    ];
    const safe = [
      '// process.cwd() in a comment\n1;',
      "const s = 'process.cwd() in a string';",
      "/process.cwd()/.test('x');",
      'globalThis.process?.versions?.node;',
      "if (typeof process !== 'undefined') 1;",
      "const x = typeof process !== 'undefined' && process.env.X;",
      'const o = { process: { cwd: () => 1 } }; o.process.cwd();',
      'function f(process) { return process.cwd(); } f({ cwd: () => 1 });',
      "const b = typeof Buffer === 'function';",
    ];
    const throws = (code: string): boolean => {
      try { runInNewContext(code, {}); return false; } catch { return true; }
    };
    for (const code of throwing) {
      expect(throws(code), code).toBe(true);
      expect(await nodeGlobalUses(code), code).toHaveLength(1);
    }
    for (const code of safe) {
      expect(throws(code), code).toBe(false);
      expect(await nodeGlobalUses(code), code).toEqual([]);
    }
    expect((await nodeGlobalUses('process.cwd();'))[0]).toMatch(/uses Node's process.*: process\.cwd\(\);/);
  });

  it('the page offers every scenario of atoll scenario', () => {
    expect(Object.keys(PAGE_SCENARIOS).sort()).toEqual(Object.keys(SCENARIOS).sort());
  });

  it('the browser-safe folders use neither Buffer nor process (Node\'s globals, which a browser lacks)', () => {
    const files = BROWSER_SAFE.flatMap((f) => {
      const walk = (d: string): string[] => readdirSync(d).flatMap((x) => {
        const p = join(d, x);
        return statSync(p).isDirectory() ? (relative(SRC, p) === 'net/tcp' ? [] : walk(p)) : p.endsWith('.ts') ? [p] : [];
      });
      return walk(join(SRC, f));
    });
    expect(files.length).toBeGreaterThan(20);
    const bad = files.flatMap((p) => readFileSync(p, 'utf8').split('\n').map((line, i) => [line, i] as const)
      .filter(([line]) => !/^\s*(\/\/|\*|\/\*)/.test(line) && /\b(Buffer\.|process\.)/.test(line))
      .map(([line, i]) => `${relative(SRC, p)}:${i + 1}: ${line.trim()}`));
    expect(bad).toEqual([]);
  });
});
