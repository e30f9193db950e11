// The programs built with the C library (guest/libc: picolibc ported to the Linux RV32 calls): echo, cat,
// wc, ls and the shell in guest/bin, and tests/libc_stdio, each run in a fresh directory holding copies
// of the ELFs (bin/*.elf) and the case's files, with the case's standard input, and required to print
// exactly the expected stdout and stderr and exit with the expected status.
//
// Every case runs under qemu-riscv32 (skipped, with the reason, when it is not installed) with
// ATOLL_EXEC_INTERP naming qemu, since qemu-user hands execve to the host's kernel, which cannot run a
// RISC-V file without binfmt_misc (see docs/guest-libc.md). The same cases run under `atoll run`, from
// the same kind of directory (its default root is the directory it starts in) and must pass; they skip,
// with the reason, only when atoll is not built.
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ATOLL, ROOT, atollNotBuilt, qemuMissing } from './runners.js';

const RUN_TIMEOUT_MS = 60_000;
const BIN = join(ROOT, 'guest', 'bin');

interface Case {
  name: string;
  argv: string[]; // argv[0] is the program, relative to the run's directory
  stdin?: string;
  files?: Record<string, string>; // relative path -> contents (or, with a guest/ prefix, a copy of that file)
  stdout: string;
  stderr?: string; // exact, default ''
  stderrHas?: string; // instead of stderr: a line stderr must contain
  status: number;
}

const W2 = 'a b c d e f g h i j k\n'.repeat(100);

