// Porcupine's test histories on disk: read a directory of them with their verdicts, and find the full set
// beside the repository. Node only (files); the parsers and the checker are in src/check.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { InputError } from '../base/index.js';
import type { PorcupineHistory } from '../check/index.js';

/**
 * Reads `jepsen/*.log` and `kv/*.txt` under dir with the verdicts in `verdicts.json`. A history without a
 * verdict, or a verdict without its history, is an error: nothing is skipped silently.
 */
export function readPorcupineCorpus(dir: string): PorcupineHistory[] {
  const verdicts = JSON.parse(readFileSync(join(dir, 'verdicts.json'), 'utf8')) as Record<string, unknown>;
  const out: PorcupineHistory[] = [];
  for (const [format, sub, ext] of [['jepsen', 'jepsen', '.log'], ['kv', 'kv', '.txt']] as const) {
    if (!existsSync(join(dir, sub))) continue;
    for (const file of readdirSync(join(dir, sub)).filter((f) => f.endsWith(ext)).sort()) {
      const name = file.slice(0, -ext.length);
      const expected = verdicts[name];
      if (expected !== 'ok' && expected !== 'illegal') throw new InputError(`${join(dir, sub, file)}: no verdict 'ok' or 'illegal' for '${name}' in verdicts.json`);
      const path = join(dir, sub, file);
      out.push({ name, format, path, text: readFileSync(path, 'utf8'), expected });
    }
  }
  const missing = Object.keys(verdicts).filter((name) => !out.some((h) => h.name === name));
  if (missing.length > 0) throw new InputError(`${dir}: verdicts.json names histories that are not there: ${missing.join(', ')}`);
  return out;
}

/**
 * Where the full set is kept: `../shared/histories/porcupine` from the repository root (or from the folder
 * above it, for a git worktree kept one level down), or $ATOLL_PORCUPINE_HISTORIES. Returns the directory,
 * or null with the places looked at.
 */
export function findPorcupineCorpus(repoRoot: string): { dir: string | null; looked: string[] } {
  const env = process.env['ATOLL_PORCUPINE_HISTORIES'];
  const looked = [
    ...(env ? [resolve(env)] : []),
    resolve(repoRoot, '..', 'shared', 'histories', 'porcupine'),
    resolve(repoRoot, '..', '..', 'shared', 'histories', 'porcupine'),
  ];
  return { dir: looked.find((d) => existsSync(join(d, 'verdicts.json'))) ?? null, looked };
}
