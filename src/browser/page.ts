// The page (bundled as dist/browser/page.js): a machine panel that runs a prebuilt guest (or a dropped ELF file)
// on K harts in Web Workers with a console and live statistics, and a cluster panel (cluster-view.ts). The
// address says what to do at once: ?run=hello.elf[&harts=2][&args=a+b] starts a machine, ?scenario=swarm&seed=7
// runs a scenario.
import { layout } from '../machine/index.js';
import { MachineRun, type LiveStats, type MachineEnd } from './machine-run.js';
import { wireCluster } from './cluster-view.js';

/** How often the statistics are redrawn while a machine runs (ms). */
const STATS_EVERY_MS = 250;
/** Console characters kept (older output scrolls away). */
const CONSOLE_CHARS_MAX = 200_000;

interface GuestEntry { readonly name: string; readonly bytes: number }

const $ = <T extends HTMLElement>(id: string): T => {
  const e = document.getElementById(id);
  if (e === null) throw new Error(`the page has no #${id}`);
  return e as T;
};

const consoleEl = $<HTMLPreElement>('console');
const statusEl = $<HTMLParagraphElement>('status');

function print(text: string, cls?: 'err' | 'sys'): void {
  if (cls === undefined) consoleEl.append(text);
  else {
    const span = document.createElement('span');
    span.className = cls;
    span.textContent = text;
    consoleEl.append(span);
  }
  if ((consoleEl.textContent?.length ?? 0) > CONSOLE_CHARS_MAX) consoleEl.firstChild?.remove();
  consoleEl.scrollTop = consoleEl.scrollHeight;
}

function setStatus(state: 'idle' | 'loading' | 'running' | 'exited' | 'stopped' | 'error', text: string): void {
  statusEl.dataset['state'] = state;
  statusEl.textContent = text;
}

const fmt = (x: number): string => x.toLocaleString('en-US');

function showStats(s: LiveStats): void {
  $('st-instructions').textContent = fmt(s.instructions);
  $('st-mips').textContent = s.mips.toFixed(1);
  $('st-tlb').textContent = `${(100 * s.tlb_hit_rate).toFixed(2)}%`;
  $('st-switches').textContent = fmt(s.context_switches);
  $('st-faults').textContent = fmt(s.page_faults);
  $('st-harts').textContent = String(s.harts);
}

async function fetchBytes(url: string): Promise<Uint8Array> {
  const r = await fetch(url);
  if (!r.ok) throw new Error(`${url}: HTTP ${r.status}`);
  return new Uint8Array(await r.arrayBuffer());
}

/** What the last run was, for Restart. */
let last: { name: string; program: Uint8Array; args: string[]; harts: number } | null = null;
let current: MachineRun | null = null;
let guests: GuestEntry[] = [];
/** Every prebuilt guest's bytes, fetched once: the files of a machine's root (so sh.elf finds cat.elf). */
let guestFiles: Promise<Map<string, Uint8Array>> | null = null;

function allGuests(): Promise<Map<string, Uint8Array>> {
  guestFiles ??= Promise.all(guests.map(async (g) => [g.name, await fetchBytes(`/guests/${encodeURIComponent(g.name)}`)] as const)).then((e) => new Map(e));
  return guestFiles;
}

function buttons(running: boolean): void {
  $<HTMLButtonElement>('run').disabled = running;
  $<HTMLButtonElement>('stop').disabled = !running;
  $<HTMLButtonElement>('restart').disabled = last === null;
}

function endLine(end: MachineEnd): string {
  const s = end.stats;
  const figures = `${fmt(s.instructions)} instructions in ${s.wall_ms.toFixed(0)} ms, ${(s.instructions / Math.max(1, s.wall_ms) / 1000).toFixed(1)} MIPS on ${s.harts} hart${s.harts === 1 ? '' : 's'}`;
  return end.stopped ? `stopped (${figures})` : `exited with status ${end.exit_code} (${figures})`;
}

