// `atoll serve [--port P] [--host H] [--open]`: the browser page over Node's own http, offline: the page and its
// bundles (dist/browser), the kernel (build/kernel.wasm as /kernel.wasm), the prebuilt guests of guest/examples
// and guest/bin (as /guests/<name>.elf, listed in /guests/index.json) and those of guest/cluster that scenarios
// run (as /guests/cluster/<name>.elf, src/scenarios/cluster-guest.ts). Every answer carries the headers that make
// the page cross-origin isolated (SharedArrayBuffer needs them); a path that names nothing served is a 404, and
// no path reaches outside the served folders (only plain names are looked up, inside fixed directories).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { existsSync, readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { extname, join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawn } from 'node:child_process';
import { flagBool, flagNumber, flagString, InputError, UsageError, type CommandSpec } from '../../base/index.js';
import { parseOrHelp } from '../../host/index.js';

export const COMMAND: CommandSpec = {
  name: 'serve',
  summary: 'Serve the browser page (a machine and a cluster in a web page) with the headers SharedArrayBuffer needs.',
  flags: {
    port: { kind: 'integer', help: 'TCP port (default 8018; 0 picks a free one)' },
    host: { kind: 'string', value: '<address>', help: 'address to listen on (default 127.0.0.1)' },
    open: { kind: 'boolean', help: 'open the page in the default browser' },
  },
};

export const PORT_DEFAULT = 8018;
/** The largest file served (a guest or a bundle is far smaller). */
const FILE_BYTES_MAX = 64 * 1024 * 1024;

/** Headers of every answer: cross-origin isolation (COOP/COEP), and nothing cached stale across rebuilds. */
export const ISOLATION_HEADERS: Readonly<Record<string, string>> = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'X-Content-Type-Options': 'nosniff',
  'Cache-Control': 'no-cache',
};

export const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8', '.json': 'application/json; charset=utf-8', '.wasm': 'application/wasm',
  '.elf': 'application/octet-stream', '.png': 'image/png', '.svg': 'image/svg+xml',
};

/** A name that is one plain file name: no separator, no '..', nothing hidden. */
const PLAIN_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;

/** The package's root: the sources' (src/cli/commands) or the build's (dist/src/cli/commands). */
export function packageRoot(): string {
  for (const rel of ['../../../', '../../../../']) {
    const p = fileURLToPath(new URL(rel, import.meta.url));
    if (existsSync(join(p, 'package.json')) && existsSync(join(p, 'guest'))) return p.replace(/[\\/]$/, '');
  }
  throw new InputError('cannot find the atoll package (package.json and guest/) above this module');
}

