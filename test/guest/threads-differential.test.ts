// Threads differential test: every multi-threaded guest (threaded-guests.ts) runs under qemu-riscv32 and
// under `atoll run` with no hart flags, `--harts 1`, `--harts 2` and `--harts 2 --threaded`, several
// times each, and every run must print the same stdout and end with the same status (and the same stderr,
// except for guests that report scheduling-dependent figures there). qemu's own runs must agree with each
// other too, which shows the guest's output does not depend on the interleaving. Atoll-only guests are
// compared with their expected files. A multi-process run (`atoll run a.elf b.elf`) must carry each
// program's output, and a hostile process must die alone. In deterministic mode a seed fixes even the
// scheduling-dependent output (lock-fairness's win counts on stderr).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ATOLL_ONLY_GUESTS, STDERR_VARIES, THREADED_ARGS, THREADED_GUESTS } from './threaded-guests.js';
import { ROOT, atollNotBuilt, qemuMissing, underAtoll, underQemu, type Outcome } from './runners.js';

const TEST_TIMEOUT_MS = 170_000;
/** Runs per mode (and of qemu) for each guest. */
const REPEATS = 3;

const MODES: readonly (readonly string[])[] = [[], ['--harts', '1'], ['--harts', '2'], ['--harts', '2', '--threaded']];

const QEMU_MISSING = qemuMissing();
const ATOLL_NOT_READY = atollNotBuilt();
const SKIP_ATOLL = QEMU_MISSING ?? ATOLL_NOT_READY;
const guestPath = (elf: string): string => join('guest', elf);
const describeOutcome = (o: Outcome): string => `status ${o.status} signal ${o.signal}; stderr: ${o.stderr.slice(0, 400)}`;

/** qemu's runs of one guest, cached so each guest is run under qemu once per file. */
const qemuRuns = new Map<string, Promise<Outcome[]>>();
function referenceRuns(elf: string): Promise<Outcome[]> {
  let runs = qemuRuns.get(elf);
  if (runs === undefined) {
    const args = THREADED_ARGS[elf] ?? [];
    // One after another: parallel qemu runs of spinning guests starve each other on a small machine.
    runs = (async () => {
      const out: Outcome[] = [];
      for (let i = 0; i < REPEATS; i++) out.push(await underQemu(guestPath(elf), args));
      return out;
    })();
    qemuRuns.set(elf, runs);
  }
  return runs;
}

describe('threaded guests are deterministic under qemu-riscv32', () => {
  for (const elf of THREADED_GUESTS) {
    it(`${elf} prints the same and ends the same way run after run`, async (ctx) => {
      ctx.skip(QEMU_MISSING !== undefined, QEMU_MISSING);
      const runs = await referenceRuns(elf);
      for (const run of runs) {
        expect(run.signal, `qemu run of ${elf} was killed (timeout?)`).toBeNull();
        expect(run.stdout).toBe(runs[0]!.stdout);
        expect(run.status).toBe(runs[0]!.status);
        if (!STDERR_VARIES.has(elf)) expect(run.stderr).toBe(runs[0]!.stderr);
      }
    }, TEST_TIMEOUT_MS);
  }
});

describe('atoll run matches qemu-riscv32 for threaded guests in every hart mode', () => {
  for (const elf of THREADED_GUESTS) {
    for (const flags of MODES) {
      const mode = flags.length === 0 ? 'default flags' : flags.join(' ');
      it(`${elf} with ${mode}, ${REPEATS} runs`, async (ctx) => {
        ctx.skip(SKIP_ATOLL !== undefined, SKIP_ATOLL);
        const want = (await referenceRuns(elf))[0]!;
        expect(want.signal, 'qemu timed out').toBeNull();
        const args = THREADED_ARGS[elf] ?? [];
        for (let i = 0; i < REPEATS; i++) {
          const got = await underAtoll([...flags, guestPath(elf), ...args]);
          expect(got.signal, `atoll itself died by ${got.signal} (run ${i + 1})`).toBeNull();
          expect(got.stdout, `run ${i + 1}; ${describeOutcome(got)}`).toBe(want.stdout);
          expect(got.status, `run ${i + 1}; ${describeOutcome(got)}`).toBe(want.status);
          if (!STDERR_VARIES.has(elf)) expect(got.stderr, `run ${i + 1}`).toBe(want.stderr);
        }
      }, TEST_TIMEOUT_MS);
    }
  }
});

