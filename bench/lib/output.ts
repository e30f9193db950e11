// Where a run's latest.json and latest.md go, shared by `npm run bench` and `atoll bench`. By default an
// untracked scratch folder (bench/results/local/, in .gitignore), so a run never dirties the committed
// results; `--update` writes the committed bench/results/latest.* (a full run, all suites, not --quick);
// `--out DIR` writes elsewhere; `--no-save` nowhere. The final stderr line says which.
import { join, relative } from 'node:path';
import { UsageError, type FlagSpecs } from '../../src/base/index.js';
import { packageRoot } from './kernel-wasm.js';

/** The committed results (a full run on the project machine). */
export function committedResultsDir(): string {
  return join(packageRoot(), 'bench', 'results');
}

/** The default, untracked folder for a run's results. */
export function defaultResultsDir(): string {
  return join(committedResultsDir(), 'local');
}

export type ResultsTarget =
  | { readonly kind: 'local' | 'committed' | 'out'; readonly dir: string }
  | { readonly kind: 'none' };

export const SAVE_FLAGS: FlagSpecs = {
  update: { kind: 'boolean', help: 'write the committed bench/results/latest.json and latest.md (a full run only)' },
  out: { kind: 'string', help: 'folder for latest.json and latest.md (default bench/results/local, untracked)' },
  'no-save': { kind: 'boolean', help: 'do not write result files' },
};

export interface SaveChoice {
  readonly update: boolean;
  readonly out: string | undefined;
  readonly noSave: boolean;
  readonly quick: boolean;
  /** Suites named on the command line (empty: all). */
  readonly only: readonly string[];
}

export function resultsTarget(c: SaveChoice): ResultsTarget {
  const chosen = [c.update && '--update', c.out !== undefined && '--out', c.noSave && '--no-save'].filter((x) => x !== false);
  if (chosen.length > 1) throw new UsageError(`${chosen.join(' and ')} contradict each other: choose one`);
  if (c.noSave) return { kind: 'none' };
  if (c.out !== undefined) return { kind: 'out', dir: c.out };
  if (!c.update) return { kind: 'local', dir: defaultResultsDir() };
  if (c.quick) throw new UsageError('--update writes the committed results, which are a full run: drop --quick');
  if (c.only.length > 0) throw new UsageError(`--update writes the committed results, which hold every suite: run them all (drop '${c.only.join(' ')}'), or use --out DIR`);
  return { kind: 'committed', dir: committedResultsDir() };
}

/** The final stderr line: where the results went and what that folder is. */
export function savedLine(target: ResultsTarget, saved?: { json: string; md: string }): string {
  if (target.kind === 'none' || !saved) return 'results not saved (--no-save)';
  const shown = (p: string): string => (p.startsWith(packageRoot()) ? relative(process.cwd(), p) || p : p);
  const where = `wrote ${shown(saved.json)} and ${shown(saved.md)}`;
  if (target.kind === 'local') return `${where} (untracked; --update writes the committed bench/results/latest.*)`;
  if (target.kind === 'committed') return `${where} (the committed results: review the diff and commit them)`;
  return `${where} (--out)`;
}
