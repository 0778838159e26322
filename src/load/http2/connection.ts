/**
 * One HTTP/2 connection of the load engine over the Dialer's socket (TLS with ALPN h2, or plain TCP with
 * prior knowledge, h2c), with up to `streams` requests in flight. Streams complete in any order; the
 * oldest unanswered one is what the timeout watches.
 *
 * Why a framing of hopscope's own and not node:http2: node:http2 builds a stream object, an event emitter
 * and a headers object per request, and measured here (bench/h2.ts) even a minimal client on it stays near
 * a quarter of h2load's rate. A load generator sends a few fixed requests and needs only each response's
 * status, Server-Timing and end: request header blocks are encoded once per template
 * (request-headers.ts), responses are decoded by a complete HPACK decoder (the server's dynamic table must
 * be followed) and bodies are counted, never kept.
 */

import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { InfraError } from '../../errors.js';
import type { Dialer } from '../dialer.js';
import type { ConnectionEvents, LoadConnection } from '../load-connection.js';
import type { RequestMix } from '../request-mix.js';
import type { ErrorKind } from '../sample.js';
import { socketWriter } from '../socket-writer.js';
import { ErrorCode, Http2Error } from './errors.js';
import { DEFAULT_MAX_FRAME_SIZE, DEFAULT_WINDOW, Flag, FrameReader, FrameType, FrameWriter, MAX_WINDOW, Setting, type FrameHandler } from './frames.js';
import { HpackDecoder, type HeaderFields } from './hpack.js';
import { RequestHeaderBlocks } from './request-headers.js';

interface Stream {
  id: number;
  requestIndex: number;
  startMs: number;
  /** The final status once its response headers came; 0 before. */
  status: number;
  serverTiming: string | undefined;
  /** What the server lets us send on it (a request body). */
  sendWindow: number;
  /** Request body bytes still to send (flow control can hold them back). */
  body: Buffer | undefined;
  bodyOffset: number;
  /** DATA bytes received since its last WINDOW_UPDATE. */
  received: number;
}

/** What hopscope tells the server: no push, and a window so large that DATA never waits on the client. */
const SETTINGS = [
  [Setting.ENABLE_PUSH, 0],
  [Setting.INITIAL_WINDOW_SIZE, MAX_WINDOW],
] as const;
/** Windows are topped up once half is used: one WINDOW_UPDATE per gigabyte, not per frame. */
const REPLENISH_AT = Math.floor(MAX_WINDOW / 2);
const MAX_STREAM_ID = 2 ** 31 - 1;
/** A response header block larger than this (over CONTINUATIONs) is refused rather than buffered. */
const MAX_HEADER_BLOCK_BYTES = 256 * 1024;

export class H2Connection implements LoadConnection, FrameHandler, HeaderFields {
  private socket: Socket | undefined;
  private write: ((data: Uint8Array) => void) | undefined;
  /** The server's SETTINGS came: its limits are known and streams may open. */
  private connected = false;
  private closing = false;
  /** Closed by us: whatever else arrives is ignored. */
  private destroyed = false;
  /** Set when the server sent GOAWAY: the streams it will not process fail as `goaway`. */
  private goaway = false;
  /** No new streams (GOAWAY, or stream ids used up): closes once the last stream ends. */
  private draining = false;
  // Insertion order is send order: the first entry is the oldest unanswered request.
  private readonly open = new Map<number, Stream>();
  private nextStreamId = 1;
  private peerMaxStreams = Infinity;
  private peerInitialWindow = DEFAULT_WINDOW;
  private peerMaxFrameSize = DEFAULT_MAX_FRAME_SIZE;
  private sendWindow = DEFAULT_WINDOW;
  private received = 0;
  /** Streams whose body waits for the server's window. */
  private blocked: Stream[] = [];
  /** A header block split over CONTINUATION frames, until END_HEADERS. */
  private fragments: Buffer[] = [];
  private fragmentBytes = 0;
  private fragmentStream = 0;
  private fragmentEndStream = false;
  /** The stream whose response headers are being decoded, undefined for trailers or unknown streams. */
  private decoding: Stream | undefined;
  private flushQueued = false;
  private readonly reader = new FrameReader(this);
  private readonly writer = new FrameWriter();
  private readonly decoder = new HpackDecoder();
  private readonly blocks: RequestHeaderBlocks;
  connectUs = 0;
  handshakeUs: number | undefined;
  fatal: InfraError | undefined;
  listed = false;

