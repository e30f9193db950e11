#!/usr/bin/env node
// Builds the native measurement addon (native/) with node-gyp against the installed Node headers, offline.
// Never fails the install: without a compiler, Python or headers it prints one warning and exits 0, and
// everything else runs without the native baseline (the benchmarks say so).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);

function warn(reason) {
  process.stderr.write(`atoll: warning: native measurement addon not built (${reason}); benchmarks run without the native baseline\n`);
  process.exit(0);
}

// An installed package carries no native sources: the addon is a development tool, so there is nothing to do.
if (!existsSync(join(root, 'native', 'binding.gyp'))) process.exit(0);

let gyp;
try {
  gyp = require.resolve('node-gyp/bin/node-gyp.js');
} catch {
  warn('node-gyp is not installed');
}
// Headers shipped with the Node install itself (e.g. /usr/include/node): no download needed.
const nodedir = dirname(dirname(process.execPath));
const args = [gyp, 'rebuild'];
if (existsSync(join(nodedir, 'include', 'node', 'node_api.h'))) args.push(`--nodedir=${nodedir}`);
const quiet = !process.argv.includes('--verbose');
const r = spawnSync(process.execPath, args, {
  cwd: join(root, 'native'),
  stdio: quiet ? ['ignore', 'pipe', 'pipe'] : 'inherit',
  encoding: 'utf8',
  timeout: 300_000,
});
if (r.error) warn(r.error.message);
if (r.status !== 0) {
  const lines = `${r.stderr ?? ''}`.split('\n').filter((l) => /error/i.test(l));
  warn(lines.length > 0 ? lines[0].trim().slice(0, 200) : `node-gyp exited with ${r.status}`);
}
process.stdout.write('atoll: native measurement addon built (native/build/Release/atoll_native.node)\n');
