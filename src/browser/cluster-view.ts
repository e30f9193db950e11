// The cluster panel: runs a scenario in the scenario worker (cluster-run.ts) and draws it while it runs: the
// nodes with their roles on either side of the network's cut, a space-time (Lamport) diagram of the messages
// around the slider's time, and for Raft each server's role over the run. A click crashes a Raft server (or
// restarts it when down; a swarm node is cut off for ISOLATE_MS); a drag across the line partitions the network
// there (back across heals it). Each is a fault at the slider's virtual time and runs the same seed again; the
// page shows the fault script and the address and command that replay the run.
import { formatFault, parseFaultScript, type ScheduledFault } from '../net/index.js';
import { ClusterModel, type Message } from './cluster-model.js';
import { CONTROL, PAGE_SCENARIOS, RATE_REAL_TIME, scenarioNodes, type RunMessage, type WorkerStart } from './cluster-run.js';

const ROLE_COLORS: Readonly<Record<string, string>> = {
  leader: '#2e9d5b', candidate: '#d68910', follower: '#7f8a96', 'pre-candidate': '#e5b567', down: '#c0392b', paused: '#9b59b6',
};
/** How long a click cuts a swarm node off (virtual ms). */
export const ISOLATE_MS = 300;
/** Pointer travel that makes a press a drag, not a click (px). */
const DRAG_MIN_PX = 6;
/** Deliveries labelled with their Lamport time when the diagram shows at most this many messages. */
const LAMPORT_LABELS_MAX = 60;
/** Messages are looked for this long before the diagram's window (their latency is far shorter; ns). */
const LATENCY_SLACK_NS = 200e6;

const $ = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;

interface RunState {
  readonly scenario: string;
  readonly seed: number;
  model: ClusterModel;
  roles: Readonly<Record<string, string>>;
  done: boolean;
  summary: string;
}

let run: RunState | null = null;
let worker: Worker | null = null;
let control: Int32Array | null = null;
let faults: ScheduledFault[] = [];
/** The slider follows the run's newest time until it is moved by hand. */
let follow = true;
let dirty = false;
let dragging: string | null = null;

const kindOf = (name: string): string => PAGE_SCENARIOS[name]?.kind ?? 'checks';
const sliderNs = (): number => Number($<HTMLInputElement>('time').value) * 1e6;
const rateValue = (): number => Number($<HTMLSelectElement>('speed').value);

function setStatus(state: string, text: string): void {
  const s = $('cluster-status');
  s.dataset['state'] = state;
  s.textContent = text;
}

function startRun(name: string, seed: number): void {
  worker?.terminate();
  const { nodes, lanes } = scenarioNodes(name);
  run = { scenario: name, seed, model: new ClusterModel(nodes, lanes), roles: {}, done: false, summary: '' };
  follow = true;
  $<HTMLInputElement>('time').value = '0';
  $('digest').textContent = '-';
  setStatus('running', `running ${name}, seed ${seed}`);
  buildChips();
  showFaults();
  const shared = typeof SharedArrayBuffer === 'function' && crossOriginIsolated ? new SharedArrayBuffer(4 * CONTROL.length) : null;
  control = shared === null ? null : new Int32Array(shared);
  if (control !== null) Atomics.store(control, CONTROL.rate, rateValue());
  $('pause').textContent = 'Pause';
  const w = new Worker('/scenario-worker.js', { type: 'module' });
  worker = w;
  const mine = run;
  w.onmessage = (e: MessageEvent<RunMessage>) => { if (run === mine) take(mine, e.data); };
  w.onerror = (e) => { if (run === mine) setStatus('error', `${name} failed: ${e.message}`); };
  const start: WorkerStart = { scenario: name, seed, faults: faults.map(formatFault).join('\n'), control: shared };
  w.postMessage(start);
  dirty = true;
}

