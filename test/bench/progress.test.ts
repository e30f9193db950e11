// Progress on stderr: plain lines with no escape codes when stderr is not a terminal, one updating line
// (and the lines saying how each suite ended) on a terminal; the time left comes from the suites' typical
// durations, rescaled as suites finish.
import { describe, expect, it } from 'vitest';
import { progressSink, runBench } from '../../bench/index.js';
import { Eta, formatDuration } from '../../src/base/index.js';

const ESC = '\u001b';

function stream(isTTY: boolean): { write: (t: string) => void; isTTY: boolean; columns: number; text: () => string } {
  const chunks: string[] = [];
  return { write: (t) => { chunks.push(t); }, isTTY, columns: 60, text: () => chunks.join('') };
}

describe('bench progress', () => {
  it('writes plain lines, no escape codes and no status redraws, when the stream is not a terminal', () => {
    const s = stream(false);
    const sink = progressSink(s);
    sink.line('[1/2] syscall: running (usually ~6 s; ~10 s left in the run)');
    sink.status('[1/2] syscall 3 s of ~6 s, ~7 s left in the run');
    sink.line('[1/2] syscall: 7 figures in 5.0 s (~4 s left in the run)', 'done');
    sink.close();
    expect(s.text()).not.toContain(ESC);
    expect(s.text()).not.toContain('\r');
    expect(s.text().split('\n')).toEqual([
      '[1/2] syscall: running (usually ~6 s; ~10 s left in the run)', '[1/2] syscall: 7 figures in 5.0 s (~4 s left in the run)', '',
    ]);
  });

  it('redraws one line on a terminal and keeps the lines that end a suite', () => {
    const s = stream(true);
    const sink = progressSink(s);
    sink.status('[1/2] syscall 3 s of ~6 s');
    sink.line('  syscall: native clock_gettime');
    sink.line('[1/2] syscall: 7 figures in 5.0 s', 'done');
    sink.line('x'.repeat(200));
    sink.close();
    const text = s.text();
    expect(text.split('\n')).toHaveLength(2); // one kept line, then the updating line (cleared at the end)
    expect(text).toContain('\r\u001b[2K[1/2] syscall: 7 figures in 5.0 s\n');
    for (const drawn of text.split('\r\u001b[2K')) expect(drawn.replace('\n', '').length).toBeLessThan(60);
    expect(text.endsWith('\r\u001b[2K')).toBe(true);
  });

  it('estimates the time left from typical durations, rescaled by the suites already run', () => {
    const eta = new Eta([10, 20, 0, 30]);
    expect(eta.remaining_s(0)).toBe(60);
    eta.start(0, 0);
    expect(eta.remaining_s(4)).toBe(56);
    eta.finish(0, 20); // twice as slow as usual: the rest is expected twice as slow too
    expect(eta.estimate_s(1)).toBe(40);
    expect(eta.remaining_s(20)).toBe(100);
    eta.start(1, 20);
    expect(eta.remaining_s(70)).toBe(60); // over its estimate: counts as nearly done, not negative
    expect(() => new Eta([Number.NaN])).toThrow(/finite/);
    expect([formatDuration(8.4), formatDuration(125), formatDuration(3780)]).toEqual(['8 s', '2 min 05 s', '1 h 03 min']);
  });

  it('gives the runner\'s lines an estimate and reports status only to who asks for it', async () => {
    const lines: [string, string | undefined][] = [];
    const status: string[] = [];
    await runBench({ only: ['syscall'], quick: true, progress: (l, kind) => lines.push([l, kind]), status: (l) => status.push(l) });
    expect(lines[0]![0]).toMatch(/^\[1\/1\] syscall: running \(usually ~\d+ s; ~\d+ s left in the run\)$/);
    expect(lines.at(-1)).toEqual([expect.stringMatching(/^\[1\/1\] syscall: \d+ figures in [\d.]+ s$/), 'done']);
    expect(lines.filter(([, k]) => k === 'done')).toHaveLength(1);
    expect(status[0]).toMatch(/^\[1\/1\] syscall \d+ s of ~\d+ s, ~\d+ s left in the run$/);
    expect([...lines.map(([l]) => l), ...status].join('\n')).not.toContain(ESC);
  }, 60_000);
});
