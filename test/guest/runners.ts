// Running a guest program under qemu-riscv32 and under `atoll run` for the differential tests: one child
// process each, stdout and stderr captured (bounded), a timeout that kills it, and the reasons a test
// must skip (qemu missing, atoll not built). A run may be given its working directory (atoll's guests see it
// as their root) and a file on its standard input (default: none, as 'ignore'); scratch() makes an empty
// directory for one.
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { constants } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const ATOLL = join(ROOT, 'bin', 'atoll.js');
const RUN_TIMEOUT_MS = 120_000;
const OUTPUT_BYTES_MAX = 4 << 20;

export interface Outcome {
  stdout: string;
  stderr: string;
  status: number | null;
  signal: NodeJS.Signals | null;
}

/** Where a run happens: its working directory (default the repository) and a file on its stdin. */
export interface RunPlace {
  readonly cwd?: string;
  readonly stdin?: string;
}

export function runProcess(cmd: string, args: readonly string[], place: RunPlace = {}): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const input = place.stdin === undefined ? 'ignore' : openSync(place.stdin, 'r');
    const child = spawn(cmd, args, { cwd: place.cwd ?? ROOT, stdio: [input, 'pipe', 'pipe'] });
    if (typeof input === 'number') closeSync(input);
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let bytes = 0;
    const keep = (into: Buffer[]) => (b: Buffer) => {
      bytes += b.length;
      if (bytes <= OUTPUT_BYTES_MAX) into.push(b);
    };
    child.stdout.on('data', keep(out));
    child.stderr.on('data', keep(err));
    const timer = setTimeout(() => child.kill('SIGKILL'), RUN_TIMEOUT_MS);
    child.on('error', (e) => { clearTimeout(timer); reject(e); });
    child.on('close', (status, signal) => {
      clearTimeout(timer);
      resolve({ stdout: Buffer.concat(out).toString('latin1'), stderr: Buffer.concat(err).toString('latin1'), status, signal });
    });
  });
}

/** The shell's view of how a run ended: its exit code, or 128 + the signal that killed it. */
export function exitStatus(o: Outcome): number {
  return o.signal !== null ? 128 + constants.signals[o.signal] : o.status ?? -1;
}

// qemu dumps a core file for a guest killed by a signal unless the limit is 0.
export const underQemu = (elf: string, args: readonly string[], place: RunPlace = {}): Promise<Outcome> =>
  runProcess('sh', ['-c', 'ulimit -c 0; exec qemu-riscv32 "$@"', 'qemu', elf, ...args], place);

/** `atoll run <runArgs...>`: flags, then one or more programs with their arguments. */
export const underAtoll = (runArgs: readonly string[], place: RunPlace = {}): Promise<Outcome> =>
  runProcess(process.execPath, [ATOLL, 'run', ...runArgs], place);

/** What the differential runs give a guest on its standard input: a few lines of text. */
export const STDIN_TEXT = 'the first line of standard input\nsecond line\n' + 'x'.repeat(5000) + '\nlast line without a newline';

/**
 * A fresh empty directory to run a guest in, and a file (outside it) holding STDIN_TEXT; remove() deletes
 * both.
 */
export function scratch(): { cwd: string; stdin: string; remove: () => void } {
  const base = mkdtempSync(join(tmpdir(), 'atoll-guest-'));
  const cwd = join(base, 'run');
  const stdin = join(base, 'stdin.txt');
  writeFileSync(stdin, STDIN_TEXT);
  mkdirSync(cwd);
  return { cwd, stdin, remove: () => rmSync(base, { recursive: true, force: true }) };
}

export function qemuMissing(): string | undefined {
  const qemu = spawnSync('qemu-riscv32', ['--version'], { encoding: 'utf8' });
  return qemu.error || qemu.status !== 0 ? 'qemu-riscv32 is not installed (apt-get install qemu-user)' : undefined;
}

export function atollNotBuilt(): string | undefined {
  if (!existsSync(join(ROOT, 'build', 'kernel.wasm'))) return 'build/kernel.wasm is missing (npm run build)';
  if (!existsSync(join(ROOT, 'dist', 'src', 'cli', 'main.js'))) return 'dist/ is missing (npm run build)';
  return undefined;
}
