// The real network: one TCP (optionally TLS 1.3, mutually authenticated) listener per node for incoming
// frames and one outgoing connection per peer, re-established with exponential backoff and jitter. Every
// frame is authenticated with HMAC-SHA256 under the cluster key, and every connection opens with a
// challenge/hello handshake of fresh nonces; data frames carry the session tag and a sequence number
// under the MAC, so replayed, cross-connection and reordered-beyond-the-window frames are refused
// (session.ts). Oversized, malformed, forged, misaddressed, replayed or truncated input is dropped,
// counted and logged, and never crashes the node. Bounds: `max_frame_bytes` per frame, `queue_max`
// frames (`queue_max_bytes` bytes) waiting per peer while connecting, `write_buffer_max_bytes` unsent
// bytes per socket, `max_inbound` connections; before a connection is authenticated, a handshake
// deadline, `max_unauthenticated` (`max_unauthenticated_per_ip`) connections and a byte bound per
// connection and overall. Authenticated peers keep one inbound connection each and are never refused
// for unauthenticated ones: those are evicted, oldest first. Clients (ids `client:<random>`, no listener)
// are not cluster members: a client dials servers, and a server answers on the connection the client
// dialled (never dialling a client, never queueing for one); a reply for a client whose connection is gone
// is dropped and counted, so it can reach no one else. At most `max_clients` client connections, the
// oldest closed first. Limit: the key is shared by the cluster.
import { createServer, connect, type Server, type Socket } from 'node:net';
import { connect as tlsConnect, createServer as createTlsServer, type PeerCertificate, type Server as TlsServer, type TLSSocket } from 'node:tls';
import type { Prng } from '../../sim/index.js';
import {
  ANY_NODE, CLIENT_CERT_ID, decodeBody, encodeFrame, FrameReader, FRAME_MAX_BYTES_DEFAULT, isClientId, MAC_BYTES, type DropReason, type Frame,
} from './frame.js';
import { DATA_HEADER_BYTES, freshNonce, NONCE_BYTES, openData, ReplayWindow, replyTag, sealData, sessionTag } from './session.js';

export interface PeerAddress {
  readonly host: string;
  readonly port: number;
}

/** PEM text of the cluster CA and of this node's certificate and key. */
export interface TlsMaterial {
  readonly ca: string | Buffer;
  readonly cert: string | Buffer;
  readonly key: string | Buffer;
}

export interface TcpTransportOptions {
  /** A node id of the config, or a client id (`client:...`, see isClientId) for a client. */
  readonly id: string;
  readonly key: Buffer;
  /** Where a node listens. A client has none: it only dials, and reads the answers on its connections. */
  readonly listen?: PeerAddress;
  readonly peers: ReadonlyMap<string, PeerAddress>;
  readonly rng: Prng;
  readonly onMessage: (from: string, payload: unknown) => void;
  readonly log: (line: string) => void;
  readonly max_frame_bytes?: number;
  readonly backoff_base_ms?: number;
  readonly backoff_max_ms?: number;
  readonly queue_max?: number;
  /** Bytes of messages waiting per peer while connecting (default 16 MiB). */
  readonly queue_max_bytes?: number;
  readonly write_buffer_max_bytes?: number;
  readonly max_inbound?: number;
  /**
   * Milliseconds every message to a peer waits before it is sent (a WAN over loopback; default none). The order of
   * one peer's messages is kept; a delayed send() answers true (whether it leaves is known only then).
   */
  readonly delay_ms?: (to: string) => number;
  /** Consecutive failed connects after which send() reports the peer unreachable (default 3). */
  readonly unreachable_after?: number;
  /** Close an inbound connection that sits inside a frame this long without a byte (default 30 s). */
  readonly partial_frame_timeout_ms?: number;
  /** A connection must finish its handshake (TLS and hello) within this (default 2000 ms). */
  readonly handshake_timeout_ms?: number;
  /** Inbound connections not yet authenticated, in all (default 64) and per remote address (default 16). */
  readonly max_unauthenticated?: number;
  readonly max_unauthenticated_per_ip?: number;
  /** Bytes buffered for one unauthenticated connection (default 64 KiB) and for all of them (default 1 MiB). */
  readonly unauthenticated_buffer_bytes?: number;
  readonly unauthenticated_budget_bytes?: number;
  /** TLS 1.3 with client certificates: peers must present a certificate of this CA naming their node id. */
  readonly tls?: TlsMaterial;
  /** Client connections held at once (default 64); past it the oldest is closed. */
  readonly max_clients?: number;
}

