// The screenshots of docs/browser.md, taken by playwright-core in Debian's chromium: the machine panel while
// compute.elf runs on two harts (docs/browser-machine.png) and the cluster panel partway through the swarm,
// seed 7 (docs/browser-cluster.png), and the migrate scenario's report, seed 7, its guests run on emulated machines
// in the page (docs/browser-migrate.png). Needs `npm run build`. Usage: node scripts/browser-shots.mjs
import { chromium } from 'playwright-core';
import { startPageServer } from '../dist/src/cli/commands/serve.js';

const DOCS = new URL('../docs/', import.meta.url).pathname;
const server = await startPageServer({ port: 0 });
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: ['--no-sandbox'] });
try {
  const page = await browser.newPage({ viewport: { width: 1100, height: 900 }, colorScheme: 'light' });
  await page.goto(`${server.url}?run=compute.elf&harts=2&args=200`);
  await page.waitForSelector('#status[data-state=running]');
  // Partway: some rounds printed, the statistics moving.
  await page.waitForFunction(() => (document.getElementById('console').textContent.match(/round/g) ?? []).length >= 6, undefined, { timeout: 60_000 });
  await page.locator('#machine').screenshot({ path: `${DOCS}browser-machine.png` });
  await page.locator('#stop').click();
  await page.waitForSelector('#status[data-state=stopped]');
  await page.close();

  const cluster = await browser.newPage({ viewport: { width: 1100, height: 900 }, colorScheme: 'light' });
  await cluster.goto(`${server.url}?scenario=swarm&seed=7`);
  await cluster.waitForSelector('#cluster-status[data-state=passed]', { timeout: 60_000 });
  // 370 ms in: r01 (cut off at 359 ms) is isolated and its lane shaded.
  await cluster.locator('#time').evaluate((el) => { el.value = '360'; el.dispatchEvent(new Event('input')); });
  await cluster.locator('#cluster').screenshot({ path: `${DOCS}browser-cluster.png` });
  await cluster.close();

  const migrate = await browser.newPage({ viewport: { width: 1100, height: 900 }, colorScheme: 'light' });
  await migrate.goto(`${server.url}?scenario=migrate&seed=7`);
  await migrate.waitForSelector('#cluster-status[data-state=passed]', { timeout: 120_000 });
  await migrate.locator('#cluster').screenshot({ path: `${DOCS}browser-migrate.png` });
  await migrate.close();
} finally {
  await browser.close();
  await server.close();
}
console.log('docs/browser-machine.png, docs/browser-cluster.png, docs/browser-migrate.png');
