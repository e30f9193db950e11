// The browser bundle (`npm run build:browser`): src/browser/page.ts and its two workers (hart, scenario) bundled with
// esbuild for the browser into dist/browser/, with the page's static files beside them. A module of src/ that
// has a sibling X.browser.ts (the Node-only seams: the kernel's file, the hart threads, stdio, the host's stdin
// and directories, the host's clock) is replaced by that twin, and a bundle that still names a `node:` module or
// uses Node's Buffer or process where a page would throw (scripts/browser-globals.mjs) fails the build.
import { build } from 'esbuild';
import { copyFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { nodeGlobalUses } from './browser-globals.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SRC = join(ROOT, 'src');
const OUT = join(ROOT, 'dist/browser');
const ENTRIES = { page: 'src/browser/page.ts', 'hart-worker': 'src/browser/hart-worker.ts', 'scenario-worker': 'src/browser/scenario-worker.ts' };
const STATIC = ['index.html', 'page.css'];

/**
 * Relative imports inside src/ resolve to X.browser.ts when it exists beside X.ts. The modules of src/ run no
 * code at load beyond their own definitions, so they are marked free of side effects: a folder's index.ts
 * may re-export Node-only parts the page never uses (a real node's TCP transport and files beside the
 * simulated cluster) and those are left out, with the `node:` modules only they import (external here; the
 * check after the build fails if one is still named).
 */
const browserTwins = {
  name: 'browser-twins',
  setup(b) {
    b.onResolve({ filter: /^node:/ }, (args) => ({ path: args.path, external: true, sideEffects: false }));
    b.onResolve({ filter: /^\.\.?\// }, (args) => {
      if (!args.importer.startsWith(SRC)) return undefined;
      const ts = resolve(args.resolveDir, args.path.replace(/\.js$/, '.ts'));
      const twin = ts.replace(/\.ts$/, '.browser.ts');
      const path = existsSync(twin) && !args.importer.endsWith('.browser.ts') ? twin : ts;
      return existsSync(path) ? { path, sideEffects: false } : undefined;
    });
  },
};

mkdirSync(OUT, { recursive: true });
const result = await build({
  absWorkingDir: ROOT,
  entryPoints: ENTRIES,
  outdir: OUT,
  bundle: true,
  platform: 'browser',
  format: 'esm',
  target: 'es2022',
  sourcemap: true,
  metafile: true,
  logLevel: 'warning',
  plugins: [browserTwins],
});
for (const out of Object.keys(result.metafile.outputs).filter((f) => f.endsWith('.js'))) {
  const text = readFileSync(join(ROOT, out), 'utf8');
  const m = /["']node:[a-z_/]+["']/.exec(text);
  if (m) throw new Error(`${out} names ${m[0]}: a Node-only module reached the browser bundle (give it a .browser.ts twin)`);
  const uses = await nodeGlobalUses(text);
  if (uses.length > 0) throw new Error(`${out} would use Node's globals in a page (give the module a .browser.ts twin):\n  ${uses.join('\n  ')}`);
}
for (const f of STATIC) copyFileSync(join(SRC, 'browser', f), join(OUT, f));
console.log(`dist/browser: ${Object.keys(ENTRIES).map((e) => `${e}.js`).join(', ')}, ${STATIC.join(', ')}`);
