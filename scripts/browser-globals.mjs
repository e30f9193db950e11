// The check scripts/build-browser.mjs runs on each bundle: code that would use Node's globals in a page, where they
// do not exist and the use throws. esbuild itself finds the uses (its `define` replaces only free references to
// a global, never a local of that name, a property, a string, a regular expression or a comment), so the check
// sees code, not text:
// - `Buffer` used at all (typeof Buffer aside);
// - `process` used other than in `typeof process` or in the same expression after such a test
//   (`typeof process !== 'undefined' && process.env.X`), since the name alone throws a ReferenceError;
// - `globalThis.process` read through without `?.` (`globalThis.process?.env` is the guarded form).
// Each use found is reported with the line it is on (the bundle's code as esbuild prints it again).
import { transform } from 'esbuild';

const FREE = { process: 'ATOLL_FREE_PROCESS', Buffer: 'ATOLL_FREE_BUFFER' };
const GLOBAL_PROCESS = 'ATOLL_GLOBAL_PROCESS';
const MARKS = new RegExp(`\\b(${[...Object.values(FREE), GLOBAL_PROCESS].join('|')})\\b`, 'g');
/** At most this many uses are reported per bundle. */
const USES_MAX = 20;

const shown = (line) => line.trim().replaceAll(FREE.process, 'process').replaceAll(FREE.Buffer, 'Buffer')
  .replaceAll(GLOBAL_PROCESS, 'globalThis.process').slice(0, 200);

/** Why a marked use on `line` at `at` would throw in a page, or null when it cannot. */
function problem(line, at, mark) {
  const before = line.slice(0, at);
  const after = line.slice(at + mark.length);
  if (/\btypeof\s*$/.test(before)) return null;
  if (mark === FREE.Buffer) return "uses Node's Buffer (use src/base/text.ts's helpers)";
  if (mark === FREE.process) {
    return before.includes(`typeof ${FREE.process}`) ? null : "uses Node's process (a page has none; globalThis.process?. is the guarded form)";
  }
  return /^\s*(\.|\[|\()/.test(after) ? 'reads globalThis.process without ?. (a page has none)' : null;
}

/**
 * The uses of Node's globals in `code` (a bundle's JavaScript) that would throw in a page: one line each, saying
 * what and where (the line as esbuild prints it, placeholders put back). Empty when there are none.
 */
export async function nodeGlobalUses(code) {
  const probe = await transform(code, { loader: 'js', define: { ...FREE, 'globalThis.process': GLOBAL_PROCESS }, logLevel: 'silent' });
  const uses = [];
  for (const line of probe.code.split('\n')) {
    for (const m of line.matchAll(MARKS)) {
      const why = problem(line, m.index, m[1]);
      if (why !== null && uses.length < USES_MAX) uses.push(`${why}: ${shown(line)}`);
    }
  }
  return uses;
}