export type TransportDropReason =
  | DropReason | 'replayed' | 'send-overflow' | 'inbound-limit' | 'handshake-timeout' | 'buffer-limit' | 'tls-refused' | 'client-gone';

export interface TransportStats {
  frames_in: number;
  frames_out: number;
  connects: number;
  connect_failures: number;
  dropped: Record<TransportDropReason, number>;
  /** Inbound connections now: authenticated (at most one per peer), of clients, and not yet authenticated. */
  inbound_authenticated: number;
  inbound_clients: number;
  inbound_unauthenticated: number;
  /** Bytes held now for unauthenticated connections, and the most ever held at once. */
  unauthenticated_buffered_bytes: number;
  unauthenticated_buffered_bytes_max: number;
}

type LinkState = 'idle' | 'connecting' | 'up' | 'backoff';

/** One direction of a connection that frames are written in: its session tag and last sequence number. */
interface Sender {
  corked: boolean;
  tag: Buffer | undefined;
  seq: number;
}

interface Link extends Sender {
  readonly id: string;
  readonly addr: PeerAddress;
  state: LinkState;
  socket: Socket | undefined;
  /** JSON bodies waiting for the connection: sealed when written, under that connection's session. */
  queue: Buffer[];
  queued_bytes: number;
  failures: number;
  timer: NodeJS.Timeout | undefined;
  /** A client's: the tag and window of the replies read on this connection. */
  reply_tag: Buffer | undefined;
  window: ReplayWindow;
}

interface Inbound {
  readonly raw: Socket;
  readonly ip: string;
  readonly where: string;
  readonly reader: FrameReader;
  readonly nonce: Buffer;
  readonly window: ReplayWindow;
  /** The socket frames are read from and written to (the TLS socket once it is secure). */
  io: Socket | undefined;
  /** The node id the certificate names (TLS only). */
  cert_id: string | undefined;
  peer: string | undefined;
  tag: Buffer | undefined;
  /** A client's connection: the direction replies are written in. */
  reply: Sender | undefined;
  /** Bytes of this connection counted in the unauthenticated budget. */
  counted: number;
  deadline: NodeJS.Timeout | undefined;
  tls_error: string | undefined;
  /** The challenge has been sent (in answer to the dialer's knock). */
  challenged: boolean;
}

/** Bytes of a data frame around its JSON body. */
function dataFrameOverhead(src: string, dst: string): number {
  return 2 + 1 + Buffer.byteLength(src) + 1 + Buffer.byteLength(dst) + 4 + DATA_HEADER_BYTES + MAC_BYTES;
}

/** The node id a certificate names: its first DNS subject alternative name, else its common name. */
export function certificateNodeId(cert: PeerCertificate | undefined): string | undefined {
  if (!cert || Object.keys(cert).length === 0) return undefined;
  const dns = (cert.subjectaltname ?? '').split(',').map((s) => s.trim()).find((s) => s.startsWith('DNS:'));
  if (dns) return dns.slice(4);
  const cn = cert.subject?.CN;
  return typeof cn === 'string' ? cn : undefined;
}

