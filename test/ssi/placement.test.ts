// Placement policies: local stays, spread deals round robin over the other nodes that are up, least-loaded
// takes the lowest reported load with round-robin ties.
import { describe, expect, it } from 'vitest';
import { placeProcess, compareNodes, type PlacementInput } from '../../src/ssi/index.js';

const nodes = ['n1', 'n2', 'n3', 'n4'];
const input = (over: Partial<PlacementInput> = {}): PlacementInput => ({
  self: 'n2', nodes, up: new Set(nodes), loads: new Map(), turn: 0, ...over,
});

describe('placement', () => {
  it('local keeps the child on the forking node', () => {
    expect(placeProcess('local', input({ turn: 7 }))).toBe('n2');
  });

  it('spread deals children round robin over the other nodes, starting after the forking one', () => {
    expect([0, 1, 2, 3, 4].map((turn) => placeProcess('spread', input({ turn })))).toEqual(['n3', 'n4', 'n1', 'n3', 'n4']);
  });

  it('spread skips nodes that are not up, and stays home when it is alone', () => {
    const up = new Set(['n2', 'n4']);
    expect([0, 1].map((turn) => placeProcess('spread', input({ turn, up })))).toEqual(['n4', 'n4']);
    expect(placeProcess('spread', input({ up: new Set(['n2']) }))).toBe('n2');
  });

  it('least-loaded picks the lowest reported load, ties in round-robin order', () => {
    const loads = new Map([['n1', 5], ['n2', 3], ['n3', 1], ['n4', 1]]);
    expect(placeProcess('least-loaded', input({ loads, turn: 0 }))).toBe('n3');
    expect(placeProcess('least-loaded', input({ loads, turn: 1 }))).toBe('n4');
    expect(placeProcess('least-loaded', input({ loads: new Map([['n1', 0], ['n2', 0], ['n3', 9], ['n4', 9]]), turn: 1 }))).toBe('n1');
  });

  it('orders node names by number', () => {
    expect(['n10', 'n2', 'n1'].sort(compareNodes)).toEqual(['n1', 'n2', 'n10']);
  });
});
