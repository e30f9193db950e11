// Guest MIPS in the page against Node, in the same run on the same guest: compute.elf on one hart in a Web
// Worker (Debian's chromium, headless, driven by playwright-core) and on one hart on a worker thread
// (`atoll run --threaded`), each run RUNS times; prints the median of each. Needs `npm run build`.
// Usage: node scripts/browser-bench.mjs [rounds (default 40)] [runs (default 3)]
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { startPageServer } from '../dist/src/cli/commands/serve.js';

const ROOT = new URL('..', import.meta.url).pathname;
const rounds = Number(process.argv[2] ?? 40);
const runs = Number(process.argv[3] ?? 3);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const server = await startPageServer({ port: 0 });
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: ['--no-sandbox'] });
const dir = mkdtempSync(join(tmpdir(), 'atoll-bench-'));
const page = [], node = [];
try {
  for (let i = 0; i < runs; i++) {
    const p = await browser.newPage();
    await p.goto(`${server.url}?run=compute.elf&harts=1&args=${rounds}`);
    await p.waitForSelector('#status[data-state=exited]', { timeout: 300_000 });
    const [n, ms] = await p.locator('#status').evaluate((e) => [Number(e.dataset.instructions), Number(e.dataset.wallMs)]);
    page.push(n / ms / 1000);
    await p.close();
    const json = join(dir, `node-${i}.json`);
    execFileSync(process.execPath, [join(ROOT, 'bin/atoll.js'), 'run', '--threaded', '--stats-json', json, join(ROOT, 'guest/examples/compute.elf'), String(rounds)], { stdio: 'ignore' });
    node.push(JSON.parse(readFileSync(json, 'utf8')).mips);
  }
} finally {
  await browser.close();
  await server.close();
  rmSync(dir, { recursive: true, force: true });
}
const chromiumVersion = execFileSync('/usr/bin/chromium', ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
console.log(`compute.elf ${rounds}, one hart on a worker, median of ${runs} runs`);
console.log(`  page (${chromiumVersion}): ${median(page).toFixed(1)} MIPS  [${page.map((x) => x.toFixed(1)).join(', ')}]`);
console.log(`  Node ${process.version} (atoll run --threaded): ${median(node).toFixed(1)} MIPS  [${node.map((x) => x.toFixed(1)).join(', ')}]`);
console.log(`  page / Node: ${(median(page) / median(node)).toFixed(2)}`);