if (ATOLL_ONLY_GUESTS.length > 0) describe('atoll-only threaded guests match their expected output', () => {
  for (const elf of ATOLL_ONLY_GUESTS) {
    const base = join(ROOT, 'guest', 'tests', 'expected', elf.replace(/^.*\//, '').replace(/\.elf$/, ''));
    it(`${elf} has expected files`, () => {
      expect(existsSync(`${base}.stdout`) && existsSync(`${base}.status`)).toBe(true);
    });
    for (const flags of MODES) {
      const mode = flags.length === 0 ? 'default flags' : flags.join(' ');
      it(`${elf} with ${mode}`, async (ctx) => {
        ctx.skip(ATOLL_NOT_READY !== undefined, ATOLL_NOT_READY);
        const got = await underAtoll([...flags, guestPath(elf)]);
        expect(got.stdout, describeOutcome(got)).toBe(readFileSync(`${base}.stdout`, 'latin1'));
        expect(got.status, describeOutcome(got)).toBe(Number(readFileSync(`${base}.status`, 'utf8').trim()));
      }, TEST_TIMEOUT_MS);
    }
  }
});

describe('deterministic mode: the same seed gives the same interleaving', () => {
  const elf = 'examples/lock-fairness.elf';
  for (const flags of [['--harts', '1', '--seed', '7'], ['--harts', '2', '--seed', '7']]) {
    it(`${elf}'s scheduling-dependent win counts repeat exactly with ${flags.join(' ')}`, async (ctx) => {
      ctx.skip(ATOLL_NOT_READY !== undefined, ATOLL_NOT_READY);
      const args = THREADED_ARGS[elf] ?? [];
      const first = await underAtoll([...flags, guestPath(elf), ...args]);
      expect(first.status, describeOutcome(first)).toBe(0);
      expect(first.stderr).toMatch(/test-and-set wins: t0=\d+ t1=\d+ t2=\d+/);
      for (let i = 1; i < REPEATS; i++) {
        const again = await underAtoll([...flags, guestPath(elf), ...args]);
        expect(again.stdout).toBe(first.stdout);
        expect(again.stderr, `run ${i + 1}`).toBe(first.stderr);
      }
    }, TEST_TIMEOUT_MS);
  }
});

/** True when `part`'s lines occur in `whole` in the same order (other lines may come between). */
function isSubsequence(part: readonly string[], whole: readonly string[]): boolean {
  let i = 0;
  for (const line of whole) if (i < part.length && line === part[i]) i++;
  return i === part.length;
}
const linesOf = (text: string): string[] => text.split('\n').filter((l) => l.length > 0);
const sorted = (lines: readonly string[]): string[] => [...lines].sort();

describe('several programs on one node (atoll run a.elf b.elf ...)', () => {
  const cases: readonly (readonly string[])[] = [
    ['examples/threads-counter.elf', 'examples/futex-handoff.elf'],
    ['examples/preempt.elf', 'examples/preempt.elf', 'tests/thread_ids.elf'],
  ];
  for (const programs of cases) {
    for (const flags of MODES) {
      const mode = flags.length === 0 ? 'default flags' : flags.join(' ');
      it(`${programs.join(' + ')} with ${mode}: each program's output, in its own order`, async (ctx) => {
        ctx.skip(SKIP_ATOLL !== undefined, SKIP_ATOLL);
        const alone = await Promise.all(programs.map((p) => underQemu(guestPath(p), [])));
        const got = await underAtoll([...flags, ...programs.map(guestPath)]);
        expect(got.signal).toBeNull();
        expect(got.status, describeOutcome(got)).toBe(0);
        const all = linesOf(got.stdout);
        for (const [i, run] of alone.entries()) {
          expect(isSubsequence(linesOf(run.stdout), all), `${programs[i]}'s lines in order in:\n${got.stdout}`).toBe(true);
        }
        expect(sorted(all)).toEqual(sorted(alone.flatMap((r) => linesOf(r.stdout))));
      }, TEST_TIMEOUT_MS);
    }
  }

  for (const flags of MODES) {
    const mode = flags.length === 0 ? 'default flags' : flags.join(' ');
    it(`a hostile process dies of SIGSEGV alone, the other program finishes (${mode})`, async (ctx) => {
      ctx.skip(SKIP_ATOLL !== undefined, SKIP_ATOLL);
      const victim = 'examples/threads-counter.elf';
      const [hostileAlone, victimAlone] = await Promise.all([underQemu(guestPath('tests/hostile.elf'), []), underQemu(guestPath(victim), [])]);
      const got = await underAtoll([...flags, guestPath('tests/hostile.elf'), guestPath(victim)]);
      expect(got.signal, 'the node itself must survive').toBeNull();
      // The hostile's last line comes from puts, which writes the text and its newline in two calls: the other
      // process may print between them, as on Linux (even right after the text, on the same line), so that line
      // is only looked for as text, and taken out before the victim's lines are.
      const hostileLines = linesOf(hostileAlone.stdout);
      const last = hostileLines.pop()!;
      const all = linesOf(got.stdout.replace(last, ''));
      expect(isSubsequence(linesOf(victimAlone.stdout), all), got.stdout).toBe(true);
      expect(isSubsequence(hostileLines, all), got.stdout).toBe(true);
      expect(got.stdout).toContain(last);
      expect(got.stdout).not.toContain('isolation broken');
      expect(got.stderr).toMatch(/SIGSEGV/);
    }, TEST_TIMEOUT_MS);
  }
});
