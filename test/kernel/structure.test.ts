// The kernel's modules form a layered graph: every import points down, so each file can be read knowing
// only the files below it. This test parses the import and re-export statements of assembly/*.ts and
// fails on any cycle, naming the files around it.
import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const ASSEMBLY = join(import.meta.dirname, '../../assembly');

/** Module name -> the local modules it imports or re-exports from. */
export function importGraph(dir: string): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.ts')).sort()) {
    const text = readFileSync(join(dir, file), 'utf8').replace(/\/\/[^\n]*|\/\*[\s\S]*?\*\//g, '');
    const deps = new Set<string>();
    for (const m of text.matchAll(/\b(?:import|export)\b[^;'"]*?\bfrom\s*['"]\.\/([\w.-]+?)(?:\.ts)?['"]/g)) deps.add(m[1]!);
    for (const m of text.matchAll(/\bimport\s*['"]\.\/([\w.-]+?)(?:\.ts)?['"]/g)) deps.add(m[1]!);
    graph.set(file.replace(/\.ts$/, ''), [...deps].sort());
  }
  return graph;
}

/** Every cycle found by a depth-first search, each as the path of modules that closes on itself. */
export function findCycles(graph: Map<string, string[]>): string[][] {
  const cycles: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const path: string[] = [];
  const visit = (m: string): void => {
    state.set(m, 'open');
    path.push(m);
    for (const d of graph.get(m) ?? []) {
      if (!graph.has(d)) continue;
      const s = state.get(d);
      if (s === 'open') cycles.push([...path.slice(path.indexOf(d)), d]);
      else if (s === undefined) visit(d);
    }
    path.pop();
    state.set(m, 'done');
  };
  for (const m of graph.keys()) if (!state.has(m)) visit(m);
  return cycles;
}

describe('kernel module structure', () => {
  it('the parser sees the imports (multi-line ones too) and finds a planted cycle', () => {
    const g = importGraph(ASSEMBLY);
    expect(g.get('index')).toContain('spinlock');
    expect(g.get('frames')).toEqual(expect.arrayContaining(['blocks', 'klock', 'layout', 'limits']));
    const planted = new Map(g);
    planted.set('limits', ['index']);
    expect(findCycles(planted).length).toBeGreaterThan(0);
  });

  it('assembly/*.ts imports form no cycle', () => {
    const cycles = findCycles(importGraph(ASSEMBLY));
    const text = cycles.map((c) => c.join(' -> ')).join('\n');
    expect(text, `import cycles among assembly/*.ts:\n${text}`).toBe('');
  });

  it('every local import names a file of assembly/', () => {
    const g = importGraph(ASSEMBLY);
    const missing = [...g].flatMap(([m, deps]) => deps.filter((d) => !g.has(d)).map((d) => `${m} -> ${d}`));
    expect(missing).toEqual([]);
  });
});
