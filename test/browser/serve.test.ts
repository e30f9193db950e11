// `atoll serve` (needs `npm run build`: it serves dist/browser and build/kernel.wasm): every answer is
// cross-origin isolated, each kind of file has its content type, the prebuilt guests are listed and served
// byte for byte, and a path that names nothing served, or tries to leave the served folders, is a 404.
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPageServer, type PageServer } from '../../src/cli/commands/serve.js';

const ROOT = join(import.meta.dirname, '../..');

/** A raw GET (no URL normalisation, so '..' reaches the server as sent). */
function get(port: number, path: string): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: 'GET' }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('atoll serve', () => {
  let server: PageServer;
  beforeAll(async () => { server = await startPageServer({ port: 0 }); });
  afterAll(async () => { await server.close(); });

  it('serves the page, its bundles, the kernel and the guests with COOP/COEP and their content types', async () => {
    const cases: [string, string][] = [
      ['/', 'text/html; charset=utf-8'], ['/page.js', 'text/javascript; charset=utf-8'], ['/hart-worker.js', 'text/javascript; charset=utf-8'],
      ['/page.css', 'text/css; charset=utf-8'], ['/kernel.wasm', 'application/wasm'], ['/guests/hello.elf', 'application/octet-stream'],
      ['/guests/index.json', 'application/json; charset=utf-8'], ['/guests/cluster/migrate_worker.elf', 'application/octet-stream'],
      ['/guests/cluster/lock_ring.elf', 'application/octet-stream'],
    ];
    for (const [path, type] of cases) {
      const r = await get(server.port, path);
      expect(r.status, path).toBe(200);
      expect(r.headers['content-type'], path).toBe(type);
      expect(r.headers['cross-origin-opener-policy'], path).toBe('same-origin');
      expect(r.headers['cross-origin-embedder-policy'], path).toBe('require-corp');
      expect(r.headers['cross-origin-resource-policy'], path).toBe('same-origin');
      expect(Number(r.headers['content-length']), path).toBe(r.body.length);
    }
    expect((await get(server.port, '/kernel.wasm')).body.equals(readFileSync(join(ROOT, 'build/kernel.wasm')))).toBe(true);
    expect((await get(server.port, '/guests/hello.elf')).body.equals(readFileSync(join(ROOT, 'guest/examples/hello.elf')))).toBe(true);
    expect((await get(server.port, '/guests/sh.elf')).body.equals(readFileSync(join(ROOT, 'guest/bin/sh.elf')))).toBe(true);
    for (const g of ['migrate_worker', 'lock_ring']) {
      expect((await get(server.port, `/guests/cluster/${g}.elf`)).body.equals(readFileSync(join(ROOT, `guest/cluster/${g}.elf`))), g).toBe(true);
    }
    const list = JSON.parse((await get(server.port, '/guests/index.json')).body.toString()) as { name: string; bytes: number }[];
    expect(list.map((g) => g.name)).toEqual(expect.arrayContaining(['hello.elf', 'threads-counter.elf', 'sh.elf', 'cat.elf']));
    expect(list.find((g) => g.name === 'hello.elf')!.bytes).toBe(readFileSync(join(ROOT, 'guest/examples/hello.elf')).length);
  });

  it('answers 404, still isolated, for anything else and for every path that tries to leave the served folders', async () => {
    const paths = [
      '/nothing.js', '/package.json', '/../package.json', '/guests/../../package.json', '/guests/..%2f..%2fpackage.json',
      '/%2e%2e/%2e%2e/package.json', '/guests/hello.c', '/guests/', '/src/browser/page.ts', '/dist/browser/page.js',
      '/guests/%2e%2e%2fexamples%2fhello.elf', '/.gitignore', '/guests/.hidden.elf', '/page.js/x', '/guests/hello.elf/x',
      '/guests/cluster/', '/guests/cluster/lock_ring.c', '/guests/cluster/../examples/hello.elf', '/guests/cluster/..%2fexamples%2fhello.elf',
      '/guests/cluster/%2e%2e%2f%2e%2e%2fpackage.json', '/guests/cluster/lock_ring..elf', '/guests/cluster/hello.elf', '/guests/cluster/x/lock_ring.elf',
      '/guests/cluster/lock_ring.elf/x', '/guests/cluster/.lock_ring.elf',
    ];
    for (const path of paths) {
      const r = await get(server.port, path);
      expect(r.status, path).toBe(404);
      expect(r.headers['cross-origin-embedder-policy'], path).toBe('require-corp');
      expect(r.body.toString(), path).not.toContain('"name": "atoll"');
    }
  });

  it('atoll serve --port 0 prints where it listens, serves there, and ends with status 0 on SIGTERM', async () => {
    const child = spawn(process.execPath, [join(ROOT, 'bin/atoll.js'), 'serve', '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    const line = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (c: Buffer) => { out += c.toString(); if (out.includes('\n')) resolve(out); });
      child.once('exit', (code) => reject(new Error(`atoll serve exited with ${code} before listening`)));
    });
    const m = /serving the page at http:\/\/127\.0\.0\.1:(\d+)\//.exec(line);
    expect(m, line).not.toBeNull();
    const r = await get(Number(m![1]), '/');
    expect(r.status).toBe(200);
    expect(r.body.toString()).toContain('<script type="module" src="/page.js">');
    const code = await new Promise<number | null>((resolve) => { child.once('exit', (c) => resolve(c)); child.kill('SIGTERM'); });
    expect(code).toBe(0);
  });
});
