// The page in a real Chromium (Debian's /usr/bin/chromium driven by playwright-core; needs `npm run build`):
// it loads cross-origin isolated, ?run=hello.elf prints what `atoll run` prints, a threaded guest on two harts
// (two Web Workers over one shared memory) gives the same output as `atoll run --harts 2 --threaded`, the
// console's standard input reaches the guest, the statistics move while a machine runs, and stop and restart work;
// a scenario link (?scenario=swarm&seed=7) shows the trace digest `atoll scenario swarm --seed 7 --json` reports,
// with its nodes, roles and diagram, and a click that cuts a node off runs the same faults the CLI's script would;
// migrate and deadlock run their guest programs (fetched from the server) to the CLI's digest and text report.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { execFileSync, spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { startPageServer, type PageServer } from '../../src/cli/commands/serve.js';

const ROOT = join(import.meta.dirname, '../..');
const ATOLL = join(ROOT, 'bin/atoll.js');
/** Debian's chromium (ATOLL_CHROMIUM names another executable). */
export const CHROMIUM = process.env['ATOLL_CHROMIUM'] ?? '/usr/bin/chromium';
const SKIP = existsSync(CHROMIUM) ? undefined : `${CHROMIUM} is missing (apt-get install chromium): the page is not tested in a browser`;
const END = '#status[data-state=exited], #status[data-state=stopped], #status[data-state=error]';