export class TcpTransport {
  private server: Server | undefined;
  private tlsServer: TlsServer | undefined;
  private readonly links = new Map<string, Link>();
  /** Unauthenticated inbound connections in arrival order (the oldest is evicted first). */
  private readonly pending = new Map<Socket, Inbound>();
  private readonly pendingPerIp = new Map<string, number>();
  /** The authenticated inbound connection of each peer. */
  private readonly authed = new Map<string, Inbound>();
  /** The connection of each client, oldest first (the only way to a client). */
  private readonly clients = new Map<string, Inbound>();
  /** TLS connections waiting for their handshake, by remote address and port. */
  private readonly tlsWaiting = new Map<string, Inbound>();
  private stopped = false;
  private readonly maxFrame: number;
  private readonly preAuthFrame: number;
  readonly stats: TransportStats = {
    frames_in: 0, frames_out: 0, connects: 0, connect_failures: 0,
    dropped: {
      oversized: 0, malformed: 0, 'bad-version': 0, 'bad-type': 0, 'bad-mac': 0, misaddressed: 0,
      'unknown-source': 0, 'source-mismatch': 0, 'bad-payload': 0, truncated: 0, replayed: 0, 'send-overflow': 0,
      'inbound-limit': 0, 'handshake-timeout': 0, 'buffer-limit': 0, 'tls-refused': 0, 'client-gone': 0,
    },
    inbound_authenticated: 0, inbound_clients: 0, inbound_unauthenticated: 0, unauthenticated_buffered_bytes: 0, unauthenticated_buffered_bytes_max: 0,
  };

  constructor(private readonly opts: TcpTransportOptions) {
    this.maxFrame = opts.max_frame_bytes ?? FRAME_MAX_BYTES_DEFAULT;
    this.preAuthFrame = Math.min(this.maxFrame, this.unauthBytes() - 4);
    if (this.preAuthFrame < 512) throw new RangeError('unauthenticated_buffer_bytes must leave room for a hello frame (at least 516)');
    if (isClientId(opts.id) !== (opts.listen === undefined)) throw new RangeError(`'${opts.id}': a client id and no listen address, or a node id and one`);
    for (const [id, addr] of opts.peers) {
      if (isClientId(id)) throw new RangeError(`peer '${id}' is a client id: clients are never dialled`);
      if (id !== opts.id) {
        this.links.set(id, {
          id, addr, state: 'idle', socket: undefined, queue: [], queued_bytes: 0, failures: 0, timer: undefined, corked: false, tag: undefined, seq: 0,
          reply_tag: undefined, window: new ReplayWindow(),
        });
      }
    }
  }

  /** A client only dials and reads its answers on the connections it made. */
  private get isClient(): boolean {
    return this.opts.listen === undefined;
  }

  private unauthBytes(): number {
    return this.opts.unauthenticated_buffer_bytes ?? 64 * 1024;
  }

  private handshakeMs(): number {
    return this.opts.handshake_timeout_ms ?? 2000;
  }

