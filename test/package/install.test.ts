// The packed package works where it is installed: `npm pack` (of the built tree), installed into a fresh
// project, gives a working `atoll` command and importable library entry points with their types.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../guest/runners.js';

const dir = mkdtempSync(join(tmpdir(), 'atoll-package-'));
const project = join(dir, 'project');
const npm = (args: string[], cwd: string): string => execFileSync('npm', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
const node = (args: string[]): string => execFileSync(process.execPath, args, { cwd: project, encoding: 'utf8' });

beforeAll(() => {
  // The tree is already built; --ignore-scripts keeps prepack from rebuilding dist/ under other tests' feet.
  npm(['pack', '--ignore-scripts', '--pack-destination', dir], ROOT);
  const tarball = readdirSync(dir).find((f) => f.endsWith('.tgz'));
  if (!tarball) throw new Error('npm pack wrote no tarball');
  execFileSync('mkdir', ['-p', project]);
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'uses-atoll', version: '1.0.0', type: 'module', private: true }));
  npm(['install', '--prefer-offline', '--no-audit', '--no-fund', join(dir, tarball)], project);
}, 180_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the installed package', () => {
  it('carries the compiled host, the kernel and the example guests, and no sources or tests', () => {
    const pkg = join(project, 'node_modules', 'atoll');
    for (const f of ['bin/atoll.js', 'dist/src/cli/main.js', 'dist/src/index.d.ts', 'build/kernel.wasm', 'guest/examples/hello.elf']) expect(existsSync(join(pkg, f)), f).toBe(true);
    for (const f of ['src', 'test', 'assembly', 'dist/test']) expect(existsSync(join(pkg, f)), f).toBe(false);
  });

  it('npx atoll runs a guest program', () => {
    const out = execFileSync('npx', ['--no-install', 'atoll', 'run', join(project, 'node_modules/atoll/guest/examples/hello.elf'), 'x'], { cwd: project, encoding: 'utf8' });
    expect(out).toBe('hello from atoll\nargc=2\nargv[1]=x\n');
  }, 60_000);

  it('import "atoll" and its entry points give the library faces', () => {
    const script = [
      "const a = await import('atoll');",
      "const m = await import('atoll/machine');",
      "const s = await import('atoll/sim');",
      "const c = await import('atoll/check');",
      "const r = await import('atoll/raft');",
      "const sim = new s.Simulation({ seed: 1 });",
      "console.log(JSON.stringify([Object.keys(a).sort(), typeof m.Machine, typeof c.checkHistory, typeof r.Raft, sim.now_ns]));",
    ].join('\n');
    writeFileSync(join(project, 'probe.mjs'), script);
    const [faces, machine, check, raft, now] = JSON.parse(node(['probe.mjs'])) as [string[], string, string, string, number];
    expect(faces).toEqual(expect.arrayContaining(['machine', 'sim', 'cluster', 'raft', 'check']));
    expect([machine, check, raft, now]).toEqual(['function', 'function', 'function', 0]);
  });
});
