// src/ as a stack: every folder has a layer, imports run only downward (or within a folder), there is no
// import cycle between files, imports across folders go through the folder's index.ts, and the folders
// below the host edge import no `node:` module, so the simulator and the pure cores load in a browser.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { describe, expect, it } from 'vitest';

import { BROWSER_SAFE, LAYERS } from './layers.js';

const SRC = resolve(import.meta.dirname, '../../src');

/** Files inside browser-safe folders that are the host edge themselves (none today). */
const HOST_EDGE_FILES: readonly string[] = [];

/** An import; `lazy` when it is a dynamic import() (a deliberate load on demand, allowed past index.ts). */
interface Edge { readonly from: string; readonly to: string; readonly spec: string; readonly lazy: boolean }

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? walk(p) : p.endsWith('.ts') && !p.endsWith('.d.ts') ? [p] : [];
  });
}

const IMPORT = /^\s*(?:import|export)\s+(?:type\s+)?(?:[^'";]*?\sfrom\s+)?['"]([^'"]+)['"]/gm;
const DYNAMIC = /\bimport\(\s*[`'"]([^`'"]+)[`'"]\s*\)/g;

function edges(): { files: string[]; edges: Edge[]; nodeImports: Map<string, string[]> } {
  const files = walk(SRC).map((f) => relative(SRC, f));
  const out: Edge[] = [];
  const nodeImports = new Map<string, string[]>();
  for (const f of files) {
    const text = readFileSync(join(SRC, f), 'utf8');
    const specs = [...[...text.matchAll(IMPORT)].map((m) => ({ spec: m[1]!, lazy: false })), ...[...text.matchAll(DYNAMIC)].map((m) => ({ spec: m[1]!, lazy: true }))];
    for (const { spec, lazy } of specs) {
      if (spec.startsWith('node:')) { nodeImports.set(f, [...(nodeImports.get(f) ?? []), spec]); continue; }
      if (!spec.startsWith('.')) continue;
      const target = relative(SRC, resolve(SRC, dirname(f), spec)).replace(/\.js$/, '.ts');
      out.push({ from: f, to: target, spec, lazy });
    }
  }
  return { files, edges: out, nodeImports };
}

/** The folder a file belongs to: its top folder under src/, or a sub-folder that is a unit of its own (net/tcp). */
const SUB_FOLDERS: readonly string[] = ['net/tcp'];
const folderOf = (file: string): string => {
  const sub = SUB_FOLDERS.find((d) => file.startsWith(d + sep));
  if (sub) return sub;
  return file.includes(sep) ? file.split(sep)[0]! : '.';
};
const layerOf = (folder: string): number => LAYERS.findIndex((l) => l.includes(folder));

describe('src/ as a stack', () => {
  const g = edges();
  const inSrc = g.edges.filter((e) => !e.to.startsWith('..'));

  it('every folder of src/ has a layer', () => {
    const folders = [...new Set(g.files.map(folderOf))].filter((f) => f !== '.');
    expect(folders.filter((f) => layerOf(f) < 0)).toEqual([]);
  });

  it('no import runs from a lower layer to a higher one, or sideways between folders of one layer', () => {
    const bad = inSrc
      .filter((e) => folderOf(e.from) !== '.' && folderOf(e.from) !== folderOf(e.to))
      .filter((e) => layerOf(folderOf(e.to)) >= layerOf(folderOf(e.from)))
      .map((e) => `${e.from} -> ${e.to}`);
    expect(bad).toEqual([]);
  });

  it('imports across folders go through the folder\'s index.ts (a lazy import() may load one module on demand)', () => {
    const bad = inSrc
      .filter((e) => !e.lazy && folderOf(e.from) !== folderOf(e.to) && folderOf(e.to) !== '.')
      .filter((e) => e.to !== join(folderOf(e.to), 'index.ts'))
      .map((e) => `${e.from} -> ${e.to}`);
    expect(bad).toEqual([]);
  });

  it('no import cycle between files', () => {
    const next = new Map<string, string[]>();
    for (const e of inSrc) next.set(e.from, [...(next.get(e.from) ?? []), e.to]);
    const state = new Map<string, 'open' | 'done'>();
    const cycles: string[] = [];
    const visit = (f: string, path: string[]): void => {
      if (state.get(f) === 'done') return;
      if (state.get(f) === 'open') { cycles.push([...path.slice(path.indexOf(f)), f].join(' -> ')); return; }
      state.set(f, 'open');
      for (const t of next.get(f) ?? []) visit(t, [...path, f]);
      state.set(f, 'done');
    };
    for (const f of g.files) visit(f, []);
    expect(cycles).toEqual([]);
  });

  it('the folders below the host edge import no node: module, directly or through what they import', () => {
    const next = new Map<string, string[]>();
    for (const e of inSrc) next.set(e.from, [...(next.get(e.from) ?? []), e.to]);
    const reaches = (f: string, seen = new Set<string>()): string | null => {
      if (seen.has(f)) return null;
      seen.add(f);
      if (g.nodeImports.has(f) && !HOST_EDGE_FILES.includes(f)) return `${f} (${g.nodeImports.get(f)!.join(', ')})`;
      for (const t of next.get(f) ?? []) {
        const r = reaches(t, seen);
        if (r) return `${f} -> ${r}`;
      }
      return null;
    };
    const bad = g.files.filter((f) => BROWSER_SAFE.includes(folderOf(f))).map((f) => reaches(f)).filter((r): r is string => r !== null);
    expect(bad).toEqual([]);
  });
});
