/**
 * One HTTP/2 connection of the load engine (node:http2 over the Dialer's socket: TLS with ALPN h2, or
 * plain TCP with prior knowledge, h2c), with up to `streams` requests in flight. Streams complete in any
 * order; the oldest unanswered one is what the timeout watches.
 *
 * Why node:http2 and not a framing of hopscope's own: measured here (bench/h2.ts), node:http2 reaches about
 * a quarter of h2load's rate; a lean framing (header blocks HPACK-encoded once, responses decoded for
 * :status and Server-Timing only) may do better, but node:http2 is correct today and is behind this one
 * class, so it can be replaced without touching the engine.
 */

import { connect as h2connect, constants, type ClientHttp2Session, type ClientHttp2Stream, type IncomingHttpHeaders, type OutgoingHttpHeaders } from 'node:http2';
import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { InfraError } from '../../errors.js';
import type { Dialer } from '../dialer.js';
import type { ConnectionEvents, LoadConnection } from '../load-connection.js';
import type { RequestMix } from '../request-mix.js';
import type { ErrorKind } from '../sample.js';

interface InFlight {
  requestIndex: number;
  startMs: number;
  status: number;
  serverTiming: string | undefined;
}

/** Connection-specific headers HTTP/2 forbids (RFC 9113 section 8.2.2); Host becomes :authority. */
const DROPPED = new Set(['host', 'connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade']);

export class H2Connection implements LoadConnection {
  private socket: Socket | undefined;
  private session: ClientHttp2Session | undefined;
  private connected = false;
  private closing = false;
  /** Set when the server sent GOAWAY: the streams it will not process fail as `goaway`. */
  private goaway = false;
  // Insertion order is send order: the first entry is the oldest unanswered request.
  private readonly inFlightStreams = new Map<ClientHttp2Stream, InFlight>();
  connectUs = 0;
  handshakeUs: number | undefined;
  fatal: InfraError | undefined;

  constructor(
    private readonly dialer: Dialer,
    readonly streams: number,
    private readonly events: ConnectionEvents,
    private readonly mix: RequestMix,
  ) {}

  get connecting(): boolean {
    return this.socket !== undefined && !this.connected && !this.closing;
  }

  get inFlight(): number {
    return this.inFlightStreams.size;
  }

  get capacity(): number {
    return this.connected && !this.closing ? this.streams - this.inFlightStreams.size : 0;
  }

  get oldestStartMs(): number {
    for (const entry of this.inFlightStreams.values()) return entry.startMs;
    return Infinity;
  }

  connect(): void {
    const socket = this.dialer.dial({
      ready: (connectUs, handshakeUs) => {
        this.connectUs = connectUs;
        this.handshakeUs = handshakeUs;
        this.startSession(socket);
      },
      fatal: (error) => (this.fatal = error),
    });
    this.socket = socket;
    socket.on('error', () => {
      // 'close' follows and reports.
    });
    socket.on('close', () => this.onClose());
  }

  send(requestIndex: number, startMs: number): void {
    const request = this.mix.describe(requestIndex);
    const headers: OutgoingHttpHeaders = { ':method': request.method, ':path': request.path, ':authority': request.authority };
    // Scenario header names may have any case; HTTP/2 wants them in lower case.
    for (const [name, value] of Object.entries(request.headers)) {
      const lower = name.toLowerCase();
      if (lower === 'host') headers[':authority'] = value;
      else if (!DROPPED.has(lower)) headers[lower] = value;
    }
    const stream = this.session!.request(headers, { endStream: request.body === undefined });
    if (request.body !== undefined) stream.end(request.body);
    const entry: InFlight = { requestIndex, startMs, status: 0, serverTiming: undefined };
    this.inFlightStreams.set(stream, entry);
    stream.on('response', (h: IncomingHttpHeaders) => {
      entry.status = Number(h[':status']);
      const timing = h['server-timing'];
      entry.serverTiming = Array.isArray(timing) ? timing.join(', ') : timing;
    });
    // Bodies are read and dropped, never kept.
    stream.on('data', noop);
    stream.on('end', () => this.complete(stream, entry));
    stream.on('error', noop);
    stream.on('close', () => this.streamClosed(stream, entry));
  }

  abort(kind: ErrorKind): void {
    this.failAll(kind);
    this.close();
  }

  close(): void {
    this.closing = true;
    this.session?.destroy();
    this.socket?.destroy();
  }

  private startSession(socket: Socket): void {
    const tls = (socket as TLSSocket).encrypted === true;
    if (tls && (socket as TLSSocket).alpnProtocol !== 'h2') {
      this.fatal = new InfraError(
        `HTTP/2 to ${this.dialer.target.host}:${this.dialer.target.port}: the server did not agree to h2 by ALPN (it chose ${(socket as TLSSocket).alpnProtocol || 'nothing'})`,
        'drop --http2 (protocol: h1) to load it over HTTP/1.1',
      );
      socket.destroy();
      return;
    }
    const session = h2connect(`${tls ? 'https' : 'http'}://${this.dialer.target.host}:${this.dialer.target.port}`, { createConnection: () => socket });
    this.session = session;
    session.on('error', noop);
    session.on('goaway', () => {
      this.goaway = true;
      // Nothing new goes on a connection that is going away; the engine reconnects once it closes.
      this.closing = true;
    });
    session.once('connect', () => {
      if (this.closing) return;
      this.connected = true;
      this.events.ready(this);
    });
  }

  private complete(stream: ClientHttp2Stream, entry: InFlight): void {
    if (!this.inFlightStreams.delete(stream)) return;
    this.events.response(this, entry.requestIndex, entry.startMs, { status: entry.status, close: this.closing, serverTiming: entry.serverTiming });
  }

  /** A stream that closed before its end: refused by RST_STREAM, cut by GOAWAY, or by the connection. */
  private streamClosed(stream: ClientHttp2Stream, entry: InFlight): void {
    if (!this.inFlightStreams.delete(stream)) return;
    // A stream the server reset (RST_STREAM with an error code) while the session lives is its own kind.
    const kind: ErrorKind = this.goaway ? 'goaway' : stream.rstCode !== constants.NGHTTP2_NO_ERROR && !this.session?.destroyed ? 'rst_stream' : 'reset';
    this.events.failure(this, entry.requestIndex, entry.startMs, kind);
  }

  private failAll(kind: ErrorKind): void {
    const entries = [...this.inFlightStreams.values()];
    this.inFlightStreams.clear();
    for (const entry of entries) this.events.failure(this, entry.requestIndex, entry.startMs, kind);
  }

  private onClose(): void {
    const wasConnected = this.connected;
    const closedByUs = this.closing && !this.goaway;
    this.connected = false;
    this.closing = true;
    this.session?.destroy();
    this.failAll(this.goaway ? 'goaway' : wasConnected ? 'reset' : 'connect');
    this.events.closed(this, !wasConnected && !closedByUs);
  }
}

function noop(): void {}