function take(r: RunState, m: RunMessage): void {
  if (m.kind === 'start') r.roles = m.roles;
  else if (m.kind === 'progress') {
    r.model.take(m.lines);
    r.model.timeline.push(...m.timeline);
    r.model.events.push(...m.events);
  } else if (m.kind === 'done') {
    r.done = true;
    r.summary = m.summary;
    r.model.events.splice(0, r.model.events.length, ...m.events);
    $('digest').textContent = m.trace_hash;
    setStatus(m.passed ? 'passed' : 'failed', `${r.scenario}, seed ${r.seed}: ${m.passed ? 'PASS' : 'FAIL'}`);
    worker?.terminate();
    worker = null;
  } else {
    setStatus('error', `${r.scenario} failed: ${m.message}`);
    worker?.terminate();
    worker = null;
  }
  dirty = true;
}

function buildChips(): void {
  const main = $('zone-main'), cut = $('zone-cut');
  main.replaceChildren();
  cut.replaceChildren();
  $('nodes').hidden = run === null || run.model.nodes.length === 0;
  // A scenario that shows only its checks or report has no nodes, time or faults to work with (yet).
  $('cluster-view').hidden = run !== null && kindOf(run.scenario) === 'checks';
  for (const id of run?.model.nodes ?? []) {
    const d = document.createElement('div');
    d.className = 'node';
    d.dataset['node'] = id;
    d.title = kindOf(run!.scenario) === 'raft'
      ? 'click: crash this server here (restart it when down); drag across the line: partition the network here'
      : `click: cut this node off here for ${ISOLATE_MS} ms; drag across the line: partition the network here`;
    wireDrag(d, id);
    main.append(d);
  }
}

function wireDrag(chip: HTMLElement, id: string): void {
  let from: { x: number; y: number } | null = null;
  let moved = false;
  chip.addEventListener('pointerdown', (e) => {
    from = { x: e.clientX, y: e.clientY };
    moved = false;
    dragging = id;
    chip.setPointerCapture(e.pointerId);
  });
  chip.addEventListener('pointermove', (e) => {
    if (from === null) return;
    const dx = e.clientX - from.x, dy = e.clientY - from.y;
    if (Math.hypot(dx, dy) >= DRAG_MIN_PX) moved = true;
    if (moved) { chip.style.transform = `translate(${dx}px, ${dy}px)`; chip.classList.add('dragging'); }
  });
  chip.addEventListener('pointerup', (e) => {
    if (from === null) return;
    from = null;
    dragging = null;
    chip.style.transform = '';
    chip.classList.remove('dragging');
    const c = $('zone-cut').getBoundingClientRect();
    const intoCut = e.clientX >= c.left && e.clientX <= c.right && e.clientY >= c.top && e.clientY <= c.bottom;
    if (!moved) clickNode(id);
    else dropNode(id, intoCut);
    dirty = true;
  });
}

/** The slider's time as a fault's time: whole ms, at least 1 ms. */
const faultNs = (): number => Math.max(1, Math.round(sliderNs() / 1e6)) * 1e6;

function addFaults(more: readonly ScheduledFault[]): void {
  if (run === null) return;
  faults = [...faults, ...more];
  startRun(run.scenario, run.seed);
}

function clickNode(id: string): void {
  if (run === null) return;
  const at_ns = faultNs();
  if (kindOf(run.scenario) === 'raft') {
    const down = run.model.stateAt(id, at_ns).state === 'down';
    addFaults([{ at_ns, fault: { kind: down ? 'restart' : 'crash', node: id } }]);
  } else {
    addFaults([{ at_ns, fault: { kind: 'isolate', node: id } }, { at_ns: at_ns + ISOLATE_MS * 1e6, fault: { kind: 'rejoin', node: id } }]);
  }
}

function dropNode(id: string, intoCut: boolean): void {
  if (run === null) return;
  const at_ns = faultNs();
  const side = run.model.cutOffAt(at_ns);
  if (intoCut === side.includes(id)) return;
  const cut = intoCut ? [...side, id] : side.filter((x) => x !== id);
  const rest = run.model.nodes.filter((x) => !cut.includes(x));
  if (cut.length === 0 || rest.length === 0) addFaults([{ at_ns, fault: { kind: 'heal' } }]);
  else addFaults([{ at_ns, fault: { kind: 'partition', groups: [cut, rest] } }]);
}

function pageAddress(r: { scenario: string; seed: number }): string {
  const q = new URLSearchParams({ scenario: r.scenario, seed: String(r.seed) });
  if (faults.length > 0) q.set('faults', faults.map(formatFault).join(';'));
  return `${location.pathname}?${q.toString()}`;
}

