// The real network: one TCP listener per node for incoming frames and one outgoing connection per peer,
// re-established with exponential backoff and jitter. Every frame is authenticated with HMAC-SHA256
// under the cluster key; oversized, malformed, forged, misaddressed or truncated input is dropped,
// counted and logged, and never crashes the node. Bounds: `max_frame_bytes` per frame, `queue_max`
// frames waiting per peer while connecting, `write_buffer_max_bytes` unsent bytes per socket,
// `max_inbound` connections. Limit: no replay protection (a recorded frame can be replayed on the LAN).
import { createServer, connect, type Server, type Socket } from 'node:net';
import type { Prng } from '../../sim/index.js';
import { decodeBody, encodeFrame, FrameReader, FRAME_MAX_BYTES_DEFAULT, type DropReason, type Frame } from './frame.js';

export interface PeerAddress {
  readonly host: string;
  readonly port: number;
}

export interface TcpTransportOptions {
  readonly id: string;
  readonly key: Buffer;
  readonly listen: PeerAddress;
  readonly peers: ReadonlyMap<string, PeerAddress>;
  readonly rng: Prng;
  readonly onMessage: (from: string, payload: unknown) => void;
  readonly log: (line: string) => void;
  readonly max_frame_bytes?: number;
  readonly backoff_base_ms?: number;
  readonly backoff_max_ms?: number;
  readonly queue_max?: number;
  readonly write_buffer_max_bytes?: number;
  readonly max_inbound?: number;
  /** Consecutive failed connects after which send() reports the peer unreachable (default 3). */
  readonly unreachable_after?: number;
  /** Close an inbound connection that sits inside a frame this long without a byte (default 30 s). */
  readonly partial_frame_timeout_ms?: number;
}

export interface TransportStats {
  frames_in: number;
  frames_out: number;
  connects: number;
  connect_failures: number;
  dropped: Record<DropReason | 'send-overflow' | 'inbound-limit', number>;
}

type LinkState = 'idle' | 'connecting' | 'up' | 'backoff';

interface Link {
  readonly id: string;
  readonly addr: PeerAddress;
  state: LinkState;
  socket: Socket | undefined;
  queue: Buffer[];
  failures: number;
  timer: NodeJS.Timeout | undefined;
  corked: boolean;
}

export class TcpTransport {
  private server: Server | undefined;
  private readonly links = new Map<string, Link>();
  private readonly inbound = new Set<Socket>();
  private stopped = false;
  private readonly maxFrame: number;
  readonly stats: TransportStats = {
    frames_in: 0, frames_out: 0, connects: 0, connect_failures: 0,
    dropped: {
      oversized: 0, malformed: 0, 'bad-version': 0, 'bad-type': 0, 'bad-mac': 0, misaddressed: 0,
      'unknown-source': 0, 'source-mismatch': 0, 'bad-payload': 0, truncated: 0, 'send-overflow': 0, 'inbound-limit': 0,
    },
  };

  constructor(private readonly opts: TcpTransportOptions) {
    this.maxFrame = opts.max_frame_bytes ?? FRAME_MAX_BYTES_DEFAULT;
    for (const [id, addr] of opts.peers) {
      if (id !== opts.id) this.links.set(id, { id, addr, state: 'idle', socket: undefined, queue: [], failures: 0, timer: undefined, corked: false });
    }
  }

  /** Listen, then start connecting to every peer. Resolves with the bound address. */
  async start(): Promise<PeerAddress> {
    const server = createServer((s) => this.accept(s));
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.opts.listen.port, this.opts.listen.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    server.on('error', (err) => this.opts.log(`listener error: ${err.message}`));
    for (const l of this.links.values()) this.dial(l);
    const a = server.address();
    return typeof a === 'object' && a ? { host: a.address, port: a.port } : this.opts.listen;
  }

  /** Queue or write a message; false when it surely was not sent (unknown or unreachable peer, overflow). */
  send(to: string, payload: unknown): boolean {
    const l = this.links.get(to);
    if (!l || this.stopped) return false;
    let frame: Buffer;
    try {
      frame = encodeFrame(this.opts.key, { type: 'data', src: this.opts.id, dst: to, payload: Buffer.from(JSON.stringify(payload), 'utf8') });
    } catch {
      return false;
    }
    if (frame.length - 4 > this.maxFrame) {
      this.drop('send-overflow', `message to ${to} is ${frame.length} bytes, over the ${this.maxFrame}-byte frame bound`);
      return false;
    }
    if (l.state === 'up' && l.socket) {
      if (l.socket.writableLength > (this.opts.write_buffer_max_bytes ?? 8 * 1024 * 1024)) {
        this.drop('send-overflow', `write buffer to ${to} is full`);
        return false;
      }
      const sock = l.socket;
      if (!l.corked) {
        // coalesce the frames sent in this turn of the event loop into one write
        l.corked = true;
        sock.cork();
        process.nextTick(() => {
          l.corked = false;
          sock.uncork();
        });
      }
      sock.write(frame);
      this.stats.frames_out++;
      return true;
    }
    // after repeated failed connects the peer counts as down until a connect succeeds; while a dial is
    // under way (the peer just said hello) frames queue, so a reply to its first request is not lost
    if (l.state !== 'connecting' && l.failures >= (this.opts.unreachable_after ?? 3)) return false;
    if (l.queue.length >= (this.opts.queue_max ?? 10_000)) {
      this.drop('send-overflow', `send queue to ${to} is full`);
      return false;
    }
    l.queue.push(frame);
    if (l.state === 'idle') this.dial(l);
    return true;
  }

