// Running a guest program under qemu-riscv32 and under `atoll run` for the differential tests: one child
// process each, stdout and stderr captured (bounded), a timeout that kills it, and the reasons a test
// must skip (qemu missing, atoll not built).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
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

export function runProcess(cmd: string, args: readonly string[]): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
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
export const underQemu = (elf: string, args: readonly string[]): Promise<Outcome> =>
  runProcess('sh', ['-c', 'ulimit -c 0; exec qemu-riscv32 "$@"', 'qemu', elf, ...args]);

/** `atoll run <runArgs...>`: flags, then one or more programs with their arguments. */
export const underAtoll = (runArgs: readonly string[]): Promise<Outcome> =>
  runProcess(process.execPath, [ATOLL, 'run', ...runArgs]);

export function qemuMissing(): string | undefined {
  const qemu = spawnSync('qemu-riscv32', ['--version'], { encoding: 'utf8' });
  return qemu.error || qemu.status !== 0 ? 'qemu-riscv32 is not installed (apt-get install qemu-user)' : undefined;
}

export function atollNotBuilt(): string | undefined {
  if (!existsSync(join(ROOT, 'build', 'kernel.wasm'))) return 'build/kernel.wasm is missing (npm run build)';
  if (!existsSync(join(ROOT, 'dist', 'src', 'cli', 'main.js'))) return 'dist/ is missing (npm run build)';
  return undefined;
}
