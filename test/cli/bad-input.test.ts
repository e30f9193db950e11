// Bad input from the command line gets one clear line and a non-zero exit, never a host crash, a hang or a
// prototype lookup: program files that are not regular files, an ELF segment with no access bits, names
// such as toString or __proto__, directories that cannot be created.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ATOLL, ROOT, runProcess } from '../guest/runners.js';

const atoll = (...args: string[]) => runProcess(process.execPath, [ATOLL, ...args]);
const tmp = mkdtempSync(join(tmpdir(), 'atoll-bad-input-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** compute.elf with its RW segment (all bss) turned into a segment with no R, W or X bit and 64 file bytes. */
function noAccessSegmentElf(): string {
  const bytes = new Uint8Array(readFileSync(join(ROOT, 'guest/examples/compute.elf')));
  const v = new DataView(bytes.buffer);
  const phoff = v.getUint32(28, true);
  const loads = Array.from({ length: v.getUint16(44, true) }, (_, i) => phoff + i * 32).filter((at) => v.getUint32(at, true) === 1);
  const at = loads[1]!;
  const vaddr = v.getUint32(at + 8, true);
  v.setUint32(at + 4, vaddr % 4096, true); // p_offset congruent to p_vaddr
  v.setUint32(at + 16, 64, true); // p_filesz
  v.setUint32(at + 24, 0, true); // p_flags: no R, W or X
  const path = join(tmp, 'no-access.elf');
  writeFileSync(path, bytes);
  return path;
}

describe('atoll run with bad program files', () => {
  it('a PT_LOAD segment with no access bits but file bytes is mapped with no access: the first store faults (SIGSEGV), as under Linux', async () => {
    const o = await atoll('run', noAccessSegmentElf());
    expect(o.stderr).not.toMatch(/DataView|TypeError|RangeError|at .*\.js/);
    expect(o.stderr.trim()).toMatch(/^atoll: guest killed by SIGSEGV \(signal 11\): store page fault at address 0x00012000/);
    expect(o.status).toBe(139);
  });

  it('/dev/zero, /dev/null and a directory are refused with one line instead of being read', async () => {
    for (const [path, why] of [['/dev/zero', 'not a regular file'], ['/dev/null', 'not a regular file'], [tmp, 'is a directory']] as const) {
      const o = await atoll('run', path);
      expect(o.status).toBe(1);
      expect(o.stderr.trim()).toBe(`atoll run: cannot read '${path}': ${why}${why === 'not a regular file' ? ' (a program must be an ELF file)' : ''}`);
    }
  });
});

describe('names from the command line never reach a prototype', () => {
  it('commands, scenarios, flags, lock kinds and services named after Object.prototype members are unknown', async () => {
    const cases: [string[], RegExp][] = [
      [['toString'], /^atoll: unknown command 'toString'/],
      [['__proto__'], /^atoll: unknown command '__proto__'/],
      [['scenario', 'constructor'], /unknown scenario 'constructor'/],
      [['run', '--toString', 'x'], /unknown flag '--toString'/],
      [['run', '--kernel-lock', 'toString', 'guest/examples/hello.elf'], /--kernel-lock: 'toString' is not a lock kind/],
      [['run', '--kernel-lock', '__proto__', 'guest/examples/hello.elf'], /--kernel-lock: '__proto__' is not a lock kind/],
      [['cluster', 'up', '--services', 'hasOwnProperty'], /unknown service 'hasOwnProperty'/],
    ];
    for (const [args, line] of cases) {
      const o = await atoll(...args);
      expect(o.status, args.join(' ')).toBe(2);
      expect(o.stderr, args.join(' ')).toMatch(line);
    }
  });
});

describe('directories that cannot be created', () => {
  it('cluster up --dir under /proc fails at once with one line (no endless mkdir)', async () => {
    const o = await atoll('cluster', 'up', '--dir', '/proc/1/atoll-x');
    expect(o.status).toBe(1);
    expect(o.stderr.trim()).toBe("atoll cluster: cannot create the cluster directory '/proc/1/atoll-x': /proc/1/atoll-x: the parent cannot hold directories");
  }, 20_000);

  it('a node whose data_dir lies under /proc fails at once with one line', async () => {
    const config = join(tmp, 'proc.json');
    writeFileSync(config, JSON.stringify({ key: 'ab'.repeat(32), nodes: [{ id: 'n1', host: '127.0.0.1', port: 1 }], services: ['echo'], data_dir: '/proc/1/atoll-data' }));
    const o = await atoll('node', '--config', config, '--id', 'n1');
    expect(o.status).toBe(1);
    expect(o.stderr.trim()).toBe("atoll node: cannot create the storage directory '/proc/1/atoll-data/n1': /proc/1/atoll-data: the parent cannot hold directories");
  }, 20_000);
});