  /** Whether the outgoing connection to a peer is established. */
  isConnected(to: string): boolean {
    return this.links.get(to)?.state === 'up';
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const l of this.links.values()) {
      if (l.timer) clearTimeout(l.timer);
      l.socket?.destroy();
      l.queue = [];
    }
    for (const s of this.inbound) s.destroy();
    const server = this.server;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private dial(l: Link): void {
    if (this.stopped || l.state === 'connecting' || l.state === 'up') return;
    l.state = 'connecting';
    const s = connect({ host: l.addr.host, port: l.addr.port });
    s.setNoDelay(true);
    l.socket = s;
    s.once('connect', () => {
      l.state = 'up';
      if (l.failures > 0) this.opts.log(`connected to ${l.id} at ${l.addr.host}:${l.addr.port} after ${l.failures} failed attempts`);
      l.failures = 0;
      this.stats.connects++;
      s.write(encodeFrame(this.opts.key, { type: 'hello', src: this.opts.id, dst: l.id, payload: Buffer.from('{}') }));
      for (const f of l.queue) {
        s.write(f);
        this.stats.frames_out++;
      }
      l.queue = [];
    });
    s.on('data', () => {}); // peers never write on our outgoing connection; ignore anything
    s.on('error', () => {}); // 'close' follows and handles it
    s.once('close', () => {
      if (l.socket !== s) return;
      l.socket = undefined;
      if (l.state !== 'up') {
        l.failures++;
        this.stats.connect_failures++;
      }
      l.state = 'backoff';
      if (this.stopped) return;
      const base = this.opts.backoff_base_ms ?? 50;
      const max = this.opts.backoff_max_ms ?? 2000;
      const delay = Math.min(max, base * 2 ** Math.min(l.failures, 20)) * (0.5 + 0.5 * this.opts.rng.float());
      l.timer = setTimeout(() => {
        l.timer = undefined;
        l.state = 'idle';
        this.dial(l);
      }, delay);
    });
  }

  private accept(s: Socket): void {
    if (this.stopped || this.inbound.size >= (this.opts.max_inbound ?? 256)) {
      this.drop('inbound-limit', `refused a connection from ${s.remoteAddress}:${s.remotePort}`);
      s.destroy();
      return;
    }
    this.inbound.add(s);
    const reader = new FrameReader(this.maxFrame);
    const where = `${s.remoteAddress}:${s.remotePort}`;
    let peer: string | undefined;
    s.on('data', (chunk: Buffer) => {
      const bodies = reader.push(chunk);
      if (bodies === 'oversized' || bodies === 'malformed') {
        this.drop(bodies, `frame from ${where} has an impossible length; closing the connection`);
        s.destroy();
        return;
      }
      for (const b of bodies) {
        const f = decodeBody(this.opts.key, b);
        if (typeof f === 'string') this.drop(f, `frame from ${where}`);
        else peer = this.receive(f, peer, where);
      }
    });
    s.on('error', () => {});
    s.setTimeout(this.opts.partial_frame_timeout_ms ?? 30_000, () => {
      if (reader.buffered > 0) s.destroy(); // a stalled partial frame: counted as truncated on close
    });
    s.once('close', () => {
      this.inbound.delete(s);
      if (reader.buffered > 0) this.drop('truncated', `connection from ${where} closed inside a frame (${reader.buffered} bytes)`);
    });
  }

  /** Handle one authenticated frame; returns the connection's peer id. */
  private receive(f: Frame, peer: string | undefined, where: string): string | undefined {
    if (f.dst !== this.opts.id) {
      this.drop('misaddressed', `frame from ${where} for '${f.dst}'`);
      return peer;
    }
    if (!this.links.has(f.src)) {
      this.drop('unknown-source', `frame from ${where} claims unknown node '${f.src}'`);
      return peer;
    }
    if (peer !== undefined && f.src !== peer) {
      this.drop('source-mismatch', `frame from ${where} claims '${f.src}' on ${peer}'s connection`);
      return peer;
    }
    this.stats.frames_in++;
    if (f.type === 'hello') {
      // the peer is up (it just dialled us): skip the rest of our backoff towards it
      const l = this.links.get(f.src)!;
      if (l.state === 'backoff' && l.timer) {
        clearTimeout(l.timer);
        l.timer = undefined;
        l.state = 'idle';
        this.dial(l);
      }
      return f.src;
    }
    let payload: unknown;
    try {
      payload = JSON.parse(f.payload.toString('utf8'));
    } catch {
      this.drop('bad-payload', `frame from ${f.src} carries invalid JSON`);
      return f.src;
    }
    this.opts.onMessage(f.src, payload);
    return f.src;
  }

  private drop(reason: keyof TransportStats['dropped'], detail: string): void {
    const n = ++this.stats.dropped[reason];
    // the log is bounded under a flood: the first 100 of each reason, then every 1000th
    if (n <= 100 || n % 1000 === 0) this.opts.log(`dropped frame: reason=${reason} count=${n} ${detail}`);
  }
}