/** The report `atoll scenario <name> --seed <seed> --json [more]` prints (its status is 1 when a check failed). */
function cliReport(name: string, seed: number, more: readonly string[] = []): { trace_hash: string; passed: boolean } {
  const r = spawnSync(process.execPath, [ATOLL, 'scenario', name, '--seed', String(seed), '--json', ...more], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  return JSON.parse(r.stdout) as { trace_hash: string; passed: boolean };
}
const cliDigest = (name: string, seed: number, more: readonly string[] = []): string => cliReport(name, seed, more).trace_hash;

/** The digest the CLI gives for this fault script (written to a file for --faults). */
function cliDigestWith(name: string, seed: number, script: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'atoll-page-'));
  try {
    writeFileSync(join(dir, 'faults.txt'), script);
    return cliDigest(name, seed, ['--faults', join(dir, 'faults.txt')]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** What `atoll run` prints on stdout for these words. */
function cli(words: readonly string[], input?: string): string {
  return execFileSync(process.execPath, [ATOLL, 'run', ...words], { cwd: ROOT, encoding: 'utf8', input, stdio: ['pipe', 'pipe', 'ignore'] });
}

describe('the page in Chromium', () => {
  let server: PageServer;
  let browser: Browser | undefined;
  const errors: string[] = [];

  beforeAll(async () => {
    if (SKIP !== undefined) return;
    const { chromium } = await import('playwright-core');
    server = await startPageServer({ port: 0 });
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  async function open(query: string): Promise<Page> {
    const page = await browser!.newPage();
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(server.url + query);
    return page;
  }

  const consoleText = (page: Page): Promise<string> => page.locator('#console').innerText();

  it('loads cross-origin isolated, with the prebuilt guests to choose from', async (ctx) => {
    ctx.skip(SKIP !== undefined, SKIP);
    const page = await open('');
    expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
    expect(await page.evaluate(() => typeof SharedArrayBuffer)).toBe('function');
    await page.waitForFunction(() => document.querySelectorAll('#guest option').length > 0);
    const options = await page.locator('#guest option').evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value));
    expect(options).toEqual(expect.arrayContaining(['hello.elf', 'threads-counter.elf', 'sh.elf']));
    expect(await page.locator('#status').getAttribute('data-state')).toBe('idle');
    await page.close();
    expect(errors).toEqual([]);
  });

  it('?run=hello.elf prints what atoll run guest/examples/hello.elf prints, and exits 0', async (ctx) => {
    ctx.skip(SKIP !== undefined, SKIP);
    const expected = cli(['guest/examples/hello.elf']);
    expect(expected).toContain('hello');
    const page = await open('?run=hello.elf');
    await page.waitForSelector(END, { timeout: 30_000 });
    expect(await page.locator('#status').getAttribute('data-state')).toBe('exited');
    expect(await page.locator('#status').getAttribute('data-exit')).toBe('0');
    expect(await consoleText(page)).toBe(expected);
    expect(Number((await page.locator('#st-instructions').innerText()).replace(/,/g, ''))).toBeGreaterThan(0);
    await page.close();
    expect(errors).toEqual([]);
  });

  it('threads-counter on 2 harts runs in two Web Workers and prints what atoll run --harts 2 --threaded prints', async (ctx) => {
    ctx.skip(SKIP !== undefined, SKIP);
    const expected = cli(['--harts', '2', '--threaded', 'guest/examples/threads-counter.elf', '5000']);
    expect(expected).toContain('counter = 20000 (expected 20000): exact');
    const page = await browser!.newPage();
    const workers: string[] = [];
    page.on('worker', (w) => workers.push(w.url()));
    await page.goto(server.url + '?run=threads-counter.elf&harts=2&args=5000');
    await page.waitForSelector(END, { timeout: 60_000 });
    expect(await page.locator('#status').getAttribute('data-state')).toBe('exited');
    expect(await consoleText(page)).toBe(expected);
    expect(workers.filter((u) => u.endsWith('/hart-worker.js'))).toHaveLength(2);
    expect(await page.locator('#st-harts').innerText()).toBe('2');
    expect(Number((await page.locator('#st-switches').innerText()).replace(/,/g, ''))).toBeGreaterThan(0);
    await page.close();
  });

  it('the console\'s standard input reaches the guest: sh runs a pipeline typed into it', async (ctx) => {
    ctx.skip(SKIP !== undefined, SKIP);
    const line = 'echo hello from sh | wc';
    const expected = cli(['--harts', '2', '--threaded', 'guest/bin/sh.elf'], `${line}\n`);
    const page = await open('?run=sh.elf&harts=2');
    await page.waitForSelector('#status[data-state=running]', { timeout: 30_000 });
    await page.locator('#stdin').fill(line);
    await page.locator('#stdin').press('Enter');
    await page.waitForFunction((want) => (document.getElementById('console')!.textContent ?? '').includes(want), expected.trim(), { timeout: 30_000 });
    await page.locator('#eof').click();
    await page.waitForSelector(END, { timeout: 30_000 });
    expect(await page.locator('#status').getAttribute('data-state')).toBe('exited');
    expect(await consoleText(page)).toBe(`${line}\n${expected}`);
    await page.close();
  });

  it('the statistics move while a machine runs; stop ends it, restart runs it again', async (ctx) => {
    ctx.skip(SKIP !== undefined, SKIP);
    const page = await open('?run=compute.elf&harts=2&args=100000');
    await page.waitForSelector('#status[data-state=running]', { timeout: 30_000 });
    const count = async (): Promise<number> => Number((await page.locator('#st-instructions').innerText()).replace(/,/g, ''));
    await page.waitForFunction(() => Number(document.getElementById('st-instructions')!.textContent!.replace(/,/g, '')) > 0, undefined, { timeout: 30_000 });
    const first = await count();
    await page.waitForFunction((n) => Number(document.getElementById('st-instructions')!.textContent!.replace(/,/g, '')) > n, first, { timeout: 30_000 });
    expect(Number(await page.locator('#st-mips').innerText())).toBeGreaterThan(0);
    expect(await page.locator('#st-tlb').innerText()).toMatch(/^\d+\.\d\d%$/);
    await page.locator('#stop').click();
    await page.waitForSelector(END, { timeout: 30_000 });
    expect(await page.locator('#status').getAttribute('data-state')).toBe('stopped');
    const stoppedAt = await count();
    await page.waitForTimeout(600);
    expect(await count()).toBe(stoppedAt);
    await page.locator('#restart').click();
    await page.waitForSelector('#status[data-state=running]', { timeout: 30_000 });
    await page.waitForFunction(() => Number(document.getElementById('st-instructions')!.textContent!.replace(/,/g, '')) > 0, undefined, { timeout: 30_000 });
    await page.locator('#stop').click();
    await page.waitForSelector('#status[data-state=stopped]', { timeout: 30_000 });
    await page.close();
    expect(errors).toEqual([]);
  });

  const CLUSTER_END = '#cluster-status[data-state=passed], #cluster-status[data-state=failed], #cluster-status[data-state=error]';

  it('?scenario=quorum, cap and geo show the trace digests and verdicts the CLI reports', async (ctx) => {
    ctx.skip(SKIP !== undefined, SKIP);
    for (const name of ['quorum', 'cap', 'geo']) {
      const want = cliReport(name, 7);
      const page = await open(`?scenario=${name}&seed=7`);
      await page.waitForSelector(CLUSTER_END, { timeout: 60_000 });
      expect(await page.locator('#cluster-status').getAttribute('data-state'), name).toBe(want.passed ? 'passed' : 'failed');
      expect(await page.locator('#digest').innerText(), name).toBe(want.trace_hash);
      await page.close();
    }
    expect(errors).toEqual([]);
  });

  it('?scenario=migrate, deadlock and false-sharing run their guests in the page: the trace digest, verdict and text report the CLI gives', async (ctx) => {
    ctx.skip(SKIP !== undefined, SKIP);
    for (const name of ['migrate', 'deadlock', 'false-sharing']) {
      const want = cliReport(name, 7);
      expect(want.trace_hash, name).toMatch(/^[0-9a-f]{64}$/);
      expect(want.passed, name).toBe(true);
      const text = spawnSync(process.execPath, [ATOLL, 'scenario', name, '--seed', '7'], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).stdout;
      expect(text, name).toContain(want.trace_hash);
      const page = await browser!.newPage();
      page.on('pageerror', (e) => errors.push(e.message));
      const fetched: string[] = [];
      page.on('request', (r) => { if (r.url().includes('/guests/cluster/')) fetched.push(new URL(r.url()).pathname); });
      await page.goto(`${server.url}?scenario=${name}&seed=7`);
      await page.waitForSelector(CLUSTER_END, { timeout: 120_000 });
      expect(await page.locator('#cluster-status').getAttribute('data-state'), name).toBe('passed');
      expect(await page.locator('#digest').innerText(), name).toBe(want.trace_hash);
      expect(await page.locator('#cluster-summary').innerText(), name).toBe(text.trimEnd());
      // No nodes, time or fault script to work with: that part of the panel is not shown.
      expect(await page.locator('#cluster-view').count(), name).toBe(1);
      expect(await page.locator('#cluster-view').isVisible(), name).toBe(false);
      expect(await page.locator('#zone-cut').isVisible(), name).toBe(false);
      expect(fetched, name).toEqual([`/guests/cluster/${name === 'migrate' ? 'migrate_worker' : name === 'deadlock' ? 'lock_ring' : 'false_share'}.elf`]);
      await page.close();
    }
    expect(errors).toEqual([]);
  });

  for (const [name, seed] of [['swarm', 7], ['leader-crash', 7], ['raft-partition', 3]] as const) {
    it(`?scenario=${name}&seed=${seed} shows the trace digest atoll scenario ${name} --seed ${seed} --json reports, with its nodes and diagram`, async (ctx) => {
      ctx.skip(SKIP !== undefined, SKIP);
      const want = cliReport(name, seed);
      expect(want.trace_hash).toMatch(/^[0-9a-f]{64}$/);
      expect(want.passed).toBe(true);
      // The swarm's link as it is (played at real time, about 3 s); the Raft runs as fast as they go.
      const page = await open(`?scenario=${name}&seed=${seed}${name === 'swarm' ? '' : '&speed=max'}`);
      await page.waitForSelector(CLUSTER_END, { timeout: 60_000 });
      expect(await page.locator('#cluster-status').getAttribute('data-state')).toBe('passed');
      expect(await page.locator('#digest').innerText()).toBe(want.trace_hash);
      const nodes = await page.locator('#nodes .node').evaluateAll((ns) => ns.map((n) => [(n as HTMLElement).dataset['node'], n.textContent]));
      if (name === 'swarm') {
        expect(nodes.map(([id]) => id)).toEqual(['coord', 'hub', 'r01', 'r02', 'r03', 'r04', 'r05', 'r06', 'r07', 'r08']);
        expect(nodes[0]![1]).toContain('coordinator');
        expect(nodes[1]![1]).toContain('queue broker');
      } else {
        expect(nodes.map(([id]) => id)).toEqual(['n1', 'n2', 'n3', 'n4', 'n5']);
        // Late in the run some server leads (the timeline's roles at the slider's time).
        await page.locator('#time').evaluate((el: HTMLInputElement) => { el.value = el.max; el.dispatchEvent(new Event('input')); });
        expect(await page.locator('#nodes .node[data-state=leader]').count()).toBe(1);
      }
      const inked = await page.locator('#spacetime').evaluate((c: HTMLCanvasElement) => {
        const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
        let n = 0;
        for (let i = 3; i < d.length; i += 4) if (d[i]! > 0) n++;
        return n;
      });
      expect(inked).toBeGreaterThan(5000);
      expect(await page.locator('#cluster-view').isVisible()).toBe(true);
      expect(await page.locator('#spacetime').isVisible()).toBe(true);
      await page.close();
      expect(errors).toEqual([]);
    });
  }

  it('a click that cuts a swarm robot off changes the view and the digest, to what the same fault script gives the CLI', async (ctx) => {
    ctx.skip(SKIP !== undefined, SKIP);
    const dir = mkdtempSync(join(tmpdir(), 'atoll-page-'));
    try {
      const script = join(dir, 'faults.txt');
      writeFileSync(script, 'at 500ms isolate r03\nat 800ms rejoin r03\n');
      const want = cliDigest('swarm', 7, ['--faults', script]);
      const page = await open('?scenario=swarm&seed=7&speed=max');
      await page.waitForSelector(CLUSTER_END, { timeout: 60_000 });
      const before = await page.locator('#digest').innerText();
      expect(before).not.toBe(want);
      await page.locator('#time').evaluate((el: HTMLInputElement) => { el.value = '500'; el.dispatchEvent(new Event('input')); });
      expect(await page.locator('#nodes .node[data-node=r03]').getAttribute('data-state')).toBe('up');
      await page.locator('#nodes .node[data-node=r03]').click();
      await page.waitForFunction((old) => document.getElementById('digest')!.textContent !== old, before, { timeout: 60_000 });
      await page.waitForSelector(CLUSTER_END, { timeout: 60_000 });
      expect(await page.locator('#digest').innerText()).toBe(want);
      await page.locator('#time').evaluate((el: HTMLInputElement) => { el.value = '600'; el.dispatchEvent(new Event('input')); });
      expect(await page.locator('#nodes .node[data-node=r03]').getAttribute('data-state')).toBe('isolated');
      expect(await page.locator('#faults').innerText()).toBe('at 500ms isolate r03\nat 800ms rejoin r03');
      await page.close();
      expect(errors).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  const setTime = (page: Page, ms: number): Promise<void> => page.locator('#time').evaluate((el: HTMLInputElement, v) => { el.value = String(v); el.dispatchEvent(new Event('input')); }, ms);
  const rerun = async (page: Page, before: string): Promise<void> => {
    await page.waitForFunction((old) => document.getElementById('digest')!.textContent !== old, before, { timeout: 60_000 });
    await page.waitForSelector(CLUSTER_END, { timeout: 60_000 });
  };
  const canvasPixels = (page: Page): Promise<number[]> => page.locator('#spacetime').evaluate((c: HTMLCanvasElement) => Array.from(c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data.filter((_, i) => i % 97 === 0)));

  it('the view advances while a run goes at real time, and the speed control lets it finish at once', async (ctx) => {
    ctx.skip(SKIP !== undefined, SKIP);
    const page = await open('?scenario=leader-crash&seed=7');
    await page.waitForFunction(() => Number((document.getElementById('time') as HTMLInputElement).max) > 0, undefined, { timeout: 30_000 });
    const first = Number(await page.locator('#time').getAttribute('max'));
    await page.waitForTimeout(800);
    expect(await page.locator('#cluster-status').getAttribute('data-state')).toBe('running');
    const [value, second] = await page.locator('#time').evaluate((el: HTMLInputElement) => [Number(el.value), Number(el.max)]);
    expect(second).toBeGreaterThan(first);
    // The slider follows the run: the nodes drawn are those of its newest time.
    expect(value).toBe(second);
    await page.locator('#speed').selectOption('0');
    await page.waitForSelector(CLUSTER_END, { timeout: 60_000 });
    expect(await page.locator('#digest').innerText()).toBe(cliDigest('leader-crash', 7));
    // A finished run is scrubbed: an early time shows the first leader's term.
    await setTime(page, 1000);
    expect(await page.locator('#nodes .node[data-state=leader]').innerText()).toContain('term 1');
    await page.close();
    expect(errors).toEqual([]);
  });

  it('a click crashes a Raft server and a second restarts it: the view and digest change, to what --faults with that script gives the CLI', async (ctx) => {
    ctx.skip(SKIP !== undefined, SKIP);
    const page = await open('?scenario=leader-crash&seed=7&speed=max');
    await page.waitForSelector(CLUSTER_END, { timeout: 60_000 });
    const plain = await page.locator('#digest').innerText();
    await setTime(page, 1200);
    const n2 = page.locator('#nodes .node[data-node=n2]');
    expect(await n2.getAttribute('data-state')).toBe('follower');
    const pixels = await canvasPixels(page);
    await n2.click();
    await rerun(page, plain);
    const crashed = await page.locator('#digest').innerText();
    expect(crashed).toBe(cliDigestWith('leader-crash', 7, 'at 1200ms crash n2\n'));
    await setTime(page, 1300);
    expect(await n2.getAttribute('data-state')).toBe('down');
    await setTime(page, 1200);
    expect(await canvasPixels(page)).not.toEqual(pixels);
    await setTime(page, 2500);
    expect(await n2.getAttribute('data-state')).toBe('down');
    await n2.click();
    await rerun(page, crashed);
    const script = 'at 1200ms crash n2\nat 2500ms restart n2\n';
    expect(await page.locator('#digest').innerText()).toBe(cliDigestWith('leader-crash', 7, script));
    expect(await page.locator('#cluster-status').getAttribute('data-state')).toBe('passed');
    await setTime(page, 2600);
    expect(await n2.getAttribute('data-state')).not.toBe('down');
    expect(await page.locator('#faults').innerText()).toBe(script.trim());
    expect(await page.locator('#replay').innerText()).toBe('atoll scenario leader-crash --seed 7 --faults faults.txt --json');
    // The address now carries the faults: opened again, it replays the same run.
    const address = await page.locator('#fault-link').getAttribute('href');
    expect(address).toContain('faults=');
    const again = await open(address!.replace(/^\//, '') + '&speed=max');
    await again.waitForSelector(CLUSTER_END, { timeout: 60_000 });
    expect(await again.locator('#digest').innerText()).toBe(await page.locator('#digest').innerText());
    await again.close();
    await page.close();
    expect(errors).toEqual([]);
  });

  it('a drag across the line partitions the network there, and back heals it: the view and digest follow the CLI\'s', async (ctx) => {
    ctx.skip(SKIP !== undefined, SKIP);
    const page = await open('?scenario=raft-partition&seed=3&speed=max');
    await page.waitForSelector(CLUSTER_END, { timeout: 60_000 });
    const plain = await page.locator('#digest').innerText();
    await setTime(page, 6000);
    expect(await page.locator('#zone-cut .node').count()).toBe(0);
    const pixels = await canvasPixels(page);
    await page.locator('#nodes .node[data-node=n4]').dragTo(page.locator('#zone-cut'));
    await rerun(page, plain);
    const cut = await page.locator('#digest').innerText();
    expect(cut).toBe(cliDigestWith('raft-partition', 3, 'at 6000ms partition n4|n1,n2,n3,n5\n'));
    await setTime(page, 6100);
    expect(await page.locator('#zone-cut .node').evaluateAll((ns) => ns.map((n) => (n as HTMLElement).dataset['node']))).toEqual(['n4']);
    expect(await canvasPixels(page)).not.toEqual(pixels);
    await setTime(page, 6500);
    await page.locator('#zone-cut .node[data-node=n4]').dragTo(page.locator('#zone-main'));
    await rerun(page, cut);
    expect(await page.locator('#digest').innerText()).toBe(cliDigestWith('raft-partition', 3, 'at 6000ms partition n4|n1,n2,n3,n5\nat 6500ms heal\n'));
    await setTime(page, 6600);
    expect(await page.locator('#zone-cut .node').count()).toBe(0);
    await page.close();
    expect(errors).toEqual([]);
  });
});
