/**
 * The one event stream from load to record. Called per response on the hot path, so it takes plain
 * arguments rather than an allocated object.
 */

export type ErrorKind =
  /** TCP connect failed (refused, unreachable). */
  | 'connect'
  /** No complete response within the request timeout. */
  | 'timeout'
  /** The connection closed or reset with this request unanswered. */
  | 'reset'
  /** The server sent bytes that are not a valid HTTP/1.x response. */
  | 'protocol'
  /** Open loop only: the request's intended time passed but the run ended before any connection could send it. */
  | 'unsent'
  /** HTTP/2: the server reset the request's stream (RST_STREAM with an error code). */
  | 'rst_stream'
  /** HTTP/2: the server sent GOAWAY and will not process the request's stream. */
  | 'goaway';

export const ERROR_KINDS: readonly ErrorKind[] = ['connect', 'timeout', 'reset', 'protocol', 'unsent', 'rst_stream', 'goaway'];

export interface SampleSink {
  /**
   * A complete HTTP response. Statuses 4xx/5xx are responses too; the recorder classifies them. `startMs`:
   * when the request's latency started (its intended time in an open loop), on this thread's
   * performance.now() clock.
   */
  response(requestIndex: number, latencyUs: number, status: number, serverTiming: string | undefined, startMs: number): void;
  /** A request that got no response. */
  failure(requestIndex: number, kind: ErrorKind, latencyUs: number): void;
  /** Open loop: how late a request left compared with its intended time. */
  sendLag?(lagUs: number): void;
  /**
   * A connection is ready for requests: TCP connect time, and the TLS handshake's time after it (https).
   * Kept apart from request latency, which starts only once a connection is ready.
   */
  connected?(connectUs: number, handshakeUs: number | undefined): void;
}
