import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  checkOperations, checkPorcupineHistory, kvModel, parseJepsenLog, parseKvLog, registerModel, type PorcupineHistory,
} from '../../src/check/index.js';
import { findPorcupineCorpus, readPorcupineCorpus } from '../../src/host/index.js';
import { InputError } from '../../src/base/errors.js';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const fixtures = fileURLToPath(new URL('../fixtures/porcupine', import.meta.url));

function expectVerdicts(histories: readonly PorcupineHistory[]): void {
  for (const h of histories) {
    it(`${h.format} ${h.name} is ${h.expected}`, () => {
      const r = checkPorcupineHistory(h);
      expect(r.limit).toBeNull();
      expect(r.verdict).toBe(h.expected);
    });
  }
}

describe('Porcupine histories kept in test/fixtures get their verdicts', () => {
  const histories = readPorcupineCorpus(fixtures);
  it('has both formats and both verdicts', () => {
    expect(new Set(histories.map((h) => h.format))).toEqual(new Set(['jepsen', 'kv']));
    expect(new Set(histories.map((h) => h.expected))).toEqual(new Set(['ok', 'illegal']));
  });
  expectVerdicts(histories);
});

const corpus = findPorcupineCorpus(repoRoot);
if (corpus.dir === null) {
  describe.skip(`every Porcupine history (skipped: the full set is not here; looked in ${corpus.looked.join(', ')})`, () => {
    it('checks every history against its verdict', () => {});
  });
} else {
  describe(`every Porcupine history in ${corpus.dir} gets its verdict`, () => {
    const histories = readPorcupineCorpus(corpus.dir!);
    it('holds the 103 Jepsen etcd logs and the 6 key-value logs', () => {
      expect(histories.filter((h) => h.format === 'jepsen')).toHaveLength(103);
      expect(histories.filter((h) => h.format === 'kv')).toHaveLength(6);
    });
    expectVerdicts(histories);
    it('stops at the first illegal key of c50-bad instead of finishing the others', () => {
      const r = checkPorcupineHistory(histories.find((h) => h.name === 'c50-bad')!);
      expect(r.verdict).toBe('illegal');
      expect(r.keys.filter((k) => k.verdict === 'illegal')).toHaveLength(1);
      expect(r.keys.some((k) => k.stopped === 'early-exit')).toBe(true);
      expect(r.steps).toBeLessThan(1_000_000);
    });
  });
}

const jepsen = (lines: string[]): string => lines.map((l) => `INFO  jepsen.util - ${l}`).join('\n');

describe('Jepsen etcd logs', () => {
  it('parse into read, write and cas with their outputs', () => {
    const h = parseJepsenLog(jepsen(['0\t:invoke\t:write\t3', '1\t:invoke\t:read\tnil', '0\t:ok\t:write\t3', '1\t:ok\t:read\t3',
      '0   :invoke :cas    [3 4]', '0   :ok     :cas    [3 4]']));
    expect(h.ops.map((o) => [o.input, o.output, o.call, o.ret])).toEqual([
      [{ op: 'write', value: 3 }, null, 1, 3], [{ op: 'read' }, 3, 2, 4], [{ op: 'cas', from: 3, to: 4 }, true, 5, 6],
    ]);
    expect(checkOperations(registerModel, h.ops).verdict).toBe('ok');
  });

  it('drop a :fail (it surely did not happen) but keep an :info, which may take effect at any later time', () => {
    // cas 0 -> 5 failed for sure, so nothing can explain reading 5 ...
    const failed = jepsen(['0\t:invoke\t:write\t0', '0\t:ok\t:write\t0', '1\t:invoke\t:cas\t[0 5]', '1\t:fail\t:cas\t[0 5]',
      '2\t:invoke\t:read\tnil', '2\t:ok\t:read\t5']);
    const f = parseJepsenLog(failed);
    expect(f.failed).toBe(1);
    expect(checkOperations(registerModel, f.ops).verdict).toBe('illegal');
    // ... but a timed-out one may have landed, even long after it was given up on.
    const info = parseJepsenLog(failed.replace(':fail\t:cas\t[0 5]', ':info\t:cas\t:timed-out'));
    expect(info.unknown).toBe(1);
    expect(info.ops.find((o) => o.input.op === 'cas')?.ret).toBeNull();
    expect(checkOperations(registerModel, info.ops).verdict).toBe('ok');
  });

  it('count an operation never completed as unknown', () => {
    const h = parseJepsenLog(jepsen(['0\t:invoke\t:write\t1', '1\t:invoke\t:read\tnil', '1\t:ok\t:read\t1']));
    expect(h.unknown).toBe(1);
    expect(checkOperations(registerModel, h.ops).verdict).toBe('ok');
  });

  it('reject a line that is not an event, saying where', () => {
    expect(() => parseJepsenLog('INFO  jepsen.core - something else', 'x.log')).toThrow(InputError);
    expect(() => parseJepsenLog(jepsen(['0\t:ok\t:read\t1']), 'x.log')).toThrow(/x.log:1: process 0 completes an operation it never invoked/);
  });
});