  constructor(
    private readonly dialer: Dialer,
    readonly streams: number,
    private readonly events: ConnectionEvents,
    mix: RequestMix,
  ) {
    this.blocks = new RequestHeaderBlocks(mix, dialer.target.tls ? 'https' : 'http');
  }

  get connecting(): boolean {
    return this.socket !== undefined && !this.connected && !this.closing;
  }

  get inFlight(): number {
    return this.open.size;
  }

  get capacity(): number {
    return this.connected && !this.closing ? Math.max(0, Math.min(this.streams, this.peerMaxStreams) - this.open.size) : 0;
  }

  get oldestStartMs(): number {
    for (const stream of this.open.values()) return stream.startMs;
    return Infinity;
  }

  connect(): void {
    const socket = this.dialer.dial({
      ready: (connectUs, handshakeUs) => {
        this.connectUs = connectUs;
        this.handshakeUs = handshakeUs;
        this.start(socket);
      },
      fatal: (error) => (this.fatal = error),
      data: (chunk) => this.onRead(chunk),
    });
    this.socket = socket;
    this.write = socketWriter(socket);
    socket.on('error', () => {
      // 'close' follows and reports.
    });
    socket.on('close', () => this.onClose());
  }

  send(requestIndex: number, startMs: number): void {
    const id = this.nextStreamId;
    this.nextStreamId += 2;
    const { block, body } = this.blocks.next(requestIndex);
    const stream: Stream = { id, requestIndex, startMs, status: 0, serverTiming: undefined, sendWindow: this.peerInitialWindow, body, bodyOffset: 0, received: 0 };
    this.open.set(id, stream);
    this.writer.headers(id, block, body === undefined, this.peerMaxFrameSize);
    if (body !== undefined && !this.sendBody(stream)) this.blocked.push(stream);
    // Stream ids cannot be reused: a connection that used them all retires and the engine opens another.
    if (this.nextStreamId > MAX_STREAM_ID) this.closing = this.draining = true;
    this.queueFlush();
  }

  abort(kind: ErrorKind): void {
    this.failAll(kind);
    this.close();
  }

  close(): void {
    this.closing = true;
    this.destroyed = true;
    this.socket?.destroy();
  }

  // --- frames --------------------------------------------------------------------------------------------

  frame(type: number, flags: number, streamId: number, buf: Buffer, start: number, end: number): void {
    if (this.destroyed) return;
    if (this.fragmentStream !== 0 && (type !== FrameType.CONTINUATION || streamId !== this.fragmentStream)) {
      throw new Http2Error('a header block interrupted before END_HEADERS');
    }
    if (!this.connected && type !== FrameType.SETTINGS) throw new Http2Error("the server's preface is not a SETTINGS frame");
    switch (type) {
      case FrameType.DATA:
        return this.onData(flags, this.streamFrame(streamId), buf, start, end);
      case FrameType.HEADERS:
        return this.onHeaders(flags, this.streamFrame(streamId), buf, start, end);
      case FrameType.PRIORITY:
        // Allowed on any stream, even one never opened; hopscope has no use for it.
        if (streamId === 0) throw new Http2Error('PRIORITY on stream 0');
        if (end - start !== 5) throw new Http2Error('PRIORITY frame not 5 bytes', ErrorCode.FRAME_SIZE_ERROR);
        return;
      case FrameType.RST_STREAM:
        if (end - start !== 4) throw new Http2Error('RST_STREAM frame not 4 bytes', ErrorCode.FRAME_SIZE_ERROR);
        return this.onReset(this.streamFrame(streamId), buf.readUInt32BE(start));
      case FrameType.SETTINGS:
        return this.onSettings(flags, streamId, buf, start, end);
      case FrameType.PUSH_PROMISE:
        throw new Http2Error('PUSH_PROMISE although push is disabled');
      case FrameType.PING:
        if (streamId !== 0) throw new Http2Error('PING on a stream');
        if (end - start !== 8) throw new Http2Error('PING frame not 8 bytes', ErrorCode.FRAME_SIZE_ERROR);
        if (!(flags & Flag.ACK)) {
          this.writer.pingAck(buf, start);
          this.queueFlush();
        }
        return;
      case FrameType.GOAWAY:
        if (streamId !== 0) throw new Http2Error('GOAWAY on a stream');
        if (end - start < 8) throw new Http2Error('GOAWAY frame under 8 bytes', ErrorCode.FRAME_SIZE_ERROR);
        return this.onGoaway(buf.readUInt32BE(start) & 0x7fffffff);
      case FrameType.WINDOW_UPDATE:
        if (end - start !== 4) throw new Http2Error('WINDOW_UPDATE frame not 4 bytes', ErrorCode.FRAME_SIZE_ERROR);
        return this.onWindowUpdate(streamId, buf.readUInt32BE(start) & 0x7fffffff);
      case FrameType.CONTINUATION:
        if (this.fragmentStream === 0) throw new Http2Error('CONTINUATION without a header block to continue');
        return this.onContinuation(flags, buf, start, end);
      default:
      // Unknown frame types are ignored (RFC 9113 section 4.1).
    }
  }