async function start(name: string, program: Uint8Array, args: string[], harts: number): Promise<void> {
  if (current !== null) return;
  last = { name, program, args, harts };
  consoleEl.textContent = '';
  setStatus('loading', `loading ${name}`);
  let run: MachineRun;
  try {
    run = await MachineRun.start({
      program, name, args, harts, files: await allGuests(),
      output: (fd, text) => print(text, fd === 2 ? 'err' : undefined),
      log: (line) => print(`atoll: ${line}\n`, 'sys'),
    });
  } catch (err) {
    setStatus('error', `cannot run ${name}: ${err instanceof Error ? err.message : String(err)}`);
    buttons(false);
    return;
  }
  current = run;
  buttons(true);
  setStatus('running', `running ${[name, ...args].join(' ')} on ${harts} hart${harts === 1 ? '' : 's'}`);
  const timer = setInterval(() => showStats(run.sample()), STATS_EVERY_MS);
  try {
    const end = await run.done;
    showStats(end.stats);
    if (end.fault !== null) print(`atoll: ${end.fault}\n`, 'sys');
    setStatus(end.stopped ? 'stopped' : 'exited', endLine(end));
    statusEl.dataset['exit'] = String(end.exit_code);
    statusEl.dataset['instructions'] = String(end.stats.instructions);
    statusEl.dataset['wallMs'] = end.stats.wall_ms.toFixed(1);
  } catch (err) {
    setStatus('error', `the machine failed: ${err instanceof Error ? err.message : String(err)}`);
  } finally {
    clearInterval(timer);
    current = null;
    buttons(false);
  }
}

const hartsValue = (): number => {
  const k = Number($<HTMLInputElement>('harts').value);
  return Number.isInteger(k) && k >= 1 && k <= layout.HARTS_MAX ? k : 1;
};
const argsValue = (): string[] => $<HTMLInputElement>('args').value.split(/\s+/).filter((w) => w.length > 0);

async function startGuest(name: string, args: string[], harts: number): Promise<void> {
  if (!guests.some((g) => g.name === name)) { setStatus('error', `no prebuilt guest '${name}' (see the list)`); return; }
  setStatus('loading', `fetching ${name}`);
  const files = await allGuests();
  await start(name, files.get(name)!, args, harts);
}

function wireMachine(): void {
  $<HTMLInputElement>('harts').max = String(layout.HARTS_MAX);
  $<HTMLFormElement>('machine-form').addEventListener('submit', (e) => {
    e.preventDefault();
    void startGuest($<HTMLSelectElement>('guest').value, argsValue(), hartsValue());
  });
  $('stop').addEventListener('click', () => current?.stop());
  $('restart').addEventListener('click', () => {
    if (last === null) return;
    const again = last;
    if (current !== null) { current.stop(); void current.done.then(() => start(again.name, again.program, again.args, again.harts)); }
    else void start(again.name, again.program, again.args, again.harts);
  });
  $<HTMLFormElement>('stdin-form').addEventListener('submit', (e) => {
    e.preventDefault();
    const input = $<HTMLInputElement>('stdin');
    if (current === null) return;
    current.input.push(input.value + '\n');
    print(input.value + '\n', 'sys');
    input.value = '';
  });
  $('eof').addEventListener('click', () => current?.input.end());
  const drop = $('drop');
  const takeFile = async (f: File): Promise<void> => start(f.name, new Uint8Array(await f.arrayBuffer()), argsValue(), hartsValue());
  drop.addEventListener('dragover', (e) => { e.preventDefault(); drop.classList.add('over'); });
  drop.addEventListener('dragleave', () => drop.classList.remove('over'));
  drop.addEventListener('drop', (e) => {
    e.preventDefault();
    drop.classList.remove('over');
    const f = e.dataTransfer?.files[0];
    if (f !== undefined) void takeFile(f);
  });
  $<HTMLInputElement>('file').addEventListener('change', (e) => {
    const f = (e.target as HTMLInputElement).files?.[0];
    if (f !== undefined) void takeFile(f);
  });
}

async function main(): Promise<void> {
  $('isolation').textContent = crossOriginIsolated
    ? 'cross-origin isolated: SharedArrayBuffer and Atomics are available'
    : 'NOT cross-origin isolated: serve this page with `atoll serve` (it needs COOP/COEP headers)';
  wireMachine();
  wireCluster(new URLSearchParams(location.search));
  guests = await (await fetch('/guests/index.json')).json() as GuestEntry[];
  const select = $<HTMLSelectElement>('guest');
  for (const g of guests) select.append(new Option(`${g.name} (${fmt(g.bytes)} bytes)`, g.name));
  const q = new URLSearchParams(location.search);
  const harts = Number(q.get('harts') ?? '1');
  $<HTMLInputElement>('harts').value = String(harts);
  const args = (q.get('args') ?? '').split(/\s+/).filter((w) => w.length > 0);
  $<HTMLInputElement>('args').value = args.join(' ');
  const run = q.get('run');
  if (run !== null) {
    select.value = run;
    await startGuest(run, args, Number.isInteger(harts) && harts >= 1 && harts <= layout.HARTS_MAX ? harts : 1);
  }
}

void main();
