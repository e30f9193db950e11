// `atoll run --root DIR`: the guests' file system is DIR (their '/' and their starting cwd), the default is the
// directory atoll runs in, and a root that is not a directory is a usage error.
import { describe, it, expect, afterEach } from 'vitest';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ATOLL, ROOT, runProcess } from '../guest/runners.js';

const ELF = join(ROOT, 'guest', 'tests', 'fs_exec_fail.elf');
let dirs: string[] = [];
const fresh = (): string => { const d = mkdtempSync(join(tmpdir(), 'atoll-root-')); dirs.push(d); return d; };
afterEach(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); dirs = []; });

describe('atoll run --root', () => {
  it('runs the guest in the given directory, and by default in the current one', async () => {
    const root = fresh(), cwd = fresh();
    const o = await runProcess(process.execPath, [ATOLL, 'run', '--root', root, ELF], { cwd });
    expect(o.status, o.stderr).toBe(3);
    expect(o.stdout).toContain('mkdir: 0');
    expect(o.stdout).toContain('still running');
    const d = await runProcess(process.execPath, [ATOLL, 'run', ELF], { cwd });
    expect(d.status).toBe(3);
    expect(d.stdout).toContain('mkdir: 0');
    expect(existsSync(join(root, 'dir')) || existsSync(join(cwd, 'dir'))).toBe(false); // it cleans up after itself
  });

  it('refuses a root that is missing or not a directory', async () => {
    const f = join(fresh(), 'file');
    writeFileSync(f, 'x');
    for (const bad of [f, join(f, 'missing')]) {
      const o = await runProcess(process.execPath, [ATOLL, 'run', '--root', bad, ELF]);
      expect(o.status).toBe(2);
      expect(o.stderr).toContain('--root');
    }
  });
});
