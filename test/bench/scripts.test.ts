// The scripts people and CI run: `node dist/bench/index.js` (npm run bench) and a suite module run directly
// (`node dist/bench/hart.js`). `--help` prints the usage and runs nothing; piped to files their output has
// no ESC byte, even with colours forced; results go to the untracked bench/results/local/ unless told
// otherwise, and the final stderr line says where. Compiled here into a folder laid out like the package.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { committedResultsDir, defaultResultsDir } from '../../bench/index.js';

const ROOT = resolve(import.meta.dirname, '../..');
const ESC = '\u001b';
let pkg = '';

beforeAll(() => {
  pkg = mkdtempSync(join(tmpdir(), 'atoll-bench-scripts-'));
  const entries = ['bench/index.ts', 'bench/syscall.ts', 'bench/hart.ts'].map((f) => join(ROOT, f));
  try {
    execFileSync(process.execPath, [
      join(ROOT, 'node_modules/typescript/bin/tsc'), ...entries,
      '--outDir', join(pkg, 'dist'), '--rootDir', ROOT, '--module', 'nodenext', '--moduleResolution', 'nodenext',
      '--target', 'es2022', '--lib', 'es2022,dom', '--types', 'node', '--skipLibCheck', '--strict', '--ignoreConfig',
    ], { stdio: 'pipe' });
  } catch (err) {
    if (!existsSync(join(pkg, 'dist/bench/index.js'))) throw err; // type errors still emit JavaScript
  }
  writeFileSync(join(pkg, 'package.json'), '{"type":"module"}\n');
  for (const dir of ['build', 'native', 'guest', 'node_modules']) symlinkSync(join(ROOT, dir), join(pkg, dir));
  mkdirSync(join(pkg, 'bench'));
  symlinkSync(join(ROOT, 'bench/guest'), join(pkg, 'bench/guest'));
}, 180_000);
afterAll(() => { if (pkg) rmSync(pkg, { recursive: true, force: true }); });

/** Runs a compiled script with stdout and stderr piped (not terminals) and colours forced on. */
function script(name: string, args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [join(pkg, 'dist/bench', `${name}.js`), ...args], {
    cwd: pkg, encoding: 'utf8', timeout: 120_000, env: { ...process.env, FORCE_COLOR: '1' },
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('bench scripts', () => {
  it('--help on the runner and on a suite script prints the usage, exits 0 and runs nothing', () => {
    for (const name of ['index', 'hart', 'syscall']) {
      const r = script(name, ['--help']);
      expect(r.status, name).toBe(0);
      expect(r.stdout, name).toMatch(/^usage: /);
      expect(r.stdout, name).toContain('--quick');
      expect(r.stderr, name).toBe('');
    }
    expect(script('index', ['--help']).stdout).toContain('--update');
    expect(existsSync(join(pkg, 'bench/results'))).toBe(false);
  });

  it('rejects an unknown flag with the usage, running nothing', () => {
    const r = script('hart', ['--warp']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--warp/);
    expect(r.stderr).not.toMatch(/running/);
  });

  it('writes no ESC byte to piped output, and by default saves into the untracked local folder', () => {
    const run = script('index', ['syscall', '--quick']);
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('syscall');
    expect(run.stdout + run.stderr).not.toContain(ESC);
    expect(run.stderr).toMatch(/\[1\/1\] syscall: running \(usually ~/);
    const last = run.stderr.trimEnd().split('\n').at(-1)!;
    expect(last).toMatch(/^wrote bench\/results\/local\/latest\.json and bench\/results\/local\/latest\.md \(untracked; --update writes the committed/);
    expect(JSON.parse(readFileSync(join(pkg, 'bench/results/local/latest.json'), 'utf8')).results.length).toBeGreaterThan(2);
    expect(existsSync(join(pkg, 'bench/results/latest.json'))).toBe(false);

    const direct = script('syscall', ['--quick', '--json']);
    expect(direct.status).toBe(0);
    expect(direct.stdout + direct.stderr).not.toContain(ESC);
    expect((JSON.parse(direct.stdout) as unknown[]).length).toBeGreaterThan(2);
  }, 240_000);

  it('--update refuses a partial or quick run (the committed results are a full run)', () => {
    const r = script('index', ['syscall', '--update']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--update writes the committed results/);
    expect(script('index', ['--quick', '--update']).stderr).toMatch(/drop --quick/);
    expect(existsSync(join(pkg, 'bench/results/latest.json'))).toBe(false);
  });
});

describe('the results folders', () => {
  it('the default folder is ignored by git, the committed results are not', () => {
    expect(defaultResultsDir()).toBe(join(ROOT, 'bench/results/local'));
    const ignored = (p: string): number | null => spawnSync('git', ['check-ignore', '-q', p], { cwd: ROOT }).status;
    expect(ignored(join(defaultResultsDir(), 'latest.json'))).toBe(0);
    expect(ignored(join(committedResultsDir(), 'latest.json'))).toBe(1);
  });
});