  /** A frame that must be on a stream: its id, after checking it is one of ours. */
  private streamFrame(streamId: number): number {
    if (streamId === 0) throw new Http2Error('a stream frame on stream 0');
    // Push is off, so every stream is ours (odd); one we never opened is idle and may carry nothing.
    if (streamId % 2 === 0 || streamId >= this.nextStreamId) throw new Http2Error(`a frame on stream ${streamId}, which was never opened`);
    return streamId;
  }

  private onData(flags: number, streamId: number, buf: Buffer, start: number, end: number): void {
    const length = end - start;
    // Flow control counts the whole payload, padding included.
    this.received += length;
    if (this.received >= REPLENISH_AT) {
      this.writer.windowUpdate(0, this.received);
      this.received = 0;
      this.queueFlush();
    }
    if (flags & Flag.PADDED) unpad(buf, start, end);
    const stream = this.open.get(streamId);
    // A stream already ended for us (reset, or cut by GOAWAY) may still have data on the way.
    if (!stream) return;
    if (stream.status === 0) throw new Http2Error(`DATA before response headers on stream ${streamId}`);
    if (flags & Flag.END_STREAM) {
      this.complete(stream);
      return;
    }
    stream.received += length;
    if (stream.received >= REPLENISH_AT) {
      this.writer.windowUpdate(streamId, stream.received);
      stream.received = 0;
      this.queueFlush();
    }
  }

  private onHeaders(flags: number, streamId: number, buf: Buffer, start: number, end: number): void {
    let from = start;
    let to = end;
    if (flags & Flag.PADDED) {
      to = unpad(buf, start, end);
      from++;
    }
    if (flags & Flag.PRIORITY) from += 5;
    if (from > to) throw new Http2Error('HEADERS frame too short for its priority fields', ErrorCode.FRAME_SIZE_ERROR);
    const endStream = (flags & Flag.END_STREAM) !== 0;
    if (flags & Flag.END_HEADERS) {
      this.onHeaderBlock(streamId, buf, from, to, endStream);
      return;
    }
    this.fragmentStream = streamId;
    this.fragmentEndStream = endStream;
    this.addFragment(buf, from, to);
  }

  private onContinuation(flags: number, buf: Buffer, start: number, end: number): void {
    this.addFragment(buf, start, end);
    if (!(flags & Flag.END_HEADERS)) return;
    const block = Buffer.concat(this.fragments);
    const streamId = this.fragmentStream;
    this.fragments = [];
    this.fragmentBytes = 0;
    this.fragmentStream = 0;
    this.onHeaderBlock(streamId, block, 0, block.length, this.fragmentEndStream);
  }

  private addFragment(buf: Buffer, start: number, end: number): void {
    this.fragmentBytes += end - start;
    if (this.fragmentBytes > MAX_HEADER_BLOCK_BYTES) throw new Http2Error(`a header block over ${MAX_HEADER_BLOCK_BYTES} bytes`);
    // A copy: the read buffer is reused.
    this.fragments.push(Buffer.from(buf.subarray(start, end)));
  }

  /** A whole header block: always decoded (the HPACK state is shared), applied only to a stream in flight. */
  private onHeaderBlock(streamId: number, block: Buffer, start: number, end: number, endStream: boolean): void {
    const stream = this.open.get(streamId);
    const trailers = stream !== undefined && stream.status !== 0;
    this.decoding = trailers ? undefined : stream;
    try {
      this.decoder.decode(block, start, end, this);
    } finally {
      this.decoding = undefined;
    }
    if (!stream) return;
    if (trailers) {
      if (!endStream) throw new Http2Error(`trailers without END_STREAM on stream ${streamId}`);
    } else if (stream.status === 0) {
      throw new Http2Error(`response headers without :status on stream ${streamId}`);
    } else if (stream.status < 200) {
      // Informational (1xx): the final response follows in another block.
      if (endStream) throw new Http2Error(`an informational response ends stream ${streamId}`);
      stream.status = 0;
      stream.serverTiming = undefined;
      return;
    }
    if (endStream) this.complete(stream);
  }

