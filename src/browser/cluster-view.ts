// The cluster panel: runs a scenario (cluster-run.ts) and shows it: the nodes with their roles and state at the
// time the slider names, and a space-time diagram of the messages around that time (one lane per node, time
// to the right; a line from send to delivery, red and cut short when lost, shaded where a node is cut off).
// A click on a node cuts it off the network for ISOLATE_MS at that time and runs the same seed again.
import type { ScheduledFault } from '../net/index.js';
import { PAGE_SCENARIOS, runScenarioInPage, runSwarmInPage, type ClusterRun } from './cluster-run.js';

/** Virtual time the space-time diagram spans (ns). */
const WINDOW_NS = 8e6;
const ROLE_COLORS: Readonly<Record<string, string>> = { leader: '#2e9d5b', candidate: '#d68910', follower: '#7f8a96', precandidate: '#e5b567', down: '#c0392b', paused: '#9b59b6' };
/** How long a click cuts a node off (virtual ms). */
export const ISOLATE_MS = 300;

const $ = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;

let run: ClusterRun | null = null;
let faults: ScheduledFault[] = [];

function nodeState(r: ClusterRun, id: string, t_ns: number): { state: string; detail: string } {
  if (r.timeline.length > 0) {
    const t_ms = t_ns / 1e6;
    let s = r.timeline[0]!;
    for (const x of r.timeline) { if (x.t_ms <= t_ms) s = x; else break; }
    const n = s.nodes[id];
    if (n === undefined) return { state: 'up', detail: '' };
    return { state: n.status === 'up' ? n.role : n.status, detail: `term ${n.term}, commit ${n.commit}` };
  }
  const out = r.outages.find((o) => o.node === id && o.start_ns <= t_ns && (o.end_ns === null || t_ns < o.end_ns));
  return { state: out === undefined ? 'up' : out.kind, detail: '' };
}

function renderNodes(r: ClusterRun, t_ns: number): void {
  const box = $('nodes');
  box.replaceChildren();
  for (const n of r.nodes) {
    const { state, detail } = nodeState(r, n.id, t_ns);
    const d = document.createElement('div');
    d.className = `node ${state}`;
    d.dataset['node'] = n.id;
    d.dataset['state'] = state;
    d.innerHTML = '';
    d.append(`${n.id} `);
    const role = document.createElement('span');
    role.className = 'role';
    role.textContent = r.timeline.length > 0 ? `${state}${detail ? `, ${detail}` : ''}` : `${n.role}, ${state}`;
    d.append(role);
    d.title = 'click: cut this node off the network here for 300 ms, and run again';
    d.addEventListener('click', () => { void isolate(n.id, t_ns); });
    box.append(d);
  }
}

/** A Raft scenario: each server's role over the whole run, one lane each, and a cursor at t. */
function drawTimeline(r: ClusterRun, t_ns: number, g: CanvasRenderingContext2D, W: number, H: number): void {
  const left = 60, right = 10, top = 14;
  const end_ms = Math.max(1, r.end_ns / 1e6);
  const x = (t_ms: number): number => left + (t_ms / end_ms) * (W - left - right);
  const laneH = (H - top - 8) / Math.max(1, r.nodes.length);
  g.font = '12px ui-monospace, monospace';
  r.nodes.forEach((n, i) => {
    const y = top + i * laneH;
    g.fillStyle = '#7f8a96';
    g.fillText(n.id, 4, y + laneH / 2 + 4);
    r.timeline.forEach((s, k) => {
      const next = r.timeline[k + 1]?.t_ms ?? end_ms;
      const ns = s.nodes[n.id];
      if (ns === undefined) return;
      g.fillStyle = ROLE_COLORS[ns.status === 'up' ? ns.role : ns.status] ?? '#7f8a96';
      g.fillRect(x(s.t_ms), y + 4, Math.max(1, x(next) - x(s.t_ms)), laneH - 8);
    });
  });
  g.fillStyle = '#7f8a96';
  g.fillText('0 ms', left, 11);
  g.fillText(`${end_ms.toFixed(0)} ms`, W - right - 70, 11);
  g.strokeStyle = '#0b6bcb';
  g.lineWidth = 2;
  g.beginPath(); g.moveTo(x(t_ns / 1e6), top); g.lineTo(x(t_ns / 1e6), H - 4); g.stroke();
  g.lineWidth = 1;
}

