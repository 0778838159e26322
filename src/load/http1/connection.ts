/**
 * One keep-alive HTTP/1.1 connection of the load engine (TCP or TLS), with up to `pipelining` requests in flight.
 * It knows nothing of loops or schedules: the engine decides when to send, the connection reports
 * what came back (or failed) for each request, in order.
 */

import type { Socket } from 'node:net';
import type { InfraError } from '../../errors.js';
import type { Dialer } from '../dialer.js';
import type { ConnectionEvents, LoadConnection } from '../load-connection.js';
import type { RequestMix } from '../request-mix.js';
import type { ErrorKind } from '../sample.js';
import { socketWriter } from '../socket-writer.js';
import { ProtocolError, ResponseParser, type ParsedResponse } from './response-parser.js';

export class Connection implements LoadConnection {
  private socket: Socket | undefined;
  private write: ((data: Uint8Array) => void) | undefined;
  private connected = false;
  private closing = false;
  // In-flight requests, oldest first; a ring so that the hot path allocates nothing.
  private readonly indexes: Int32Array;
  private readonly starts: Float64Array;
  private readonly heads: Uint8Array;
  private head = 0;
  private count = 0;
  private readonly parser: ResponseParser;
  /** Set up times of this connection, once ready (handshakeUs over TLS only). */
  connectUs = 0;
  handshakeUs: number | undefined;
  /** Why this connection can never work (a certificate refused): the engine ends the run with it. */
  fatal: InfraError | undefined;
  listed = false;

  constructor(
    private readonly dialer: Dialer,
    readonly pipelining: number,
    private readonly events: ConnectionEvents,
    private readonly mix: RequestMix,
  ) {
    this.indexes = new Int32Array(pipelining);
    this.starts = new Float64Array(pipelining);
    this.heads = new Uint8Array(pipelining);
    this.parser = new ResponseParser(
      (response) => this.onResponse(response),
      () => this.heads[this.head] === 1,
    );
  }

  /** Connect called, and neither connected nor closed yet. */
  get connecting(): boolean {
    return this.socket !== undefined && !this.connected && !this.closing;
  }

  get inFlight(): number {
    return this.count;
  }

  /** Requests it can take now. */
  get capacity(): number {
    return this.connected && !this.closing ? this.pipelining - this.count : 0;
  }

  /** Send time of the oldest unanswered request, or Infinity. */
  get oldestStartMs(): number {
    return this.count > 0 ? this.starts[this.head]! : Infinity;
  }

  connect(): void {
    const socket = this.dialer.dial({
      ready: (connectUs, handshakeUs) => {
        this.connectUs = connectUs;
        this.handshakeUs = handshakeUs;
        this.connected = true;
        this.events.ready(this);
      },
      fatal: (error) => (this.fatal = error),
      data: (chunk) => this.onRead(chunk),
    });
    this.socket = socket;
    this.write = socketWriter(socket);
    socket.on('error', () => {
      // 'close' follows and reports; the error's only use would be its text, which kinds already classify.
    });
    socket.on('close', () => this.onClose());
  }

  send(requestIndex: number, startMs: number): void {
    const slot = (this.head + this.count) % this.pipelining;
    this.indexes[slot] = requestIndex;
    this.starts[slot] = startMs;
    this.heads[slot] = this.mix.isHead(requestIndex) ? 1 : 0;
    this.count++;
    this.write!(this.mix.encode(requestIndex));
  }

  /** Fail every in-flight request with `kind` and close; used for timeouts and protocol errors. */
  abort(kind: ErrorKind): void {
    this.failAll(kind);
    this.close();
  }

  /** Close without failing anything further (in-flight requests, if any, are reported as reset). */
  close(): void {
    this.closing = true;
    this.socket?.destroy();
  }

  private onRead(chunk: Buffer): void {
    try {
      this.parser.push(chunk);
    } catch (error) {
      if (!(error instanceof ProtocolError)) throw error;
      this.abort('protocol');
    }
  }

  private onResponse(response: ParsedResponse): void {
    if (this.count === 0) {
      // A response nobody asked for: the server is broken, not the request.
      this.abort('protocol');
      return;
    }
    const index = this.indexes[this.head]!;
    const start = this.starts[this.head]!;
    this.head = (this.head + 1) % this.pipelining;
    this.count--;
    // Out of service before the engine hears of the response: in a closed loop it refills the connection
    // from inside response(), and a request written to a connection the server is closing is lost.
    if (response.close) this.closing = true;
    this.events.response(this, index, start, response);
    if (response.close) this.close();
  }

  private failAll(kind: ErrorKind): void {
    while (this.count > 0) {
      const index = this.indexes[this.head]!;
      const start = this.starts[this.head]!;
      this.head = (this.head + 1) % this.pipelining;
      this.count--;
      this.events.failure(this, index, start, kind);
    }
  }

  private onClose(): void {
    const wasConnected = this.connected;
    // Closed by us while still connecting (the phase ended mid-handshake) is no failed attempt.
    const closedByUs = this.closing;
    this.connected = false;
    this.closing = true;
    // A response delimited by the close itself completes now; anything else still in flight was cut.
    this.parser.end();
    this.failAll(wasConnected ? 'reset' : 'connect');
    this.events.closed(this, !wasConnected && !closedByUs);
  }
}