function showFaults(): void {
  if (run === null) return;
  const script = faults.map((f) => formatFault(f) + '\n').join('');
  $('faults').textContent = script === '' ? '(none: click or drag a node)' : script.trimEnd();
  $('replay').textContent = `atoll scenario ${run.scenario} --seed ${run.seed}${script === '' ? '' : ' --faults faults.txt'} --json`;
  const file = $<HTMLAnchorElement>('faults-file');
  if (file.href.startsWith('blob:')) URL.revokeObjectURL(file.href);
  file.href = URL.createObjectURL(new Blob([script], { type: 'text/plain' }));
  const address = pageAddress(run);
  $<HTMLAnchorElement>('fault-link').href = address;
  history.replaceState(null, '', address + (location.hash ?? ''));
}

function renderNodes(r: RunState, t_ns: number): void {
  const cut = r.model.cutOffAt(t_ns);
  const raft = kindOf(r.scenario) === 'raft';
  for (const chip of Array.from(document.querySelectorAll<HTMLElement>('#nodes .node'))) {
    const id = chip.dataset['node']!;
    const { state, detail } = r.model.stateAt(id, t_ns);
    chip.className = `node ${state}${id === dragging ? ' dragging' : ''}`;
    chip.dataset['state'] = state;
    chip.textContent = `${id} `;
    const role = document.createElement('span');
    role.className = 'role';
    role.textContent = raft ? `${state}${detail ? `, ${detail}` : ''}` : `${r.roles[id] ?? ''}, ${state}`;
    chip.append(role);
  }
  // Each side holds its nodes in the scenario's order; a chip being dragged stays where it is.
  for (const [zoneId, inZone] of [['zone-cut', true], ['zone-main', false]] as const) {
    const zone = $(zoneId);
    const want = r.model.nodes.filter((id) => cut.includes(id) === inZone && id !== dragging);
    const have = Array.from(zone.children).map((c) => (c as HTMLElement).dataset['node']).filter((id) => id !== dragging);
    if (want.join() === have.join()) continue;
    for (const id of want) zone.append(document.querySelector<HTMLElement>(`#nodes .node[data-node="${id}"]`)!);
  }
}

/** Each Raft server's role over the run so far, a lane each, with a cursor at t and a mark at each fault. */
function drawRoles(r: RunState, t_ns: number, g: CanvasRenderingContext2D, W: number, top: number, H: number): void {
  const left = 60, right = 10;
  const m = r.model;
  const end_ms = Math.max(1, m.end_ns / 1e6);
  const x = (t_ms: number): number => left + (t_ms / end_ms) * (W - left - right);
  const laneH = (H - top - 16) / Math.max(1, m.nodes.length);
  g.font = '12px ui-monospace, monospace';
  m.nodes.forEach((id, i) => {
    const y = top + 14 + i * laneH;
    g.fillStyle = '#7f8a96';
    g.fillText(id, 4, y + laneH / 2 + 4);
    m.timeline.forEach((s, k) => {
      const ns = s.nodes[id];
      if (ns === undefined) return;
      const next = m.timeline[k + 1]?.t_ms ?? end_ms;
      g.fillStyle = ROLE_COLORS[ns.status === 'up' ? ns.role : ns.status] ?? '#7f8a96';
      g.fillRect(x(s.t_ms), y + 2, Math.max(1, x(next) - x(s.t_ms)), laneH - 4);
    });
  });
  g.fillStyle = '#7f8a96';
  g.fillText(`roles, 0 to ${end_ms.toFixed(0)} ms`, left, top + 10);
  for (const e of m.events) {
    if (!e.what.startsWith('fault:') && !e.what.startsWith('crash') && !e.what.startsWith('partition') && e.what !== 'heal') continue;
    g.fillStyle = e.what.startsWith('fault:') ? '#c0392b' : '#7f8a96';
    g.beginPath(); g.moveTo(x(e.t_ms) - 4, top + 12); g.lineTo(x(e.t_ms) + 4, top + 12); g.lineTo(x(e.t_ms), top + 18); g.fill();
  }
  cursor(g, x(t_ns / 1e6), top + 12, H - 2);
}