function draw(r: ClusterRun, t_ns: number): void {
  const c = $<HTMLCanvasElement>('spacetime');
  const g = c.getContext('2d');
  if (g === null) return;
  if (r.timeline.length > 0) { g.clearRect(0, 0, c.width, c.height); drawTimeline(r, t_ns, g, c.width, c.height); return; }
  const W = c.width, H = c.height, left = 60, right = 10, top = 14;
  g.clearRect(0, 0, W, H);
  const lanes = r.nodes.map((n) => n.id);
  const laneY = new Map(lanes.map((id, i) => [id, top + (i + 0.5) * ((H - top - 8) / Math.max(1, lanes.length))]));
  const x = (t: number): number => left + ((t - t_ns) / WINDOW_NS) * (W - left - right);
  g.font = '12px ui-monospace, monospace';
  g.fillStyle = '#7f8a96';
  g.fillText(`${(t_ns / 1e6).toFixed(1)} ms`, left, 11);
  g.fillText(`${((t_ns + WINDOW_NS) / 1e6).toFixed(1)} ms`, W - right - 70, 11);
  for (const o of r.outages) {
    const a = Math.max(left, x(o.start_ns)), b = Math.min(W - right, x(o.end_ns ?? r.end_ns));
    if (b <= a) continue;
    g.fillStyle = '#c0392b33';
    g.fillRect(a, laneY.get(o.node)! - 8, b - a, 16);
  }
  for (const id of lanes) {
    const y = laneY.get(id)!;
    g.strokeStyle = '#7f8a9666';
    g.beginPath(); g.moveTo(left, y); g.lineTo(W - right, y); g.stroke();
    g.fillStyle = '#7f8a96';
    g.fillText(id, 4, y + 4);
  }
  const end = t_ns + WINDOW_NS;
  g.lineWidth = 1;
  g.save();
  g.beginPath();
  g.rect(left, top, W - left - right, H - top);
  g.clip();
  for (const m of r.messages) {
    if (m.sent_ns > end) break;
    const arrive = m.delivered_ns ?? m.sent_ns + 2e6;
    if (arrive < t_ns) continue;
    const y0 = laneY.get(m.from), y1 = laneY.get(m.to);
    if (y0 === undefined || y1 === undefined) continue;
    g.strokeStyle = m.delivered_ns === null ? '#c0392b' : m.kind.startsWith('mq') ? '#0b6bcb99' : '#2e9d5bcc';
    g.beginPath();
    g.moveTo(x(m.sent_ns), y0);
    if (m.delivered_ns === null) g.lineTo(x(arrive), (y0 + y1) / 2); else g.lineTo(x(arrive), y1);
    g.stroke();
  }
  g.restore();
}

function show(r: ClusterRun): void {
  run = r;
  $('digest').textContent = r.trace_hash;
  const status = $('cluster-status');
  status.dataset['state'] = r.passed ? 'passed' : 'failed';
  status.textContent = `${r.scenario}, seed ${r.seed}: ${r.passed ? 'PASS' : 'FAIL'}`;
  const slider = $<HTMLInputElement>('time');
  slider.max = String(Math.max(0, Math.floor((r.end_ns - (r.timeline.length > 0 ? 0 : WINDOW_NS)) / 1e6)));
  if (Number(slider.value) > Number(slider.max)) slider.value = slider.max;
  const extra = faults.map((f) => `at ${f.at_ns / 1e6} ms ${f.fault.kind} ${'node' in f.fault ? f.fault.node : ''}`);
  $('cluster-summary').textContent = [r.summary, ...r.events.slice(0, 40).map((e) => `${e.t_ms} ms: ${e.what}`), ...extra].join('\n');
  redraw();
}

function redraw(): void {
  if (run === null) return;
  const t_ns = Number($<HTMLInputElement>('time').value) * 1e6;
  $('time-label').textContent = `${(t_ns / 1e6).toFixed(0)} ms`;
  renderNodes(run, t_ns);
  draw(run, t_ns);
}

async function runScenario(name: string, seed: number): Promise<void> {
  const status = $('cluster-status');
  status.dataset['state'] = 'running';
  status.textContent = `running ${name}, seed ${seed}`;
  // Let the page paint the line above before the simulation takes the thread.
  await new Promise((resolve) => setTimeout(resolve, 20));
  try {
    show(name === 'swarm' ? runSwarmInPage(seed, faults) : await runScenarioInPage(name, seed));
  } catch (err) {
    status.dataset['state'] = 'error';
    status.textContent = `${name} failed: ${err instanceof Error ? err.message : String(err)}`;
  }
}

async function isolate(node: string, t_ns: number): Promise<void> {
  if (run === null || run.scenario !== 'swarm') return;
  const at = Math.max(1e6, Math.round(t_ns / 1e6) * 1e6);
  faults = [...faults, { at_ns: at, fault: { kind: 'isolate', node } }, { at_ns: at + ISOLATE_MS * 1e6, fault: { kind: 'rejoin', node } }];
  await runScenario('swarm', run.seed);
}

export function wireCluster(query: URLSearchParams): Promise<void> | null {
  const select = $<HTMLSelectElement>('scenario');
  for (const [name, s] of Object.entries(PAGE_SCENARIOS)) select.append(new Option(`${name}: ${s.summary}`, name));
  $<HTMLInputElement>('time').addEventListener('input', redraw);
  $<HTMLFormElement>('cluster-form').addEventListener('submit', (e) => {
    e.preventDefault();
    faults = [];
    void runScenario(select.value, Number($<HTMLInputElement>('seed').value) >>> 0);
  });
  const name = query.get('scenario');
  if (name === null) return null;
  const seed = Number(query.get('seed') ?? '1') >>> 0;
  select.value = name;
  $<HTMLInputElement>('seed').value = String(seed);
  $('cluster').scrollIntoView();
  return runScenario(name, seed);
}