const CASES: Case[] = [
  { name: 'echo joins its words', argv: ['bin/echo.elf', 'a', 'b  c', ''], stdout: 'a b  c \n', status: 0 },
  { name: 'echo -n leaves the newline out', argv: ['bin/echo.elf', '-n', 'x', 'y'], stdout: 'x y', status: 0 },
  { name: 'echo alone prints a newline', argv: ['bin/echo.elf'], stdout: '\n', status: 0 },
  { name: 'cat copies standard input', argv: ['bin/cat.elf'], stdin: 'one\ntwo\nno newline', stdout: 'one\ntwo\nno newline', status: 0 },
  {
    name: 'cat copies files in order, reports a missing one and exits 1',
    argv: ['bin/cat.elf', 'a.txt', 'missing', 'b.txt'],
    files: { 'a.txt': 'alpha\n', 'b.txt': 'beta\n' },
    stdout: 'alpha\nbeta\n',
    stderr: 'cat: missing: No such file or directory\n',
    status: 1,
  },
  { name: 'wc of a pipe pads to 7 columns', argv: ['bin/wc.elf'], stdin: 'hello world\nfoo\n', stdout: '      2       3      16\n', status: 0 },
  { name: 'wc -l of one input is not padded', argv: ['bin/wc.elf', '-l'], stdin: 'a\nb\nc\n', stdout: '3\n', status: 0 },
  {
    name: 'wc of files pads to the total size and adds a total line',
    argv: ['bin/wc.elf', 'w1', 'w2'],
    files: { w1: 'hello world\nfoo\n', w2: W2 },
    stdout: '   2    3   16 w1\n 100 1100 2200 w2\n 102 1103 2216 total\n',
    status: 0,
  },
  {
    name: 'wc of one file',
    argv: ['bin/wc.elf', 'w1'],
    files: { w1: 'hello world\nfoo\n' },
    stdout: ' 2  3 16 w1\n',
    status: 0,
  },
  {
    name: 'ls lists a directory sorted, without dot files',
    argv: ['bin/ls.elf', 'dir'],
    files: { 'dir/b': '', 'dir/a': '', 'dir/.hidden': '', 'dir/C': '' },
    stdout: 'C\na\nb\n',
    status: 0,
  },
  {
    name: 'ls -a shows dot files, . and ..',
    argv: ['bin/ls.elf', '-a', 'dir'],
    files: { 'dir/b': '', 'dir/.hidden': '' },
    stdout: '.\n..\n.hidden\nb\n',
    status: 0,
  },
  {
    name: 'libc_stdio: printf, snprintf, malloc, qsort, strtol and a file written and read back',
    argv: ['libc_stdio.elf'],
    files: { 'libc_stdio.elf': 'guest/tests/libc_stdio.elf' },
    stdout: [
      'floats: 3.142 1.234568e+04 0.0001 1e+20    -2.50|7.2     |',
      'snprintf: 00042|beef|str|z (16)',
      'snprintf truncated: truncat (16)',
      'qsort: sorted=1 first=7 last=9999',
      'realloc: sum=4999950000',
      'strtol: -1234 255 511',
      'strtol rest: xyz',
      'strtol overflow: errno=34 (Numerical result out of range)',
      'strtod: 27.1828',
      'stat: size=182 regular=1',
      'line 3 read back: line 3: 3 squared is 9, half is 1.5',
      'lines read: 5, eof=1',
      'after fseek(5): 1, ftell=6',
      'append: last line 9 bytes',
      'unlink: 0',
      'fopen missing: NULL, errno=2 (No such file or directory)',
      '',
    ].join('\n'),
    stderr: 'stderr works\n',
    status: 0,
  },
  {
    name: 'libc_posix: directories, descriptors, fork with a pipe, waitpid statuses, signals',
    argv: ['libc_posix.elf'],
    files: { 'libc_posix.elf': 'guest/tests/libc_posix.elf' },
    stdout: [
      'mkdir: 0',
      'mkdir again: -1 errno=File exists',
      'chdir: 0',
      'getcwd: last part libc_posix.dir, under the old one: 1',
      'write: 10',
      'rename: 0',
      'open old name: -1 errno=2',
      'open O_EXCL: -1 errno=17',
      'readdir: 3 entries, b found',
      'lseek end: 10',
      'lseek 4: 4',
      'dup shares the offset: 4',
      'dup2 onto itself: 1',
      'dup2 closed fd: -1 errno=9',
      'fcntl F_GETFD: 0',
      'isatty(file): 0 errno=25',
      'read closed fd: -1 errno=9',
      'rmdir: 0',
      'rmdir missing: -1 errno=2',
      'from the pipe: child: parent matches=1',
      'waitpid: 1',
      'exited=1 status=7',
      'waitpid no child: -1 errno=10',
      'WNOHANG while running: 0',
      'signaled=1 sig=15',
      'sigaction: 0',
      'handler ran for signal 10',
      'blocked: got=0 pending=1',
      'unblocked: got=10',
      'kill bad signal: -1 errno=22',
      'signal(SIGUSR2) old is default: 1',
      ''
    ].join('\n'),
    status: 0,
  },
  {
    name: 'sh runs a script from standard input: pipes, redirections, builtins, statuses',
    argv: ['bin/sh.elf'],
    files: { f: 'hello world\nfoo\n' },
    stdin: [
      'echo one two',
      'cat f | wc',
      'wc < f',
      `echo "quoted  words" 'a | b' c\\ d > out`,
      'cat out',
      'echo more >> out',
      'cat out | cat | wc -l',
      'ls',
      'nosuch arg',
      'cd nodir',
      "bin/sh.elf -c 'exit 3'",
      'exit 5',
      'echo never',
      '',
    ].join('\n'),
    stdout: 'one two\n      2       3      16\n 2  3 16\nquoted  words a | b c d\n2\nbin\nf\nout\n',
    stderr: 'sh: nosuch: not found\nsh: cd: nodir: No such file or directory\nsh: bin/sh.elf: exit 3\n',
    status: 5,
  },
  {
    name: 'sh -c runs a pipeline and exits with the last status',
    argv: ['bin/sh.elf', '-c', 'echo a b c | wc -w'],
    stdout: '3\n',
    status: 0,
  },
  {
    name: 'sh reports a command killed by a signal and exits 128 + the signal',
    argv: ['bin/sh.elf', '-c', './fault.elf'],
    files: { 'fault.elf': 'guest/examples/fault.elf' },
    stdout: 'about to read unmapped memory at 0x00000010\n',
    stderrHas: 'sh: ./fault.elf: killed by SIGSEGV',
    status: 139,
  },
];