function cursor(g: CanvasRenderingContext2D, x: number, y0: number, y1: number): void {
  g.strokeStyle = '#0b6bcb';
  g.lineWidth = 2;
  g.beginPath(); g.moveTo(x, y0); g.lineTo(x, y1); g.stroke();
  g.lineWidth = 1;
}

/** First message sent at or after t (messages are in send order). */
function firstSentFrom(ms: readonly Message[], t_ns: number): number {
  let lo = 0, hi = ms.length;
  while (lo < hi) { const mid = (lo + hi) >> 1; if (ms[mid]!.sent_ns < t_ns) lo = mid + 1; else hi = mid; }
  return lo;
}

/** The space-time diagram: a lane per node, time to the right, a line from each send to its delivery. */
function drawMessages(r: RunState, t_ns: number, g: CanvasRenderingContext2D, W: number, top: number, H: number): void {
  const left = 60, right = 10;
  const m = r.model;
  const span = PAGE_SCENARIOS[r.scenario]!.window_ns;
  const t0 = t_ns - span / 4, t1 = t0 + span;
  const laneY = new Map(m.lanes.map((id, i) => [id, top + 18 + (i + 0.5) * ((H - top - 22) / Math.max(1, m.lanes.length))]));
  const x = (t: number): number => left + ((t - t0) / span) * (W - left - right);
  g.font = '12px ui-monospace, monospace';
  g.fillStyle = '#7f8a96';
  g.fillText(`messages ${(t0 / 1e6).toFixed(1)} to ${(t1 / 1e6).toFixed(1)} ms; in flight at ${(t_ns / 1e6).toFixed(1)} ms: ${m.inFlightAt(t_ns)}`, left, top + 12);
  // Shade a lane where its node is down (dark) or cut off (light), in steps of a tenth of the window.
  for (const id of m.lanes) {
    const y = laneY.get(id)!;
    for (let k = 0; k < 40; k++) {
      const a = t0 + (k * span) / 40;
      if (a < 0 || a > m.end_ns) continue;
      const out = m.outageAt(id, a);
      const cut = out === undefined && m.cutOffAt(a).includes(id);
      if (out === undefined && !cut) continue;
      g.fillStyle = out?.kind === 'down' ? '#c0392b55' : '#c0392b22';
      g.fillRect(x(a), y - 8, (W - left - right) / 40 + 0.5, 16);
    }
    g.strokeStyle = '#7f8a9666';
    g.beginPath(); g.moveTo(left, y); g.lineTo(W - right, y); g.stroke();
    g.fillStyle = '#7f8a96';
    g.fillText(id, 4, y + 4);
  }
  g.save();
  g.beginPath(); g.rect(left, top + 16, W - left - right, H - top - 16); g.clip();
  const shown: { m: Message; x: number; y: number }[] = [];
  for (let i = firstSentFrom(m.messages, t0 - LATENCY_SLACK_NS); i < m.messages.length; i++) {
    const msg = m.messages[i]!;
    if (msg.sent_ns > t1) break;
    const lost = msg.dropped || (msg.delivered_ns === null && r.done);
    const arrive = msg.delivered_ns ?? (lost ? msg.sent_ns + span / 8 : m.end_ns);
    if (arrive < t0) continue;
    const y0 = laneY.get(msg.from), y1 = laneY.get(msg.to);
    if (y0 === undefined || y1 === undefined) continue;
    const crossing = msg.sent_ns <= t_ns && arrive > t_ns;
    g.strokeStyle = lost ? '#c0392b' : msg.delivered_ns === null ? '#7f8a96' : msg.kind.startsWith('mq') || msg.from.startsWith('n') && msg.to.startsWith('n') ? '#0b6bcb99' : '#2e9d5bcc';
    g.lineWidth = crossing ? 2 : 1;
    g.beginPath();
    g.moveTo(x(msg.sent_ns), y0);
    const yEnd = lost || msg.delivered_ns === null ? (y0 + y1) / 2 : y1;
    g.lineTo(x(arrive), yEnd);
    g.stroke();
    if (msg.lamport !== null) shown.push({ m: msg, x: x(arrive), y: y1 });
  }
  g.lineWidth = 1;
  if (shown.length <= LAMPORT_LABELS_MAX) {
    g.fillStyle = '#5b6573';
    g.font = '10px ui-monospace, monospace';
    for (const s of shown) g.fillText(String(s.m.lamport), s.x + 2, s.y - 3);
  }
  g.restore();
  cursor(g, x(t_ns), top + 16, H - 2);
}

