// Running the kernel's test guests (test/fixtures/kernel) on one node in-process, with their output and
// the kernel log captured.
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { parseElf } from '../../src/elf/index.js';
import { System, type SystemOptions } from '../../src/machine/system.js';
import type { RunResult } from '../../src/machine/process.js';
import type { KernelStats } from '../../src/machine/kstats.js';

export const FIXTURES = join(import.meta.dirname, '../fixtures/kernel');
export const fixture = (name: string): string => join(FIXTURES, `${name}.elf`);

export interface Run {
  out: string;
  err: string;
  log: string[];
  results: RunResult[];
  stats: KernelStats;
  sys: System;
}

/** Each program is [name, ...args]; all run as processes of one node in deterministic mode. */
export async function runGuests(programs: string[][], opts: SystemOptions = {}, max_instructions = 200_000_000): Promise<Run> {
  const sys = await System.create({ ram_bytes: 32 << 20, ...opts });
  for (const [name, ...args] of programs) {
    sys.spawn(parseElf(new Uint8Array(readFileSync(fixture(name!)))), { argv: [name!, ...args], name: name! });
  }
  let out = '', err = '';
  const log: string[] = [];
  const dec = new TextDecoder();
  const r = opts.threaded
    ? await sys.runThreaded((l) => log.push(l))
    : sys.run({ write: (fd, b) => { if (fd === 1) out += dec.decode(b); else err += dec.decode(b); } }, (l) => log.push(l), max_instructions);
  if (r.limited) throw new Error('the guests did not finish within the instruction limit');
  return { out, err, log, results: r.results.map((x) => x!), stats: sys.stats(), sys };
}
