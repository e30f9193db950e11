// A process that moves with children (guest/cluster/family_move): a zombie, a sleeper and a worker that reports
// through a pipe stay where they run, and the parent's link to them follows it. A move may find the parent
// blocked in a pipe read (the wait is taken back and the read runs again on the target, where its buffer may be a
// post-copy page still on the source) or in waitid (carried on its ecall). Output as in the run without a move.
import { describe, expect, it } from 'vitest';
import { parseFaultScript } from '../../src/net/index.js';
import { runCluster, type ClusterRunResult } from '../../src/ssi/index.js';

const guest = (name: string): string => new URL(`../../guest/${name}`, import.meta.url).pathname;
const IDS = ['n1', 'n2', 'n3'];
// pids in these runs: the parent, then its children 0, 1 and 2, from n1's first lease.
const PARENT = 4097, SLEEPER = 4099, WORKER = 4100;

async function run(faults: string, args: string[] = [], seed = 1): Promise<ClusterRunResult> {
  return runCluster({
    seed, nodes: 3, programs: [{ node: 'n1', path: guest('cluster/family_move.elf'), args }], faults: parseFaultScript(faults, IDS),
  });
}

const outputOf = (r: ClusterRunResult): string => r.processes.map((p) => `${p.pid}:${p.state}:${p.exit_code}\n${p.stdout}`).join('\n');
const moves = (r: ClusterRunResult): [number, string, string, boolean][] => r.migrations.map((m) => [m.pid, m.from, m.to, m.ok]);

describe('a process moves with its family', () => {
  it('the parent moves itself three times, with a zombie, a sleeper and a pipe writer: every child reaped, ppid kept', async () => {
    const r = await run('', ['self']);
    expect(r.end).toBe('ended');
    expect(moves(r)).toEqual([[PARENT, 'n1', 'n2', true], [PARENT, 'n2', 'n3', true], [PARENT, 'n3', 'n1', true]]);
    const out = r.processes.find((p) => p.pid === PARENT)!.stdout;
    for (const line of ['move to n2: 0', 'move to n3: 0', 'move to n1: 0', 'child 0: status 3', 'child 1: status 5', 'child 2: status 7',
      'child 1 asleep: ppid is the parent: yes', 'child 2 computed: ppid is the parent: yes', 'no more children: yes', 'SIGCHLD seen: yes']) {
      expect(out).toContain(line);
    }
    expect(out.match(/child 2 round \d/g)).toHaveLength(8);
  }, 60_000);

  it('a scripted move of the parent at any moment, by each method, alone or with a child moving too: output as without a move', async () => {
    const still = await run('');
    expect(still.end).toBe('ended');
    let moved = 0;
    for (const at of ['160ms', '185ms', '250ms', '320ms', '400ms']) {
      for (const script of [
        `at ${at} migrate ${PARENT} n2`,
        `at ${at} migrate ${PARENT} n2 postcopy\nat ${at} migrate ${WORKER} n3`,
        `at ${at} migrate ${SLEEPER} n2\nat ${at} migrate ${PARENT} n2 precopy`,
      ]) {
        const r = await run(`${script}\n`);
        expect(r.end, script).toBe('ended');
        expect(outputOf(r), script).toBe(outputOf(still));
        const parent = r.migrations.find((m) => m.pid === PARENT)!;
        expect(parent.ok, `${script}: ${parent.error}`).toBe(true);
        moved++;
      }
    }
    expect(moved).toBe(15);
  }, 180_000);

  it('the parent moves to the node of a child and back, and the child moves after it: waitid still finds it', async () => {
    const still = await run('');
    const r = await run(`at 170ms migrate ${WORKER} n2\nat 200ms migrate ${PARENT} n2\nat 260ms migrate ${WORKER} n3\nat 330ms migrate ${PARENT} n1\n`);
    expect(moves(r)).toEqual([[WORKER, 'n1', 'n2', true], [PARENT, 'n1', 'n2', true], [WORKER, 'n2', 'n3', true], [PARENT, 'n2', 'n1', true]]);
    expect(outputOf(r)).toBe(outputOf(still));
  }, 60_000);

  it('a target that crashes, or is cut off, before the hand-over gives the parent back its family where it was', async () => {
    const still = await run('');
    for (const faults of [`at 249ms crash n2\nat 250ms migrate ${PARENT} n2\n`, `at 249ms partition n1,n3|n2\nat 250ms migrate ${PARENT} n2\nat 3s heal\n`]) {
      const r = await run(faults);
      expect(moves(r), faults).toEqual([[PARENT, 'n1', 'n2', false]]);
      expect(r.migrations[0]!.error, faults).toMatch(/did not take process/);
      expect(outputOf(r), faults).toBe(outputOf(still));
    }
  }, 60_000);
});