function draw(r: RunState, t_ns: number): void {
  const c = $<HTMLCanvasElement>('spacetime');
  const g = c.getContext('2d');
  if (g === null) return;
  g.clearRect(0, 0, c.width, c.height);
  const kind = kindOf(r.scenario);
  c.hidden = kind === 'checks';
  if (kind === 'raft') {
    drawRoles(r, t_ns, g, c.width, 0, 150);
    drawMessages(r, t_ns, g, c.width, 160, c.height);
  } else if (kind === 'swarm') drawMessages(r, t_ns, g, c.width, 0, c.height);
}

function redraw(): void {
  dirty = false;
  if (run === null) return;
  const slider = $<HTMLInputElement>('time');
  slider.max = String(Math.floor(run.model.end_ns / 1e6));
  if (follow && !run.done) slider.value = slider.max;
  const t_ns = sliderNs();
  $('time-label').textContent = `${(t_ns / 1e6).toFixed(0)} ms of ${slider.max} ms${run.done ? '' : ' (running)'}`;
  renderNodes(run, t_ns);
  draw(run, t_ns);
  const events = run.model.events.filter((e) => e.t_ms * 1e6 <= t_ns || run!.done).slice(-40).map((e) => `${e.t_ms} ms: ${e.what}`);
  $('cluster-summary').textContent = [run.summary, ...events].filter((l) => l !== '').join('\n');
}

function frame(): void {
  if (dirty || (run !== null && !run.done)) redraw();
  requestAnimationFrame(frame);
}

function readFaults(text: string, scenario: string): ScheduledFault[] {
  if (text.trim() === '') return [];
  return parseFaultScript(text.split(';').join('\n'), scenarioNodes(scenario).lanes);
}

export function wireCluster(query: URLSearchParams): void {
  const select = $<HTMLSelectElement>('scenario');
  for (const [name, s] of Object.entries(PAGE_SCENARIOS)) select.append(new Option(`${name}: ${s.summary}`, name));
  const speed = $<HTMLSelectElement>('speed');
  const asked = query.get('speed');
  speed.value = asked === 'max' ? '0' : asked !== null && [...speed.options].some((o) => o.value === asked) ? asked : String(RATE_REAL_TIME);
  speed.addEventListener('change', () => {
    if (control === null) return;
    Atomics.store(control, CONTROL.rate, rateValue());
    Atomics.notify(control, CONTROL.wake);
  });
  $('pause').addEventListener('click', () => {
    if (control === null || run?.done !== false) return;
    const paused = Atomics.load(control, CONTROL.paused) === 1 ? 0 : 1;
    Atomics.store(control, CONTROL.paused, paused);
    Atomics.notify(control, CONTROL.paused);
    $('pause').textContent = paused === 1 ? 'Resume' : 'Pause';
  });
  $<HTMLInputElement>('time').addEventListener('input', () => { follow = false; redraw(); });
  $('live').addEventListener('click', () => { follow = true; dirty = true; });
  $('clear-faults').addEventListener('click', () => { if (run !== null) { faults = []; startRun(run.scenario, run.seed); } });
  $<HTMLFormElement>('cluster-form').addEventListener('submit', (e) => {
    e.preventDefault();
    faults = [];
    startRun(select.value, Number($<HTMLInputElement>('seed').value) >>> 0);
  });
  requestAnimationFrame(frame);
  const name = query.get('scenario');
  if (name === null) return;
  const seed = Number(query.get('seed') ?? '1') >>> 0;
  select.value = name;
  $<HTMLInputElement>('seed').value = String(seed);
  $('cluster').scrollIntoView();
  try {
    faults = readFaults(query.get('faults') ?? '', name);
  } catch (err) {
    setStatus('error', `the address's faults: ${err instanceof Error ? err.message : String(err)}`);
    return;
  }
  startRun(name, seed);
}
