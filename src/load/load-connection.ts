/**
 * What the engine needs of a connection, whatever the protocol: HTTP/1.1 (http1/connection.ts, `pipelining`
 * requests in flight) or HTTP/2 (http2/connection.ts, `streams` in flight). The engine decides when to send;
 * a connection reports what came back (or failed) for each request.
 */

import type { InfraError } from '../errors.js';
import type { ParsedResponse } from './http1/response-parser.js';
import type { ErrorKind } from './sample.js';

export interface ConnectionEvents {
  response(conn: LoadConnection, requestIndex: number, startMs: number, response: ParsedResponse): void;
  failure(conn: LoadConnection, requestIndex: number, startMs: number, kind: ErrorKind): void;
  /** Connected and able to take requests. */
  ready(conn: LoadConnection): void;
  /** Closed for good; `connectFailed` when it never connected. The engine decides whether to reconnect. */
  closed(conn: LoadConnection, connectFailed: boolean): void;
}

export interface LoadConnection {
  /** Connect called, and neither connected nor closed yet. */
  readonly connecting: boolean;
  readonly inFlight: number;
  /** Requests it can take now. */
  readonly capacity: number;
  /** Send time of the oldest unanswered request, or Infinity. */
  readonly oldestStartMs: number;
  /** Set-up times once ready (handshakeUs over TLS only). */
  readonly connectUs: number;
  readonly handshakeUs: number | undefined;
  /** Why this connection can never work (a certificate refused): the engine ends the run with it. */
  readonly fatal: InfraError | undefined;
  /** The engine's own mark: the connection is in its list of connections with room (engine.ts, `free`). */
  listed: boolean;
  connect(): void;
  /** Sends one instance of the mix's request `requestIndex`; its latency runs from `startMs`. */
  send(requestIndex: number, startMs: number): void;
  /** Fail every in-flight request with `kind` and close. */
  abort(kind: ErrorKind): void;
  /** Close without failing anything further (in-flight requests, if any, are reported as reset). */
  close(): void;
}
