import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { Trace, createSha256, pureSha256, useSha256 } from '../../src/sim/index.js';
import { installNativeSha256 } from '../../src/cli/native-sha256.js';

const texts = ['', 'abc', 'é ünïcode ✓ 𝄞\n', 'x'.repeat(65_537), JSON.stringify({ t: 1, ev: 'deliver', from: 'n1' }).repeat(3000)];

describe('the trace hash', () => {
  afterEach(() => { useSha256(pureSha256); });

  it('the pure SHA-256 gives the digests of Node\'s, in one piece and streamed', () => {
    for (const text of texts) {
      const expected = createHash('sha256').update(text, 'utf8').digest('hex');
      const whole = createSha256();
      whole.update(text);
      expect(whole.hexDigest()).toBe(expected);
      const streamed = createSha256();
      for (let i = 0; i < text.length; i += 1000) streamed.update(text.slice(i, i + 1000));
      expect(streamed.hexDigest()).toBe(expected);
    }
  });

  it('a trace hashes the same lines to the same digest under the pure and the native implementation', () => {
    const record = (tr: Trace): string => {
      for (let i = 0; i < 5000; i++) tr.write({ t: i, ev: 'send', from: `n${i % 3}`, note: 'ünï' });
      const mid = tr.digest();
      tr.write({ t: 5000, ev: 'end' });
      return `${mid}/${tr.digest()}`;
    };
    const pure = record(new Trace());
    installNativeSha256();
    const native = record(new Trace());
    expect(native).toBe(pure);
    expect(pure.split('/')[0]).not.toBe(pure.split('/')[1]);
  });
});