  /** HeaderFields: what the engine keeps of a response's headers. */
  field(name: string, value: string): void {
    const stream = this.decoding;
    if (!stream) return;
    if (name === ':status') {
      if (!/^[1-5]\d\d$/.test(value)) throw new Http2Error(`malformed :status ${JSON.stringify(value)}`);
      stream.status = Number(value);
    } else if (name === 'server-timing') {
      stream.serverTiming = stream.serverTiming === undefined ? value : `${stream.serverTiming}, ${value}`;
    }
  }

  private onReset(streamId: number, code: number): void {
    const stream = this.open.get(streamId);
    if (!stream) return;
    this.open.delete(streamId);
    // NO_ERROR only stops a stream whose response is complete; before that it just cut the request.
    this.events.failure(this, stream.requestIndex, stream.startMs, code === ErrorCode.NO_ERROR ? 'reset' : 'rst_stream');
    this.closeIfDrained();
  }

  private onSettings(flags: number, streamId: number, buf: Buffer, start: number, end: number): void {
    if (streamId !== 0) throw new Http2Error('SETTINGS on a stream');
    if (flags & Flag.ACK) {
      if (end !== start) throw new Http2Error('SETTINGS ACK with a payload', ErrorCode.FRAME_SIZE_ERROR);
      return;
    }
    if ((end - start) % 6 !== 0) throw new Http2Error('SETTINGS payload not a multiple of 6 bytes', ErrorCode.FRAME_SIZE_ERROR);
    for (let at = start; at < end; at += 6) {
      const value = buf.readUInt32BE(at + 2);
      switch (buf.readUInt16BE(at)) {
        case Setting.MAX_CONCURRENT_STREAMS:
          this.peerMaxStreams = value;
          break;
        case Setting.INITIAL_WINDOW_SIZE:
          this.setInitialWindow(value);
          break;
        case Setting.MAX_FRAME_SIZE:
          if (value < DEFAULT_MAX_FRAME_SIZE || value > 2 ** 24 - 1) throw new Http2Error(`SETTINGS_MAX_FRAME_SIZE ${value} out of range`);
          this.peerMaxFrameSize = value;
          break;
        case Setting.ENABLE_PUSH:
          if (value > 1) throw new Http2Error(`SETTINGS_ENABLE_PUSH ${value}`);
          break;
        default:
        // HEADER_TABLE_SIZE bounds a dynamic table hopscope's encoder never uses; others are advisory or unknown.
      }
    }
    this.writer.settingsAck();
    this.queueFlush();
    if (!this.connected) {
      this.connected = true;
      this.events.ready(this);
    }
  }

  private setInitialWindow(value: number): void {
    if (value > MAX_WINDOW) throw new Http2Error(`SETTINGS_INITIAL_WINDOW_SIZE ${value} above 2^31-1`, ErrorCode.FLOW_CONTROL_ERROR);
    const delta = value - this.peerInitialWindow;
    this.peerInitialWindow = value;
    for (const stream of this.open.values()) {
      stream.sendWindow += delta;
      if (stream.sendWindow > MAX_WINDOW) throw new Http2Error(`stream ${stream.id}'s window above 2^31-1`, ErrorCode.FLOW_CONTROL_ERROR);
    }
    this.sendBlocked();
  }

  private onGoaway(lastStreamId: number): void {
    // Out of service first: failures reported below make the engine refill, and nothing may go here.
    this.goaway = true;
    this.closing = this.draining = true;
    for (const stream of [...this.open.values()]) {
      if (stream.id <= lastStreamId) continue;
      this.open.delete(stream.id);
      this.events.failure(this, stream.requestIndex, stream.startMs, 'goaway');
    }
    this.closeIfDrained();
  }

