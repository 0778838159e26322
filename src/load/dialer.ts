/**
 * Opens the load engine's sockets: plain TCP or TLS (node:tls), spread round-robin over the target's
 * addresses, timed (TCP connect, then TLS handshake), with one TLS session kept per engine so that a
 * reconnect resumes instead of paying a full handshake, as a browser or a keep-alive client pool would.
 */

import { connect as netConnect, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { SecureContext, TLSSocket } from 'node:tls';
import { InfraError } from '../errors.js';
import { builtinModule } from '../import-module.js';
import { describeTlsFailure, isTlsConfigFailure } from './tls/failures.js';

/** TLS settings of a phase, as PEM text (not file paths) so that they cross to worker threads as they are. */
export interface TlsClientOptions {
  /** Skip certificate verification (the handshake still happens). */
  insecure: boolean;
  ca?: string;
  cert?: string;
  key?: string;
  /** SNI and the name the certificate must carry; defaults to the target's host name. */
  servername?: string;
}

export interface DialTarget {
  /** The name in the URL: Host header, SNI and the certificate check follow it. */
  host: string;
  /** Where to connect: the host's addresses (all of them, from DNS), or the host itself. */
  addresses: readonly string[];
  port: number;
  tls: TlsClientOptions | undefined;
  /** The protocol offered by ALPN over TLS: HTTP/1.1 unless the phase speaks h2. */
  alpn?: 'http/1.1' | 'h2';
}

export interface DialCallbacks {
  /** The socket can carry requests; the times are from connect() to TCP connected, then to TLS established. */
  ready(connectUs: number, handshakeUs: number | undefined): void;
  /**
   * A failure no retry can fix (the certificate was refused, the server wants a client certificate): the
   * run ends with this error. 'close' still follows on the socket.
   */
  fatal(error: InfraError): void;
  /**
   * Takes every read, valid only during the call: plain TCP reads then land in one buffer the thread's
   * connections share (`onread`), without a Buffer or a stream event per read. Without it the caller reads
   * the socket itself.
   */
  data?(chunk: Buffer): void;
}

const READ_BUFFER_BYTES = 64 * 1024;
let sharedReadBuffer: Buffer | undefined;
let lastRead: Buffer | undefined;

/** One per thread: a read is handled to its end before the next read of any connection starts. */
function readBuffer(): Buffer {
  return (sharedReadBuffer ??= Buffer.allocUnsafe(READ_BUFFER_BYTES));
}

/**
 * The shared buffer's first `length` bytes. The view is made again only when the length changes: a server
 * answers a load test in reads of one length, and a new Buffer per read was 2-3 % of the closed loop's CPU
 * (`perf`: V8's typed-array construction).
 */
function readBytes(length: number): Buffer {
  if (lastRead?.length !== length) lastRead = readBuffer().subarray(0, length);
  return lastRead;
}

const tlsModule = () => builtinModule<typeof import('node:tls')>('node:tls');

export class Dialer {
  private nextAddress = 0;
  private session: Buffer | undefined;
  /**
   * Made once: tls.connect() given ca/cert/key builds a new OpenSSL context per connection (parsing every
   * certificate again), which at a reconnect per request costs more than the handshake itself.
   */
  private readonly secureContext: SecureContext | undefined;

  constructor(readonly target: DialTarget) {
    const tls = target.tls;
    if (tls) {
      this.secureContext = tlsModule().createSecureContext({ ...(tls.ca ? { ca: tls.ca } : {}), ...(tls.cert ? { cert: tls.cert } : {}), ...(tls.key ? { key: tls.key } : {}) });
    }
  }

  dial(callbacks: DialCallbacks): Socket {
    const { addresses, port, tls } = this.target;
    const address = addresses[this.nextAddress++ % addresses.length]!;
    const startMs = performance.now();
    if (!tls) {
      const data = callbacks.data?.bind(callbacks);
      const buffer = data && readBuffer();
      const socket = netConnect({
        port,
        host: address,
        noDelay: true,
        ...(data && buffer
          ? {
              onread: {
                buffer,
                callback: (length: number) => {
                  data(readBytes(length));
                  return true;
                },
              },
            }
          : {}),
      });
      socket.once('connect', () => callbacks.ready((performance.now() - startMs) * 1000, undefined));
      return socket;
    }
    const servername = tls.servername ?? (isIpLiteral(this.target.host) ? undefined : this.target.host);
    const socket: TLSSocket = tlsModule().connect({
      host: address,
      port,
      ...(servername ? { servername } : {}),
      rejectUnauthorized: !tls.insecure,
      secureContext: this.secureContext!,
      ...(this.session ? { session: this.session } : {}),
      // h2 also offers http/1.1, so that a server without h2 still completes the handshake and the h2
      // connection can say plainly what the server chose.
      ALPNProtocols: this.target.alpn === 'h2' ? ['h2', 'http/1.1'] : ['http/1.1'],
    });
    socket.setNoDelay(true);
    let connectedMs = startMs;
    let established = false;
    socket.once('connect', () => (connectedMs = performance.now()));
    socket.once('secureConnect', () => {
      established = true;
      callbacks.ready((connectedMs - startMs) * 1000, (performance.now() - connectedMs) * 1000);
    });
    if (callbacks.data) socket.on('data', (chunk: Buffer) => callbacks.data!(chunk));
    socket.on('session', (session: Buffer) => (this.session = session));
    socket.once('error', (error: NodeJS.ErrnoException) => {
      // Without a name the certificate is checked against the IP address dialled (its IP SAN).
      if (!established && isTlsConfigFailure(error)) {
        callbacks.fatal(new InfraError(describeTlsFailure(servername ?? this.target.host, port, error), tlsHint(error)));
      }
    });
    return socket;
  }
}

function isIpLiteral(host: string): boolean {
  return /^[0-9.]+$/.test(host) || host.includes(':');
}

function tlsHint(error: NodeJS.ErrnoException): string {
  return /CERTIFICATE_REQUIRED|HANDSHAKE_FAILURE/.test(error.code ?? '')
    ? 'the server asked for a client certificate: give --cert FILE and --key FILE (scenario: tls.cert, tls.key)'
    : 'trust its CA with --ca FILE (scenario: tls.ca), name the expected host with --servername, or skip verification with --insecure';
}
