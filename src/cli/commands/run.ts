// `atoll run [options] <program.elf> [args...]`: run one static RV32 program on a fresh node. The guest's
// stdout and stderr pass through unchanged and atoll exits with the guest's status (128 + signal after a
// fault, with one line on stderr). Flags come before the program; everything after it goes to the guest.
import { writeFileSync, writeSync } from 'node:fs';
import { parseArgs, flagBool, flagNumber, flagString, formatFlagHelp, type FlagSpecs } from '../args.js';
import { UsageError, InputError } from '../errors.js';
import { runProgram, faultLine, formatStats } from '../../node/session.js';
import { TLB_ENTRIES_DEFAULT, TLB_WAYS_DEFAULT } from '../../node/layout.js';
import { EPIPE, type GuestIO } from '../../node/syscalls.js';

const FLAGS: FlagSpecs = {
  ram: { kind: 'size', help: 'guest RAM (default 128M; a multiple of 4K, at most 1008M)' },
  tlb: { kind: 'string', help: `TLB geometry <entries>[x<ways>] (default ${TLB_ENTRIES_DEFAULT}x${TLB_WAYS_DEFAULT})` },
  stats: { kind: 'boolean', help: 'print instructions, MIPS, TLB hit rate, walks and page faults on stderr' },
  'stats-json': { kind: 'string', help: 'write the same statistics as JSON to a file' },
  help: { kind: 'boolean', help: 'show this help' },
};

export function parseTlb(text: string): { entries: number; ways: number } {
  const m = /^(\d+)(?:x(\d+))?$/.exec(text);
  if (!m) throw new UsageError(`--tlb: '${text}' is not <entries>[x<ways>] (example: 256x4)`);
  const entries = Number(m[1]);
  const ways = m[2] === undefined ? Math.min(TLB_WAYS_DEFAULT, entries) : Number(m[2]);
  return { entries, ways };
}

const pause = new Int32Array(new SharedArrayBuffer(4));

/**
 * The guest's fds 1 and 2 are atoll's: bytes go out unchanged and in order. A full non-blocking pipe is
 * waited on (1 ms steps, at most RETRIES_MAX); a closed reader makes the guest's write return -EPIPE.
 */
export const stdio: GuestIO = {
  write(fd, bytes) {
    const RETRIES_MAX = 60_000;
    for (let off = 0, retries = 0; off < bytes.length;) {
      try {
        off += writeSync(fd, bytes, off, bytes.length - off);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'EAGAIN' && retries++ < RETRIES_MAX) { Atomics.wait(pause, 0, 0, 1); continue; }
        if (code === 'EPIPE') return -EPIPE;
        throw err;
      }
    }
    return bytes.length;
  },
};

export async function run(argv: string[]): Promise<number> {
  const p = parseArgs(argv, FLAGS, { stopAtPositional: true });
  if (flagBool(p, 'help')) {
    process.stdout.write(`usage: atoll run [options] <program.elf> [args...]\n\noptions:\n${formatFlagHelp(FLAGS)}\n`);
    return 0;
  }
  const [program, ...args] = p.positionals;
  if (program === undefined) throw new UsageError('missing the program to run (usage: atoll run [options] <program.elf> [args...])');
  const tlbText = flagString(p, 'tlb');
  const tlb = tlbText === undefined ? undefined : parseTlb(tlbText);
  const ram = flagNumber(p, 'ram');
  let session;
  try {
    session = await runProgram(program, args, { ram_bytes: ram, tlb_entries: tlb?.entries, tlb_ways: tlb?.ways }, stdio, () => performance.now());
  } catch (err) {
    // Configuration the kernel or node refuses is a usage problem when it came from a flag.
    if (err instanceof InputError && /RAM size|TLB/.test(err.message) && (ram !== undefined || tlb !== undefined)) throw new UsageError(err.message);
    throw err;
  }
  const line = faultLine(session.result);
  if (line !== null) process.stderr.write(`atoll: ${line}\n`);
  if (flagBool(p, 'stats')) process.stderr.write(formatStats(session.stats).replace(/^/gm, 'atoll: ') + '\n');
  const jsonPath = flagString(p, 'stats-json');
  if (jsonPath !== undefined) {
    const body = { program, exit_code: session.exit_code, ...session.stats };
    try {
      writeFileSync(jsonPath, JSON.stringify(body, null, 2) + '\n');
    } catch (err) {
      throw new InputError(`--stats-json: cannot write '${jsonPath}': ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
    }
  }
  return session.exit_code;
}
