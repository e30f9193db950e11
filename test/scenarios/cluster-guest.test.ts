// The cluster guests a scenario runs are named by their path inside the package (guest/cluster/<name>.elf), the
// same wherever the package is installed, since that name is argv[0] and lands in the trace; in Node they are read
// from the package, in a browser (the .browser.ts twin) fetched from /guests/cluster/<name>.elf.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { clusterGuestPath, loadClusterGuest } from '../../src/scenarios/cluster-guest.js';
import * as browser from '../../src/scenarios/cluster-guest.browser.js';

const ROOT = join(import.meta.dirname, '../..');

describe('cluster guests', () => {
  afterEach(() => { vi.unstubAllGlobals(); });

  it('are named guest/cluster/<name>.elf, relative, with the bytes of that file', async () => {
    for (const name of ['migrate_worker', 'lock_ring']) {
      const g = await loadClusterGuest(name);
      expect(g?.path).toBe(`guest/cluster/${name}.elf`);
      expect(Buffer.from(g!.bytes).equals(readFileSync(join(ROOT, g!.path)))).toBe(true);
    }
    expect(await loadClusterGuest('no_such_guest')).toBeNull();
  });

  it('refuse names that are not plain', () => {
    for (const bad of ['', '../lock_ring', 'a/b', 'lock_ring.elf', '..', '/etc/passwd']) {
      expect(() => clusterGuestPath(bad), bad).toThrow(/not the name of a cluster guest/);
      expect(() => browser.clusterGuestPath(bad), bad).toThrow(/not the name of a cluster guest/);
    }
  });

  it('in a browser come from the page\'s server under the same name (null on 404, an error otherwise)', async () => {
    const asked: string[] = [];
    const bytes = new Uint8Array([0x7f, 0x45, 0x4c, 0x46, 1, 2]);
    vi.stubGlobal('fetch', async (url: string) => {
      asked.push(url);
      if (url.endsWith('/lock_ring.elf')) return new Response(bytes, { status: 200 });
      if (url.endsWith('/broken.elf')) return new Response('', { status: 500 });
      return new Response('', { status: 404 });
    });
    const g = await browser.loadClusterGuest('lock_ring');
    expect(g).toEqual({ path: 'guest/cluster/lock_ring.elf', bytes });
    expect(await browser.loadClusterGuest('missing')).toBeNull();
    await expect(browser.loadClusterGuest('broken')).rejects.toThrow(/HTTP 500/);
    expect(asked).toEqual(['/guests/cluster/lock_ring.elf', '/guests/cluster/missing.elf', '/guests/cluster/broken.elf']);
  });
});
