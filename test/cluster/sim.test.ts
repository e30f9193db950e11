import { describe, expect, it } from 'vitest';
import { EventQueue, Prng, SimNode, SimStorage, Simulation, ms } from '../../src/sim/index.js';

function draws(p: Prng, n: number): number[] {
  return Array.from({ length: n }, () => p.nextU32());
}

describe('prng', () => {
  it('gives the same stream for the same seed and a different one for another seed', () => {
    expect(draws(new Prng(42), 8)).toEqual(draws(new Prng(42), 8));
    expect(draws(new Prng(42), 8)).not.toEqual(draws(new Prng(43), 8));
  });

  it('split streams depend only on seed and label, not on other components or draws', () => {
    const a = new Prng(7);
    const net1 = draws(a.split('net'), 5);
    const b = new Prng(7);
    b.split('new-component');
    draws(b, 100);
    expect(draws(b.split('net'), 5)).toEqual(net1);
    expect(draws(a.split('disk'), 5)).not.toEqual(net1);
  });

  it('keeps int draws in bounds and roughly uniform', () => {
    const p = new Prng(1);
    const counts = [0, 0, 0, 0];
    for (let i = 0; i < 40_000; i++) counts[p.int(0, 3)]!++;
    for (const c of counts) expect(c).toBeGreaterThan(9_000);
    expect(() => p.int(3, 2)).toThrow(/lo <= hi/);
  });

  it('has the stated means for exponential, normal and log-normal', () => {
    const p = new Prng(9);
    const n = 20_000;
    let e = 0;
    let g = 0;
    const logs: number[] = [];
    for (let i = 0; i < n; i++) {
      e += p.exponential(5);
      g += p.normal(10, 2);
      logs.push(p.logNormal(0, 0.5));
    }
    expect(e / n).toBeGreaterThan(4.7);
    expect(e / n).toBeLessThan(5.3);
    expect(g / n).toBeGreaterThan(9.9);
    expect(g / n).toBeLessThan(10.1);
    logs.sort((x, y) => x - y);
    expect(logs[n / 2]!).toBeGreaterThan(0.95); // median of exp(N(0, s)) is 1
    expect(logs[n / 2]!).toBeLessThan(1.05);
  });
});

describe('event queue', () => {
  it('pops by time, then by insertion order for equal times', () => {
    const q = new EventQueue<string>();
    q.push(5, 'c');
    q.push(1, 'a');
    q.push(5, 'd');
    q.push(1, 'b');
    q.push(0, 'z');
    const out: string[] = [];
    for (let e = q.pop(); e; e = q.pop()) out.push(e.item);
    expect(out).toEqual(['z', 'a', 'b', 'c', 'd']);
  });

  it('refuses to grow past its capacity', () => {
    const q = new EventQueue<number>(2);
    q.push(1, 1);
    q.push(1, 2);
    expect(() => q.push(1, 3)).toThrow(/full/);
  });
});

function randomRun(seed: number): { hash: string; lines: number } {
  const sim = new Simulation({ seed });
  const rng = sim.rng.split('workload');
  let live = 0;
  const spawn = (): void => {
    if (live >= 200) return;
    live++;
    sim.after(rng.int(0, 1000), () => {
      live--;
      sim.record('tick', { v: rng.int(0, 99) });
      if (rng.chance(0.6)) spawn();
      if (rng.chance(0.45)) spawn();
    });
  };
  for (let i = 0; i < 10; i++) spawn();
  sim.run({ max_steps: 5000 });
  return { hash: sim.trace.digest(), lines: sim.trace.count };
}

describe('simulation', () => {
  it('gives the same trace hash for the same seed and another for a different seed', () => {
    const a = randomRun(1234);
    expect(a.lines).toBeGreaterThan(10);
    expect(randomRun(1234)).toEqual(a);
    expect(randomRun(1235).hash).not.toEqual(a.hash);
  });

  it('runs until a time, skips cancelled events and reports quiescence', () => {
    const sim = new Simulation({ seed: 1, trace: { keep_max_lines: 10 } });
    const seen: number[] = [];
    sim.at(ms(1), () => seen.push(1));
    const h = sim.at(ms(2), () => seen.push(2));
    sim.at(ms(3), () => seen.push(3));
    sim.cancel(h);
    expect(sim.run({ until_ns: ms(2) })).toMatchObject({ reason: 'until', now_ns: ms(2) });
    expect(seen).toEqual([1]);
    expect(sim.run()).toMatchObject({ reason: 'quiescent', now_ns: ms(3) });
    expect(seen).toEqual([1, 3]);
    expect(() => sim.at(ms(1), () => {})).toThrow(/already/);
  });

  it('stops a runaway loop at max_steps', () => {
    const sim = new Simulation({ seed: 1 });
    const loop = (): void => void sim.after(1, loop);
    loop();
    expect(sim.run({ max_steps: 1000 })).toMatchObject({ reason: 'max_steps', steps: 1000 });
  });
});

describe('sim nodes and storage', () => {
  it('keeps synced writes and loses un-synced ones across a crash', () => {
    const s = new SimStorage();
    s.put('a', '1');
    s.sync();
    s.put('a', '2');
    s.put('b', '3');
    expect(s.get('a')).toBe('2');
    expect(s.keys()).toEqual(['a', 'b']);
    s.crash();
    expect(s.get('a')).toBe('1');
    expect(s.get('b')).toBeUndefined();
  });

  it('drops volatile state and timers on crash and boots a new incarnation on restart', () => {
    const sim = new Simulation({ seed: 1 });
    const fired: string[] = [];
    const node = new SimNode(sim, 'n1', (n) => {
      const state = { count: 0, inc: n.incarnation };
      n.setTimer(ms(10), () => fired.push(`timer@${state.inc}`));
      return state;
    });
    node.start();
    node.actor!.count = 5;
    sim.run({ until_ns: ms(5) });
    node.crash();
    sim.run({ until_ns: ms(20) });
    expect(fired).toEqual([]);
    node.start();
    expect(node.actor!.count).toBe(0);
    sim.run();
    expect(fired).toEqual(['timer@2']);
  });

  it('holds timers of a paused node until it resumes', () => {
    const sim = new Simulation({ seed: 1 });
    const fired: number[] = [];
    const node = new SimNode(sim, 'n1', (n) => {
      n.setTimer(ms(1), () => fired.push(sim.now_ns));
      return {};
    });
    node.start();
    node.pause();
    sim.run({ until_ns: ms(50) });
    expect(fired).toEqual([]);
    node.resume();
    sim.run();
    expect(fired).toEqual([ms(50)]);
  });
});