export interface PageServer {
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

export interface PageServerOptions {
  readonly port?: number;
  readonly host?: string;
  /** The package root to serve from (default packageRoot()). */
  readonly root?: string;
}

interface Served { readonly path: string; readonly type: string }

/** The directories of prebuilt guests, first match wins. */
const GUEST_DIRS = ['guest/examples', 'guest/bin'];
/** The cluster scenarios' guests (CLUSTER_GUEST_DIR of src/scenarios/cluster-guest.ts), under /guests/cluster/. */
const CLUSTER_GUEST_DIR = 'guest/cluster';

function guestList(root: string): { name: string; bytes: number }[] {
  const seen = new Map<string, number>();
  for (const d of GUEST_DIRS) {
    let names: string[] = [];
    try { names = readdirSync(join(root, d)); } catch { continue; }
    for (const n of names.sort()) if (n.endsWith('.elf') && PLAIN_NAME.test(n) && !seen.has(n)) seen.set(n, statSync(join(root, d, n)).size);
  }
  return [...seen].map(([name, bytes]) => ({ name, bytes }));
}

/** The file a request path names, inside dir only (symbolic links resolved and checked), or null. */
function inside(dir: string, name: string): string | null {
  if (!PLAIN_NAME.test(name)) return null;
  const p = join(dir, name);
  try {
    const real = realpathSync(p);
    const base = realpathSync(dir);
    if (!real.startsWith(base + sep) || !statSync(real).isFile()) return null;
    return real;
  } catch {
    return null;
  }
}

function route(root: string, pathname: string): Served | { readonly json: unknown } | null {
  const page = join(root, 'dist/browser');
  if (pathname === '/' || pathname === '/index.html') {
    const p = inside(page, 'index.html');
    return p === null ? null : { path: p, type: CONTENT_TYPES['.html']! };
  }
  if (pathname === '/kernel.wasm') {
    const p = inside(join(root, 'build'), 'kernel.wasm');
    return p === null ? null : { path: p, type: CONTENT_TYPES['.wasm']! };
  }
  if (pathname === '/guests/index.json') return { json: guestList(root) };
  const clusterGuest = /^\/guests\/cluster\/([^/]+)$/.exec(pathname);
  if (clusterGuest) {
    const name = clusterGuest[1]!;
    if (!name.endsWith('.elf') || name.includes('..')) return null;
    const p = inside(join(root, CLUSTER_GUEST_DIR), name);
    return p === null ? null : { path: p, type: CONTENT_TYPES['.elf']! };
  }
  const guest = /^\/guests\/([^/]+)$/.exec(pathname);
  if (guest) {
    const name = guest[1]!;
    if (!name.endsWith('.elf')) return null;
    for (const d of GUEST_DIRS) {
      const p = inside(join(root, d), name);
      if (p !== null) return { path: p, type: CONTENT_TYPES['.elf']! };
    }
    return null;
  }
  const file = /^\/([^/]+)$/.exec(pathname);
  if (file) {
    const type = CONTENT_TYPES[extname(file[1]!)];
    const p = type === undefined ? null : inside(page, file[1]!);
    return p === null ? null : { path: p, type: type! };
  }
  return null;
}

function answer(res: ServerResponse, status: number, type: string, body: Uint8Array | string, head: boolean): void {
  const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  res.writeHead(status, { ...ISOLATION_HEADERS, 'Content-Type': type, 'Content-Length': String(bytes.length) });
  res.end(head ? undefined : bytes);
}

function handle(root: string, req: IncomingMessage, res: ServerResponse): void {
  const head = req.method === 'HEAD';
  if (req.method !== 'GET' && !head) { answer(res, 405, 'text/plain; charset=utf-8', 'only GET and HEAD\n', head); return; }
  let pathname: string;
  try {
    pathname = decodeURIComponent(new URL(req.url ?? '/', 'http://page').pathname);
  } catch {
    answer(res, 400, 'text/plain; charset=utf-8', 'bad path\n', head);
    return;
  }
  const r = route(root, pathname);
  if (r === null) { answer(res, 404, 'text/plain; charset=utf-8', `not found: ${pathname}\n`, head); return; }
  if ('json' in r) { answer(res, 200, CONTENT_TYPES['.json']!, JSON.stringify(r.json), head); return; }
  try {
    if (statSync(r.path).size > FILE_BYTES_MAX) throw new Error('too large');
    answer(res, 200, r.type, readFileSync(r.path), head);
  } catch {
    answer(res, 404, 'text/plain; charset=utf-8', `not found: ${pathname}\n`, head);
  }
}

/** Start serving the page; resolves once it listens. */
export async function startPageServer(opts: PageServerOptions = {}): Promise<PageServer> {
  const root = opts.root ?? packageRoot();
  if (!existsSync(join(root, 'dist/browser/index.html'))) throw new InputError(`${join(root, 'dist/browser')} has no page: run \`npm run build\``);
  if (!existsSync(join(root, 'build/kernel.wasm'))) throw new InputError(`${join(root, 'build/kernel.wasm')} is missing: run \`npm run build\``);
  const server: Server = createServer((req, res) => handle(root, req, res));
  const host = opts.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => reject(new InputError(`cannot listen on ${host}:${opts.port ?? PORT_DEFAULT}: ${err.code ?? err.message}`)));
    server.listen(opts.port ?? PORT_DEFAULT, host, () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : opts.port ?? PORT_DEFAULT;
  const shown = host.includes(':') ? `[${host}]` : host === '0.0.0.0' ? '127.0.0.1' : host;
  return {
    url: `http://${shown}:${port}/`,
    port,
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

/** Open url in the desktop's browser (best effort: a line on stderr when there is none). */
function openBrowser(url: string): void {
  const cmd = process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'cmd' : 'xdg-open';
  const args = process.platform === 'win32' ? ['/c', 'start', '', url] : [url];
  const child = spawn(cmd, args, { stdio: 'ignore', detached: true });
  child.once('error', () => process.stderr.write(`atoll: cannot open a browser (${cmd}); open ${url} yourself\n`));
  child.unref();
}

export async function run(argv: string[]): Promise<number> {
  const p = parseOrHelp(argv, COMMAND);
  if (!p) return 0;
  if (p.positionals.length > 0) throw new UsageError(`unexpected argument '${p.positionals[0]}'`);
  const port = flagNumber(p, 'port');
  if (port !== undefined && (port < 0 || port > 65535)) throw new UsageError(`--port: ${port} is outside 0..65535`);
  const server = await startPageServer({ port, host: flagString(p, 'host') });
  process.stdout.write(`atoll: serving the page at ${server.url} (Ctrl-C to stop)\n`);
  if (flagBool(p, 'open')) openBrowser(server.url);
  await new Promise<void>((resolve) => {
    const stop = (): void => { process.off('SIGINT', stop); process.off('SIGTERM', stop); resolve(); };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await server.close();
  return 0;
}