describe('key-value logs', () => {
  const kv = (p: number, type: string, f: string, key: string, value: string | null): string =>
    `{:process ${p}, :type :${type}, :f :${f}, :key "${key}", :value ${value === null ? 'nil' : JSON.stringify(value)}}`;

  it('append concatenates and get must see the whole string', () => {
    const ok = [kv(0, 'invoke', 'put', 'k', 'a'), kv(0, 'ok', 'put', 'k', 'a'), kv(0, 'invoke', 'append', 'k', 'b'),
      kv(1, 'invoke', 'get', 'k', null), kv(0, 'ok', 'append', 'k', 'b'), kv(1, 'ok', 'get', 'k', 'ab')];
    expect(checkOperations(kvModel, parseKvLog(ok.join('\n')).ops).verdict).toBe('ok');
    const bad = [...ok.slice(0, 5), kv(1, 'ok', 'get', 'k', 'ba')];
    expect(checkOperations(kvModel, parseKvLog(bad.join('\n')).ops).verdict).toBe('illegal');
  });

  it('a key never written reads as the empty string, and keys are independent', () => {
    const h = parseKvLog([kv(0, 'invoke', 'get', 'x', null), kv(0, 'ok', 'get', 'x', ''),
      kv(1, 'invoke', 'put', 'y', 'v'), kv(1, 'ok', 'put', 'y', 'v')].join('\n'));
    const r = checkOperations(kvModel, h.ops);
    expect(r.verdict).toBe('ok');
    expect(r.keys.map((k) => k.key)).toEqual(['x', 'y']);
  });
});

describe('limits are explicit', () => {
  // 24 concurrent writes and an impossible read: the search must try many orders before giving up.
  const hard = (key: string): string[] => {
    const lines: string[] = [];
    for (let p = 0; p < 24; p++) lines.push(`{:process ${p}, :type :invoke, :f :put, :key "${key}", :value "v${p}"}`);
    for (let p = 0; p < 24; p++) lines.push(`{:process ${p}, :type :ok, :f :put, :key "${key}", :value "v${p}"}`);
    lines.push(`{:process 99, :type :invoke, :f :get, :key "${key}", :value nil}`, `{:process 99, :type :ok, :f :get, :key "${key}", :value "nope"}`);
    return lines;
  };

  it('a key past its step limit is unknown, named in limit, with the steps it used', () => {
    const r = checkOperations(kvModel, parseKvLog(hard('slow').join('\n')).ops, { max_steps_per_key: 5000 });
    expect(r.verdict).toBe('unknown');
    expect(r.limit).toMatchObject({ kind: 'key', max_steps_per_key: 5000, keys: ['slow'] });
    expect(r.keys[0]).toMatchObject({ key: 'slow', verdict: 'unknown', stopped: 'key-limit', steps: 5000 });
    expect(r.steps).toBe(5000);
  });

  it('the total limit stops every key still open', () => {
    const text = [...hard('a'), ...hard('b')].join('\n');
    const r = checkOperations(kvModel, parseKvLog(text).ops, { max_steps_total: 3000 });
    expect(r.verdict).toBe('unknown');
    expect(r.limit?.kind).toBe('total');
    expect(r.steps).toBeLessThanOrEqual(3000);
  });

  it('a cheap illegal key is found while an expensive one is still searching', () => {
    const cheap = ['{:process 0, :type :invoke, :f :put, :key "z", :value "1"}', '{:process 0, :type :ok, :f :put, :key "z", :value "1"}',
      '{:process 1, :type :invoke, :f :get, :key "z", :value nil}', '{:process 1, :type :ok, :f :get, :key "z", :value "2"}'];
    const r = checkOperations(kvModel, parseKvLog([...hard('a'), ...cheap].join('\n')).ops);
    expect(r.verdict).toBe('illegal');
    expect(r.counterexample?.key).toBe('z');
    expect(r.keys.find((k) => k.key === 'a')).toMatchObject({ verdict: 'unknown', stopped: 'early-exit' });
    expect(r.limit).toBeNull();
    expect(r.steps).toBeLessThan(10_000);
  });
});
