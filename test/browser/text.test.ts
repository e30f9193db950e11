// base's Buffer-free text helpers, which the browser bundle relies on, agree with Node's Buffer on every kind
// of input: latin1 both ways (code points above 0xff keep their low byte) and the UTF-8 length (astral
// characters, lone surrogates as U+FFFD).
import { describe, expect, it } from 'vitest';
import { latin1Bytes, latin1Text, utf8Length } from '../../src/base/index.js';

const SAMPLES = ['', 'hello', 'caf\u00e9', '\u00ff\u0000\u0080', 'snow \u2603', 'astral \u{1f600} x', '\ud800', 'a\udc00b', '\ud800\ud800\udc00', 'x'.repeat(20_000) + '\u00e9'];

describe('base text helpers without Buffer', () => {
  it('latin1Bytes and latin1Text match Buffer\'s latin1 encoding', () => {
    for (const s of SAMPLES) {
      expect([...latin1Bytes(s)], s.slice(0, 20)).toEqual([...Buffer.from(s, 'latin1')]);
      const bytes = Buffer.from(s, 'latin1');
      expect(latin1Text(new Uint8Array(bytes)), s.slice(0, 20)).toBe(bytes.toString('latin1'));
    }
    const all = new Uint8Array(256).map((_, i) => i);
    expect(latin1Bytes(latin1Text(all))).toEqual(all);
  });

  it('utf8Length matches Buffer.byteLength', () => {
    for (const s of SAMPLES) expect(utf8Length(s), s.slice(0, 20)).toBe(Buffer.byteLength(s));
  });
});