interface Outcome {
  stdout: string;
  stderr: string;
  status: number | null;
  signal: NodeJS.Signals | null;
}

function run(cmd: string, args: readonly string[], cwd: string, stdin: string, env: NodeJS.ProcessEnv): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd, env, stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.stdin.on('error', () => {}); // a program that exits without reading its input
    child.stdin.end(stdin);
    const timer = setTimeout(() => child.kill('SIGKILL'), RUN_TIMEOUT_MS);
    child.on('error', (e) => { clearTimeout(timer); reject(e); });
    child.on('close', (status, signal) => {
      clearTimeout(timer);
      resolve({ stdout: Buffer.concat(out).toString('latin1'), stderr: Buffer.concat(err).toString('latin1'), status, signal });
    });
  });
}

const WORK = mkdtempSync(join(tmpdir(), 'atoll-libc-'));
afterAll(() => rmSync(WORK, { recursive: true, force: true }));
let dirs = 0;

/** A fresh directory with bin/*.elf and the case's files. */
function prepare(files: Record<string, string> = {}): string {
  const dir = join(WORK, String(dirs++));
  mkdirSync(join(dir, 'bin'), { recursive: true });
  for (const elf of readdirSync(BIN).filter((f) => f.endsWith('.elf'))) copyFileSync(join(BIN, elf), join(dir, 'bin', elf));
  for (const [path, contents] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    if (contents.startsWith('guest/')) copyFileSync(join(ROOT, contents), join(dir, path));
    else writeFileSync(join(dir, path), contents);
  }
  return dir;
}

const QEMU_MISSING = qemuMissing();
const QEMU_PATH = QEMU_MISSING ? '' : spawnSync('sh', ['-c', 'command -v qemu-riscv32'], { encoding: 'utf8' }).stdout.trim();
const underQemu = (c: Case, dir: string): Promise<Outcome> =>
  run('sh', ['-c', 'ulimit -c 0; exec qemu-riscv32 "$@"', 'qemu', ...c.argv], dir, c.stdin ?? '', {
    PATH: process.env.PATH,
    ATOLL_EXEC_INTERP: QEMU_PATH,
  });
const underAtoll = (c: Case, dir: string): Promise<Outcome> =>
  run(process.execPath, [ATOLL, 'run', ...c.argv], dir, c.stdin ?? '', { PATH: process.env.PATH });

function check(c: Case, got: Outcome): void {
  expect(got.signal, `the runner itself died by ${got.signal}; stderr: ${got.stderr}`).toBeNull();
  expect(got.stdout).toBe(c.stdout);
  if (c.stderrHas !== undefined) expect(got.stderr).toContain(c.stderrHas);
  else expect(got.stderr).toBe(c.stderr ?? '');
  expect(got.status, `stderr: ${got.stderr}`).toBe(c.status);
}

describe('the C library programs', () => {
  it('are committed beside their sources', () => {
    for (const name of ['sh', 'cat', 'wc', 'ls', 'echo']) {
      expect(existsSync(join(BIN, `${name}.c`)), `${name}.c`).toBe(true);
      expect(existsSync(join(BIN, `${name}.elf`)), `${name}.elf`).toBe(true);
    }
    expect(existsSync(join(ROOT, 'guest', 'tests', 'libc_stdio.elf'))).toBe(true);
  });
});

describe('under qemu-riscv32', () => {
  for (const c of CASES) {
    it(c.name, async (ctx) => {
      ctx.skip(QEMU_MISSING !== undefined, QEMU_MISSING);
      check(c, await underQemu(c, prepare(c.files)));
    }, RUN_TIMEOUT_MS + 5_000);
  }
});

const ATOLL_MISSING = atollNotBuilt();

describe('under atoll run', () => {
  for (const c of CASES) {
    it(c.name, async (ctx) => {
      ctx.skip(ATOLL_MISSING !== undefined, ATOLL_MISSING);
      check(c, await underAtoll(c, prepare(c.files)));
    }, RUN_TIMEOUT_MS + 5_000);
  }
});
