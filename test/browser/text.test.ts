// base's Buffer-free text helpers, which the browser bundle relies on, agree with Node's Buffer on every kind
// of input: latin1 both ways (code points above 0xff keep their low byte), base64 both ways (every length, so
// each of the padding cases), and the UTF-8 length (astral characters, lone surrogates as U+FFFD).
import { describe, expect, it } from 'vitest';
import { base64Bytes, base64Text, latin1Bytes, latin1Text, utf8Length } from '../../src/base/index.js';
import { Prng } from '../../src/sim/index.js';

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

  it('base64Text and base64Bytes match Buffer\'s base64 for every length 0..70 and some long ones, random bytes', () => {
    const rng = new Prng(20261207);
    const lengths = [...Array.from({ length: 71 }, (_, i) => i), 4095, 4096, 4097, 20_000, 65_537];
    for (const n of lengths) {
      const bytes = new Uint8Array(n).map(() => rng.nextU32() & 0xff);
      const text = base64Text(bytes);
      expect(text, `length ${n}`).toBe(Buffer.from(bytes).toString('base64'));
      expect(base64Bytes(text), `length ${n}`).toEqual(bytes);
    }
    // A view into a larger buffer encodes only its own bytes.
    const big = new Uint8Array(16).map((_, i) => i * 17);
    expect(base64Text(big.subarray(3, 8))).toBe(Buffer.from(big.subarray(3, 8)).toString('base64'));
    const all = new Uint8Array(256).map((_, i) => i);
    expect(base64Bytes(Buffer.from(all).toString('base64'))).toEqual(all);
  });

  it('base64Bytes refuses what base64Text never writes', () => {
    expect(base64Bytes('')).toEqual(new Uint8Array(0));
    expect(base64Bytes('QQ==')).toEqual(new Uint8Array([0x41]));
    expect(base64Bytes('QUI=')).toEqual(new Uint8Array([0x41, 0x42]));
    for (const bad of ['Q', 'QQ', 'QQ=', 'QUJ', 'QUJD=', 'Q===', '====', 'QQ==QUJD', 'QU=D', 'QUJ\u00e9', 'QUJ-', 'QUJ_', 'QU D', 'QR==', 'QUJ=']) {
      expect(base64Bytes(bad), JSON.stringify(bad)).toBeNull();
    }
  });
});
