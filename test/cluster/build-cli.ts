// Compiles the CLI's real-network commands into a temporary directory laid out like the package
// (dist/ + bin/atoll.js), so the tests can start real node processes without a prior `npm run build`.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync, existsSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '../..');

export function buildCli(): { dir: string; launcher: string } {
  const dir = mkdtempSync(join(tmpdir(), 'atoll-cli-'));
  const entries = ['src/cli/main.ts', 'src/cli/commands/node.ts', 'src/cli/commands/cluster.ts'].map((f) => join(ROOT, f));
  try {
    execFileSync(process.execPath, [
      join(ROOT, 'node_modules/typescript/bin/tsc'), ...entries,
      '--outDir', join(dir, 'dist'), '--rootDir', ROOT, '--module', 'nodenext', '--moduleResolution', 'nodenext',
      '--target', 'es2022', '--types', 'node', '--skipLibCheck', '--strict', '--ignoreConfig',
    ], { stdio: 'pipe' });
  } catch (err) {
    // type errors still emit JavaScript; only a missing output is fatal
    if (!existsSync(join(dir, 'dist/src/cli/main.js'))) throw err;
  }
  mkdirSync(join(dir, 'bin'));
  const launcher = join(dir, 'bin/atoll.js');
  writeFileSync(launcher, "import { main } from '../dist/src/cli/main.js';\nmain(process.argv.slice(2)).then((c) => { process.exitCode = c; });\n");
  writeFileSync(join(dir, 'package.json'), '{"type":"module"}\n');
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir'); // the CLI's dependencies
  return { dir, launcher };
}