  private onWindowUpdate(streamId: number, increment: number): void {
    if (increment === 0) throw new Http2Error('WINDOW_UPDATE of 0');
    if (streamId === 0) {
      this.sendWindow += increment;
      if (this.sendWindow > MAX_WINDOW) throw new Http2Error('connection window above 2^31-1', ErrorCode.FLOW_CONTROL_ERROR);
    } else {
      const stream = this.open.get(streamId);
      if (!stream) return;
      stream.sendWindow += increment;
      if (stream.sendWindow > MAX_WINDOW) throw new Http2Error(`stream ${streamId}'s window above 2^31-1`, ErrorCode.FLOW_CONTROL_ERROR);
    }
    this.sendBlocked();
  }

  // --- sending -------------------------------------------------------------------------------------------

  /** Sends what the windows allow of the stream's body; true once all of it is sent. */
  private sendBody(stream: Stream): boolean {
    const body = stream.body!;
    for (;;) {
      const left = body.length - stream.bodyOffset;
      const n = Math.min(left, stream.sendWindow, this.sendWindow, this.peerMaxFrameSize);
      if (n <= 0 && left > 0) return false;
      this.writer.data(stream.id, body, stream.bodyOffset, stream.bodyOffset + n, n === left);
      stream.bodyOffset += n;
      stream.sendWindow -= n;
      this.sendWindow -= n;
      if (n === left) {
        stream.body = undefined;
        return true;
      }
    }
  }

  private sendBlocked(): void {
    if (this.blocked.length === 0) return;
    // A stream answered (or reset) before its body was sent needs no more of it.
    this.blocked = this.blocked.filter((stream) => this.open.get(stream.id) === stream && !this.sendBody(stream));
    this.queueFlush();
  }

  /** Frames leave together once the current event's work is done: one write for all streams opened in it. */
  private queueFlush(): void {
    if (this.flushQueued) return;
    this.flushQueued = true;
    queueMicrotask(this.flush);
  }

  private readonly flush = (): void => {
    this.flushQueued = false;
    if (!this.destroyed && !this.writer.empty) this.write!(this.writer.take());
  };

  // --- life ----------------------------------------------------------------------------------------------

  private start(socket: Socket): void {
    const tls = (socket as TLSSocket).encrypted === true;
    if (tls && (socket as TLSSocket).alpnProtocol !== 'h2') {
      this.fatal = new InfraError(
        `HTTP/2 to ${this.dialer.target.host}:${this.dialer.target.port}: the server did not agree to h2 by ALPN (it chose ${(socket as TLSSocket).alpnProtocol || 'nothing'})`,
        'drop --http2 (protocol: h1) to load it over HTTP/1.1',
      );
      socket.destroy();
      return;
    }
    this.writer.preface(SETTINGS, MAX_WINDOW - DEFAULT_WINDOW);
    this.queueFlush();
  }

  private onRead(chunk: Buffer): void {
    try {
      this.reader.push(chunk);
    } catch (error) {
      if (!(error instanceof Http2Error)) throw error;
      // Best effort: the server learns why, if the GOAWAY leaves before the socket is destroyed.
      this.writer.goaway(0, error.code);
      this.flush();
      this.abort('protocol');
    }
  }

  private complete(stream: Stream): void {
    this.open.delete(stream.id);
    this.events.response(this, stream.requestIndex, stream.startMs, { status: stream.status, close: this.closing, serverTiming: stream.serverTiming });
    this.closeIfDrained();
  }

  private closeIfDrained(): void {
    if (this.draining && this.open.size === 0 && !this.destroyed) {
      this.destroyed = true;
      this.socket?.destroy();
    }
  }

  private failAll(kind: ErrorKind): void {
    const streams = [...this.open.values()];
    this.open.clear();
    for (const stream of streams) this.events.failure(this, stream.requestIndex, stream.startMs, kind);
  }

  private onClose(): void {
    const wasConnected = this.connected;
    const closedByUs = this.closing && !this.draining;
    this.connected = false;
    this.closing = true;
    this.destroyed = true;
    this.failAll(this.goaway ? 'goaway' : wasConnected ? 'reset' : 'connect');
    this.events.closed(this, !wasConnected && !closedByUs);
  }
}

/** Strips a padded frame's padding (RFC 9113 section 6.1): returns where its content ends. */
function unpad(buf: Buffer, start: number, end: number): number {
  if (end === start) throw new Http2Error('padded frame without a pad length', ErrorCode.FRAME_SIZE_ERROR);
  const to = end - buf[start]!;
  if (to < start + 1) throw new Http2Error('padding longer than the frame');
  return to;
}