  /** Listen, then start connecting to every peer. Resolves with the bound address (a client's: undefined). */
  async start(): Promise<PeerAddress | undefined> {
    const listen = this.opts.listen;
    if (!listen) {
      for (const l of this.links.values()) this.dial(l);
      return undefined;
    }
    const server = createServer((s) => this.accept(s));
    this.server = server;
    if (this.opts.tls) this.tlsServer = this.makeTlsServer(this.opts.tls);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(listen.port, listen.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    server.on('error', (err) => this.opts.log(`listener error: ${err.message}`));
    for (const l of this.links.values()) this.dial(l);
    const a = server.address();
    return typeof a === 'object' && a ? { host: a.address, port: a.port } : listen;
  }

  /**
   * Queue or write a message; false when it surely was not sent (unknown or unreachable peer, overflow).
   * To a client: written on its connection at once, or dropped (client-gone) when it has none.
   */
  send(to: string, payload: unknown): boolean {
    const wait = this.opts.delay_ms?.(to) ?? 0;
    if (wait > 0 && this.links.has(to) && !this.stopped) {
      // Each peer's messages leave in order: none before the one sent ahead of it.
      const at = Math.max(this.delayedUntil.get(to) ?? 0, Date.now() + wait);
      this.delayedUntil.set(to, at);
      setTimeout(() => { this.sendNow(to, payload); }, at - Date.now()).unref?.();
      return true;
    }
    return this.sendNow(to, payload);
  }

  /** When each peer's last delayed message leaves (wall ms). */
  private readonly delayedUntil = new Map<string, number>();

  private sendNow(to: string, payload: unknown): boolean {
    const l = this.links.get(to);
    const client = l ? undefined : this.clients.get(to);
    if (this.stopped || (!l && !isClientId(to))) return false;
    let json: Buffer;
    try {
      json = Buffer.from(JSON.stringify(payload), 'utf8');
    } catch {
      return false;
    }
    const bytes = json.length + dataFrameOverhead(this.opts.id, to);
    if (bytes > this.maxFrame) {
      this.drop('send-overflow', `message to ${to} is ${bytes + 4} bytes, over the ${this.maxFrame}-byte frame bound`);
      return false;
    }
    if (!l) {
      if (client?.io && client.reply && !client.io.destroyed) return this.write(to, client.reply, client.io, json);
      this.drop('client-gone', `no connection from client ${to}: its reply is dropped`);
      return false;
    }
    if (l.state === 'up' && l.socket) return this.write(to, l, l.socket, json);
    // after repeated failed connects the peer counts as down until it connects or is heard from (peerAlive
    // resets the count, so a peer that dialled us gets its replies queued while we dial back)
    if (l.failures >= (this.opts.unreachable_after ?? 3)) return false;
    if (l.queue.length >= (this.opts.queue_max ?? 10_000) || l.queued_bytes + json.length > (this.opts.queue_max_bytes ?? 16 * 1024 * 1024)) {
      this.drop('send-overflow', `send queue to ${to} is full`);
      return false;
    }
    l.queue.push(json);
    l.queued_bytes += json.length;
    if (l.state === 'idle') this.dial(l);
    return true;
  }

  /** Whether the outgoing connection to a peer is established (its handshake done). */
  isConnected(to: string): boolean {
    return this.links.get(to)?.state === 'up';
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const l of this.links.values()) {
      if (l.timer) clearTimeout(l.timer);
      l.socket?.destroy();
      l.queue = [];
      l.queued_bytes = 0;
    }
    for (const c of [...this.pending.values(), ...this.authed.values(), ...this.clients.values()]) this.close(c, false);
    const server = this.server;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private write(to: string, w: Sender, sock: Socket, json: Buffer): boolean {
    if (sock.writableLength > (this.opts.write_buffer_max_bytes ?? 8 * 1024 * 1024)) {
      this.drop('send-overflow', `write buffer to ${to} is full`);
      return false;
    }
    if (!w.corked) {
      // coalesce the frames sent in this turn of the event loop into one write
      w.corked = true;
      sock.cork();
      process.nextTick(() => {
        w.corked = false;
        sock.uncork();
      });
    }
    w.seq++;
    sock.write(encodeFrame(this.opts.key, { type: 'data', src: this.opts.id, dst: to, payload: sealData(w.tag!, w.seq, json) }));
    this.stats.frames_out++;
    return true;
  }

  // ---- outgoing connections ----

  private dial(l: Link): void {
    if (this.stopped || l.state === 'connecting' || l.state === 'up') return;
    l.state = 'connecting';
    const tls = this.opts.tls;
    const s: Socket = tls
      ? tlsConnect({
        host: l.addr.host, port: l.addr.port, ca: tls.ca, cert: tls.cert, key: tls.key, minVersion: 'TLSv1.3',
        checkServerIdentity: (_host, cert) => certificateNodeId(cert) === l.id ? undefined : new Error(`the certificate does not name node '${l.id}'`),
      })
      : connect({ host: l.addr.host, port: l.addr.port });
    s.setNoDelay(true);
    l.socket = s;
    const reader = new FrameReader(4096); // only a challenge is expected on this side
    const deadline = setTimeout(() => s.destroy(), this.handshakeMs());
    s.once(tls ? 'secureConnect' : 'connect', () => {
      this.stats.connects++;
      // The acceptor speaks only once spoken to: knock, and its challenge follows.
      s.write(encodeFrame(this.opts.key, { type: 'knock', src: this.opts.id, dst: l.id, payload: Buffer.from('{}') }));
    });
    s.on('data', (chunk: Buffer) => {
      if (l.socket !== s) return;
      if (l.state === 'up') return void (this.isClient && this.readReplies(l, s, reader, chunk)); // a node reads only the challenge here
      reader.append(chunk);
      const b = reader.next();
      if (b === undefined) return;
      if (typeof b === 'string') return void s.destroy();
      reader.clear();
      const f = decodeBody(this.opts.key, b);
      if (typeof f === 'string' || f.type !== 'challenge' || f.src !== l.id || f.dst !== ANY_NODE) {
        this.drop(typeof f === 'string' ? f : 'bad-type', `handshake from ${l.id}: not its challenge`);
        return void s.destroy();
      }
      clearTimeout(deadline);
      this.sendHello(l, s, f.payload);
    });
    s.on('error', () => {}); // 'close' follows and handles it
    s.once('close', () => {
      clearTimeout(deadline);
      reader.clear();
      if (l.socket !== s) return;
      l.socket = undefined;
      l.tag = undefined;
      l.reply_tag = undefined;
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

  /** Answer the acceptor's challenge; from here on the link is up and its queue is flushed. */
  private sendHello(l: Link, s: Socket, challengePayload: Buffer): void {
    const challenge = parseNonces(challengePayload)?.nonce;
    if (!challenge) {
      this.drop('bad-payload', `challenge from ${l.id} carries no nonce`);
      return void s.destroy();
    }
    const mine = freshNonce();
    const hello = JSON.stringify({ challenge: challenge.toString('hex'), nonce: mine.toString('hex') });
    s.write(encodeFrame(this.opts.key, { type: 'hello', src: this.opts.id, dst: l.id, payload: Buffer.from(hello) }));
    l.tag = sessionTag(challenge, mine, this.opts.id, l.id);
    l.seq = 0;
    l.reply_tag = this.isClient ? replyTag(challenge, mine, this.opts.id, l.id) : undefined;
    l.window = new ReplayWindow();
    l.state = 'up';
    if (l.failures > 0) this.opts.log(`connected to ${l.id} at ${l.addr.host}:${l.addr.port} after ${l.failures} failed attempts`);
    l.failures = 0;
    const queue = l.queue;
    l.queue = [];
    l.queued_bytes = 0;
    for (const json of queue) this.write(l.id, l, s, json);
  }

  /** A client reads the server's answers on the connection it dialled, checked as inbound frames are. */
  private readReplies(l: Link, s: Socket, reader: FrameReader, chunk: Buffer): void {
    reader.max_frame_bytes = this.maxFrame;
    reader.append(chunk);
    for (;;) {
      const b = reader.next();
      if (b === undefined) return;
      if (typeof b === 'string') {
        this.drop(b, `frame from ${l.id} has an impossible length; closing the connection`);
        return void s.destroy();
      }
      const f = decodeBody(this.opts.key, b);
      if (typeof f === 'string') this.drop(f, `reply frame from ${l.id}`);
      else if (f.type !== 'data') this.drop('bad-type', `${f.type} frame from ${l.id} after the handshake`);
      else if (f.src !== l.id) this.drop('source-mismatch', `frame claiming '${f.src}' on the connection to ${l.id}`);
      else if (f.dst !== this.opts.id) this.drop('misaddressed', `frame from ${l.id} for '${f.dst}'`);
      else this.deliverData(f, l.reply_tag, l.window, `the connection to ${l.id}`);
      if (l.socket !== s) return;
    }
  }

  /** Open a data frame of this connection's session (tag, fresh seq) and hand its JSON to onMessage. */
  private deliverData(f: Frame, tag: Buffer | undefined, window: ReplayWindow, where: string): void {
    const d = openData(f.payload);
    if (d === 'malformed') return this.drop('malformed', `data frame from ${f.src} without a session header`);
    if (!tag || !d.tag.equals(tag) || !window.accept(d.seq)) {
      return this.drop('replayed', `frame ${d.seq} from ${f.src} (${where}) is not new on this connection's session`);
    }
    this.stats.frames_in++;
    this.peerAlive(f.src);
    let payload: unknown;
    try {
      payload = JSON.parse(d.json.toString('utf8'));
    } catch {
      return this.drop('bad-payload', `frame from ${f.src} carries invalid JSON`);
    }
    this.opts.onMessage(f.src, payload);
  }

  /** The peer was heard from: it is reachable, so stop counting it down and skip the rest of the backoff. */
  private peerAlive(id: string): void {
    const l = this.links.get(id);
    if (!l) return;
    l.failures = 0;
    if (l.state === 'backoff' && l.timer) {
      clearTimeout(l.timer);
      l.timer = undefined;
      l.state = 'idle';
      this.dial(l);
    }
  }

  // ---- incoming connections ----

  private makeTlsServer(tls: TlsMaterial): TlsServer {
    const server = createTlsServer({
      ca: tls.ca, cert: tls.cert, key: tls.key, minVersion: 'TLSv1.3', requestCert: true, rejectUnauthorized: true,
      handshakeTimeout: this.handshakeMs(),
    }, (t: TLSSocket) => {
      const c = this.tlsWaiting.get(`${t.remoteAddress}:${t.remotePort}`);
      if (!c) return void t.destroy();
      this.tlsWaiting.delete(c.where);
      const id = certificateNodeId(t.getPeerCertificate());
      if (!id || (!this.links.has(id) && id !== CLIENT_CERT_ID)) {
        this.drop('tls-refused', `connection from ${c.where}: the certificate names no known node (${id ?? 'none'})`);
        return void this.close(c);
      }
      c.cert_id = id;
      this.open(c, t);
    });
    server.on('tlsClientError', (err, t) => {
      const c = this.tlsWaiting.get(`${t.remoteAddress}:${t.remotePort}`);
      if (!c) return;
      c.tls_error = err.message;
      this.close(c); // counted as tls-refused when it closes
    });
    return server;
  }

  private accept(s: Socket): void {
    const ip = s.remoteAddress ?? '?';
    const where = `${ip}:${s.remotePort}`;
    if (this.stopped || !this.makeRoom(ip)) {
      this.drop('inbound-limit', `refused a connection from ${where}`);
      s.destroy();
      return;
    }
    const c: Inbound = {
      raw: s, ip, where, reader: new FrameReader(this.preAuthFrame), nonce: freshNonce(), window: new ReplayWindow(),
      io: undefined, cert_id: undefined, peer: undefined, tag: undefined, reply: undefined, counted: 0, deadline: undefined, tls_error: undefined,
      challenged: false,
    };
    this.pending.set(s, c);
    this.pendingPerIp.set(ip, (this.pendingPerIp.get(ip) ?? 0) + 1);
    this.stats.inbound_unauthenticated = this.pending.size;
    c.deadline = setTimeout(() => {
      this.tlsWaiting.delete(where);
      this.drop('handshake-timeout', `connection from ${where} did not authenticate within ${this.handshakeMs()} ms`);
      this.close(c);
    }, this.handshakeMs());
    s.on('error', () => {});
    s.once('close', () => this.closed(c));
    if (this.tlsServer) {
      this.tlsWaiting.set(where, c);
      this.tlsServer.emit('connection', s);
    } else {
      this.open(c, s);
    }
  }

  /**
   * Make room for one more unauthenticated connection from `ip` by evicting the oldest unauthenticated
   * ones (from that address first); false when every slot holds an authenticated peer.
   */
  private makeRoom(ip: string): boolean {
    const perIp = this.opts.max_unauthenticated_per_ip ?? 16;
    const all = this.opts.max_unauthenticated ?? 64;
    const total = this.opts.max_inbound ?? 256;
    const held = (): number => this.pending.size + this.authed.size + this.clients.size;
    while ((this.pendingPerIp.get(ip) ?? 0) >= perIp) {
      const victim = [...this.pending.values()].find((c) => c.ip === ip)!;
      this.evict(victim);
    }
    while (this.pending.size > 0 && (this.pending.size >= all || held() >= total)) {
      this.evict(this.pending.values().next().value!);
    }
    return held() < total && this.pending.size < all;
  }

  private evict(c: Inbound): void {
    this.drop('inbound-limit', `evicted the unauthenticated connection from ${c.where} to make room`);
    this.close(c);
  }

  /** The connection can carry frames: start reading (the challenge answers the dialer's knock). */
  private open(c: Inbound, io: Socket): void {
    c.io = io;
    io.on('error', () => {});
    io.on('data', (chunk: Buffer) => this.onBytes(c, chunk));
    io.setTimeout(this.opts.partial_frame_timeout_ms ?? 30_000, () => {
      if (c.reader.buffered > 0) this.close(c); // a stalled partial frame: counted as truncated on close
    });
  }

  /**
   * The dialer's knock: answer with this connection's challenge, once. Nothing is written before it, so a
   * stream that only sends garbage (or nothing) never has our bytes waiting unread ahead of its close.
   */
  private knocked(c: Inbound): void {
    if (c.challenged || !c.io) return;
    c.challenged = true;
    const challenge = JSON.stringify({ nonce: c.nonce.toString('hex') });
    c.io.write(encodeFrame(this.opts.key, { type: 'challenge', src: this.opts.id, dst: ANY_NODE, payload: Buffer.from(challenge) }));
  }

  private onBytes(c: Inbound, chunk: Buffer): void {
    if (!c.peer) {
      const held = c.reader.buffered + chunk.length;
      const budget = this.opts.unauthenticated_budget_bytes ?? 1024 * 1024;
      if (held > this.unauthBytes() || this.stats.unauthenticated_buffered_bytes - c.counted + held > budget) {
        this.drop('buffer-limit', `unauthenticated connection from ${c.where} would hold ${held} bytes; closing it`);
        return this.close(c);
      }
    }
    c.reader.append(chunk);
    for (;;) {
      const b = c.reader.next();
      if (b === undefined) break;
      if (typeof b === 'string') {
        this.drop(b, `frame from ${c.where} has an impossible length; closing the connection`);
        return this.close(c);
      }
      const f = decodeBody(this.opts.key, b);
      if (typeof f === 'string') this.drop(f, `frame from ${c.where}`);
      else this.receive(c, f);
      if (c.raw.destroyed) return;
    }
    this.account(c, c.peer ? 0 : c.reader.buffered);
  }

  /** Set the bytes this connection holds against the unauthenticated budget. */
  private account(c: Inbound, bytes: number): void {
    this.stats.unauthenticated_buffered_bytes += bytes - c.counted;
    c.counted = bytes;
    this.stats.unauthenticated_buffered_bytes_max = Math.max(this.stats.unauthenticated_buffered_bytes_max, this.stats.unauthenticated_buffered_bytes);
  }

  /** Handle one frame whose MAC verified. */
  private receive(c: Inbound, f: Frame): void {
    if (f.dst !== this.opts.id) return this.drop('misaddressed', `frame from ${c.where} for '${f.dst}'`);
    if (!this.links.has(f.src) && !isClientId(f.src)) return this.drop('unknown-source', `frame from ${c.where} claims unknown node '${f.src}'`);
    if (!this.mayClaim(c, f.src)) {
      this.drop('source-mismatch', `frame from ${c.where} claims '${f.src}' on ${c.peer ?? c.cert_id}'s connection`);
      if (!c.peer) this.close(c); // a certificate for one node and frames of another: not a peer
      return;
    }
    if (f.type === 'knock') return this.knocked(c);
    if (f.type === 'hello') return this.hello(c, f);
    if (f.type !== 'data') return this.drop('bad-type', `${f.type} frame from ${c.where}`);
    this.deliverData(f, c.tag, c.window, c.where);
  }

  /** The id a connection's frames may claim: its peer's once said hello; before, its certificate's (TLS). */
  private mayClaim(c: Inbound, src: string): boolean {
    if (c.peer !== undefined) return src === c.peer;
    if (c.cert_id === undefined) return true;
    return src === c.cert_id || (c.cert_id === CLIENT_CERT_ID && isClientId(src));
  }

  /** The dialer's answer to this connection's challenge: the connection now belongs to f.src. */
  private hello(c: Inbound, f: Frame): void {
    const n = parseNonces(f.payload);
    if (c.peer || !n?.challenge || !n.challenge.equals(c.nonce)) {
      return this.drop('replayed', `hello from ${f.src} (${c.where}) does not answer this connection's challenge`);
    }
    this.stats.frames_in++;
    c.tag = sessionTag(c.nonce, n.nonce, f.src, this.opts.id);
    c.peer = f.src;
    clearTimeout(c.deadline);
    this.unpend(c);
    this.account(c, 0);
    c.reader.max_frame_bytes = this.maxFrame;
    if (isClientId(f.src)) return this.clientHello(c, f.src, n.nonce);
    const old = this.authed.get(f.src);
    this.authed.set(f.src, c);
    if (old) this.close(old, false); // the peer dialled again: its previous connection is dead
    this.stats.inbound_authenticated = this.authed.size;
    this.peerAlive(f.src);
  }

  /** A client's connection: the only way back to it, newest per client, at most max_clients. */
  private clientHello(c: Inbound, id: string, dialer_nonce: Buffer): void {
    c.reply = { corked: false, tag: replyTag(c.nonce, dialer_nonce, id, this.opts.id), seq: 0 };
    const old = this.clients.get(id);
    this.clients.delete(id);
    this.clients.set(id, c);
    if (old) this.close(old, false); // the same client dialled again
    while (this.clients.size > (this.opts.max_clients ?? 64)) {
      const [oldest, oc] = this.clients.entries().next().value!;
      this.drop('inbound-limit', `closed the connection of client ${oldest} (the oldest of more than ${this.opts.max_clients ?? 64})`);
      this.close(oc, false);
    }
    this.stats.inbound_clients = this.clients.size;
  }

  private unpend(c: Inbound): void {
    if (!this.pending.delete(c.raw)) return;
    const left = (this.pendingPerIp.get(c.ip) ?? 1) - 1;
    if (left > 0) this.pendingPerIp.set(c.ip, left);
    else this.pendingPerIp.delete(c.ip);
    this.stats.inbound_unauthenticated = this.pending.size;
  }

  /**
   * Close an inbound connection. An offender's is reset (RST): the peer learns at once even if it never
   * reads (our challenge would otherwise sit unread ahead of the end of the stream), and no state lingers.
   */
  private close(c: Inbound, reset = true): void {
    if (reset && !c.raw.destroyed) c.raw.resetAndDestroy();
    c.io?.destroy();
    c.raw.destroy();
    this.closed(c);
  }

  /** Forget a connection and free what it held (safe to call more than once). */
  private closed(c: Inbound): void {
    clearTimeout(c.deadline);
    if (this.tlsWaiting.delete(c.where)) {
      this.drop('tls-refused', `connection from ${c.where} closed before its TLS handshake completed${c.tls_error ? `: ${c.tls_error}` : ''}`);
    }
    this.unpend(c);
    if (c.peer && this.authed.get(c.peer) === c) this.authed.delete(c.peer);
    if (c.peer && this.clients.get(c.peer) === c) this.clients.delete(c.peer);
    this.stats.inbound_authenticated = this.authed.size;
    this.stats.inbound_clients = this.clients.size;
    if (c.reader.buffered > 0) this.drop('truncated', `connection from ${c.where} closed inside a frame (${c.reader.buffered} bytes)`);
    c.reader.clear();
    this.account(c, 0);
  }

  private drop(reason: TransportDropReason, detail: string): void {
    const n = ++this.stats.dropped[reason];
    // the log is bounded under a flood: the first 100 of each reason, then every 1000th
    if (n <= 100 || n % 1000 === 0) this.opts.log(`dropped frame: reason=${reason} count=${n} ${detail}`);
  }
}

/** `{nonce, challenge?}` of a challenge or hello payload, each 16 bytes in hex. */
function parseNonces(payload: Buffer): { nonce: Buffer; challenge: Buffer | undefined } | undefined {
  let o: unknown;
  try {
    o = JSON.parse(payload.toString('utf8'));
  } catch {
    return undefined;
  }
  const hex = (v: unknown): Buffer | undefined =>
    typeof v === 'string' && v.length === 2 * NONCE_BYTES && /^[0-9a-f]+$/.test(v) ? Buffer.from(v, 'hex') : undefined;
  const r = o as { nonce?: unknown; challenge?: unknown } | null;
  const nonce = hex(r?.nonce);
  return nonce ? { nonce, challenge: hex(r?.challenge) } : undefined;
}
