// The committed ELF files are exactly what the committed sources build to: a clean `make` of a copy of
// guest/ reproduces every .elf byte for byte, so no program runs stale code. Skipped, with the reason,
// when clang, ld.lld or llvm-ar are not installed (they are needed only to rebuild guests). The programs
// built with the C library (guest/bin, guest/tests/libc_*) are compared where picolibc is installed.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const GUEST = join(ROOT, 'guest');
const BUILD_TIMEOUT_MS = 110_000;

function whyNotRunnable(): string | undefined {
  for (const tool of ['clang', 'ld.lld', 'llvm-ar', 'make']) {
    const r = spawnSync(tool, ['--version']);
    if (r.error || r.status !== 0) return `${tool} is not installed (apt-get install clang lld llvm make)`;
  }
  return undefined;
}

const SKIP_REASON = whyNotRunnable();
const WORK = mkdtempSync(join(tmpdir(), 'atoll-guest-build-'));
afterAll(() => rmSync(WORK, { recursive: true, force: true }));

/** Programs built with the C library (guest/libc: picolibc and riscv64-unknown-elf-gcc), not clang. */
const isLibcElf = (elf: string): boolean => elf.startsWith('bin/') || elf.startsWith('tests/libc_');

/** Where picolibc or its gcc is missing, make leaves the C library's programs out: they are compared
 * only where they can be built. */
function picolibcMissing(): boolean {
  const r = spawnSync('riscv64-unknown-elf-gcc', ['-print-file-name=picolibc.specs'], { encoding: 'utf8' });
  return r.error !== undefined || r.status !== 0 || !r.stdout.trim().startsWith('/');
}

const PICOLIBC_MISSING = picolibcMissing();

const elfsIn = (dir: string): string[] =>
  ['examples', 'tests', 'bin']
    .flatMap((sub) => readdirSync(join(dir, sub)).filter((f) => f.endsWith('.elf')).map((f) => `${sub}/${f}`))
    .filter((elf) => !(isLibcElf(elf) && PICOLIBC_MISSING))
    .sort();

describe('committed guest ELFs', () => {
  it('are reproduced byte for byte by a clean build of the sources', (ctx) => {
    ctx.skip(SKIP_REASON !== undefined, SKIP_REASON);
    const copy = join(WORK, 'guest');
    cpSync(GUEST, copy, { recursive: true, filter: (src) => !src.includes(`${GUEST}/obj`) });
    for (const elf of elfsIn(copy)) rmSync(join(copy, elf));
    const make = spawnSync('make', ['-C', copy, '-j2'], { encoding: 'utf8', timeout: BUILD_TIMEOUT_MS });
    expect(make.status, make.stderr).toBe(0);
    expect(elfsIn(copy)).toEqual(elfsIn(GUEST));
    const stale = elfsIn(GUEST).filter((elf) => !readFileSync(join(copy, elf)).equals(readFileSync(join(GUEST, elf))));
    expect(stale, 'rebuild with make -C guest and commit the ELFs').toEqual([]);
  }, BUILD_TIMEOUT_MS + 10_000);
});
