// The cluster view's model, read from a real run's trace lines: the Raft scenario's own cut and a fault
// script's crash show as the view draws them (who is cut off, who is down, when), and messages carry their
// delivery and Lamport times.
import { describe, expect, it } from 'vitest';
import { ClusterModel, groupsOfPairs } from '../../src/browser/cluster-model.js';
import { runForView, type RunMessage } from '../../src/browser/cluster-run.js';

async function modelOf(scenario: string, seed: number, faults: string): Promise<{ model: ClusterModel; done: RunMessage }> {
  let model: ClusterModel | null = null;
  let done: RunMessage | null = null;
  await runForView({ scenario, seed, faults }, (m) => {
    if (m.kind === 'start') model = new ClusterModel(m.nodes, m.lanes);
    else if (m.kind === 'progress') { model!.take(m.lines); model!.timeline.push(...m.timeline); }
    else done = m;
  });
  return { model: model!, done: done! };
}

describe('the cluster view model', () => {
  it('groups cut links into the sides they make', () => {
    expect(groupsOfPairs([['a', 'c'], ['c', 'a'], ['b', 'c'], ['c', 'b']])).toEqual([['a', 'b'], ['c']]);
    expect(groupsOfPairs([])).toEqual([]);
  });

  it('raft-partition: the minority is cut off during the cut, a scripted crash is down until its restart', async () => {
    const { model, done } = await modelOf('raft-partition', 3, 'at 300ms crash n5\nat 600ms restart n5\n');
    expect(done.kind).toBe('done');
    expect(model.nodes).toEqual(['n1', 'n2', 'n3', 'n4', 'n5']);
    expect(model.stateAt('n5', 400e6).state).toBe('down');
    expect(model.stateAt('n5', 700e6).state).not.toBe('down');
    const cutAt = model.net.find((s) => s.groups.length > 0)!.t_ns;
    expect(model.cutOffAt(cutAt - 1)).toEqual([]);
    expect(model.cutOffAt(cutAt + 1e6)).toHaveLength(2);
    const delivered = model.messages.filter((m) => m.delivered_ns !== null);
    expect(delivered.length).toBeGreaterThan(1000);
    expect(delivered.every((m) => m.delivered_ns! >= m.sent_ns && m.lamport !== null && m.lamport > 0)).toBe(true);
    expect(model.inFlightAt(1000e6)).toBeGreaterThan(0);
  });

  it('refuses a fault script naming a node the scenario does not have', async () => {
    await expect(runForView({ scenario: 'leader-crash', seed: 1, faults: 'at 1s crash n9' }, () => {})).rejects.toThrow(/unknown node 'n9'/);
  });
});
