/**
 * HTTP/2 framing (RFC 9113 section 4): an incremental reader that hands out whole frames however the
 * bytes were split, and a writer that gathers the frames to send into one buffer per flush.
 */

import { ErrorCode, Http2Error } from './errors.js';

export const FrameType = {
  DATA: 0x0,
  HEADERS: 0x1,
  PRIORITY: 0x2,
  RST_STREAM: 0x3,
  SETTINGS: 0x4,
  PUSH_PROMISE: 0x5,
  PING: 0x6,
  GOAWAY: 0x7,
  WINDOW_UPDATE: 0x8,
  CONTINUATION: 0x9,
} as const;

export const Flag = {
  END_STREAM: 0x1,
  ACK: 0x1,
  END_HEADERS: 0x4,
  PADDED: 0x8,
  PRIORITY: 0x20,
} as const;

export const Setting = {
  HEADER_TABLE_SIZE: 0x1,
  ENABLE_PUSH: 0x2,
  MAX_CONCURRENT_STREAMS: 0x3,
  INITIAL_WINDOW_SIZE: 0x4,
  MAX_FRAME_SIZE: 0x5,
} as const;

export const FRAME_HEADER_BYTES = 9;
/** SETTINGS_MAX_FRAME_SIZE's default, which hopscope keeps for what it receives. */
export const DEFAULT_MAX_FRAME_SIZE = 16_384;
export const MAX_WINDOW = 2 ** 31 - 1;
export const DEFAULT_WINDOW = 65_535;
const CLIENT_PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1');

export interface FrameHandler {
  /** One whole frame; its payload is `buf[start, end)`, valid only during the call. */
  frame(type: number, flags: number, streamId: number, buf: Buffer, start: number, end: number): void;
}

export class FrameReader {
  private pending: Buffer | undefined;

  constructor(
    private readonly handler: FrameHandler,
    private readonly maxFrameSize = DEFAULT_MAX_FRAME_SIZE,
  ) {}

  /** Feed bytes as they arrive; they may be overwritten once this returns. Throws Http2Error. */
  push(chunk: Buffer): void {
    const buf = this.pending ? Buffer.concat([this.pending, chunk]) : chunk;
    this.pending = undefined;
    let offset = 0;
    while (buf.length - offset >= FRAME_HEADER_BYTES) {
      const length = (buf[offset]! << 16) | (buf[offset + 1]! << 8) | buf[offset + 2]!;
      if (length > this.maxFrameSize) throw new Http2Error(`frame of ${length} bytes above the ${this.maxFrameSize} allowed`, ErrorCode.FRAME_SIZE_ERROR);
      const end = offset + FRAME_HEADER_BYTES + length;
      if (end > buf.length) break;
      // The stream identifier's top bit is reserved and ignored on receipt.
      const streamId = buf.readUInt32BE(offset + 5) & 0x7fffffff;
      this.handler.frame(buf[offset + 3]!, buf[offset + 4]!, streamId, buf, offset + FRAME_HEADER_BYTES, end);
      offset = end;
    }
    // A copy: the caller's buffer is reused for the next read.
    if (offset < buf.length) this.pending = Buffer.from(buf.subarray(offset));
  }
}

const SLAB_BYTES = 16 * 1024;

/**
 * Frames to send, appended into a slab and taken as one Buffer per flush: one socket write per turn of the
 * event loop however many streams were opened in it. A taken Buffer is never written again.
 */
export class FrameWriter {
  private slab = Buffer.allocUnsafe(SLAB_BYTES);
  private used = 0;

  get empty(): boolean {
    return this.used === 0;
  }

  /** The bytes gathered since the last take. */
  take(): Buffer {
    const out = this.slab.subarray(0, this.used);
    this.slab = this.slab.length - this.used >= 1024 ? this.slab.subarray(this.used) : Buffer.allocUnsafe(SLAB_BYTES);
    this.used = 0;
    return out;
  }

  preface(settings: readonly (readonly [number, number])[], connectionWindowIncrement: number): void {
    this.reserve(CLIENT_PREFACE.length);
    this.used += CLIENT_PREFACE.copy(this.slab, this.used);
    this.settings(settings);
    this.windowUpdate(0, connectionWindowIncrement);
  }

  settings(settings: readonly (readonly [number, number])[]): void {
    const at = this.header(settings.length * 6, FrameType.SETTINGS, 0, 0);
    settings.forEach(([id, value], i) => {
      this.slab.writeUInt16BE(id, at + i * 6);
      this.slab.writeUInt32BE(value, at + i * 6 + 2);
    });
  }

  settingsAck(): void {
    this.header(0, FrameType.SETTINGS, Flag.ACK, 0);
  }

  pingAck(buf: Buffer, start: number): void {
    const at = this.header(8, FrameType.PING, Flag.ACK, 0);
    buf.copy(this.slab, at, start, start + 8);
  }

  windowUpdate(streamId: number, increment: number): void {
    const at = this.header(4, FrameType.WINDOW_UPDATE, 0, streamId);
    this.slab.writeUInt32BE(increment, at);
  }

  goaway(lastStreamId: number, code: number): void {
    const at = this.header(8, FrameType.GOAWAY, 0, 0);
    this.slab.writeUInt32BE(lastStreamId, at);
    this.slab.writeUInt32BE(code, at + 4);
  }

  /** A header block as HEADERS and, beyond `maxFrameSize`, CONTINUATION frames. */
  headers(streamId: number, block: Buffer, endStream: boolean, maxFrameSize: number): void {
    let start = 0;
    let type: number = FrameType.HEADERS;
    do {
      const end = Math.min(block.length, start + maxFrameSize);
      const flags = (end === block.length ? Flag.END_HEADERS : 0) | (type === FrameType.HEADERS && endStream ? Flag.END_STREAM : 0);
      const at = this.header(end - start, type, flags, streamId);
      block.copy(this.slab, at, start, end);
      type = FrameType.CONTINUATION;
      start = end;
    } while (start < block.length);
  }

  data(streamId: number, buf: Buffer, start: number, end: number, endStream: boolean): void {
    const at = this.header(end - start, FrameType.DATA, endStream ? Flag.END_STREAM : 0, streamId);
    buf.copy(this.slab, at, start, end);
  }

  /**
   * Writes a frame header and reserves its payload; returns where the payload starts, for the caller to
   * fill. It may move the slab: callers read `this.slab` only after it returns.
   */
  private header(length: number, type: number, flags: number, streamId: number): number {
    this.reserve(FRAME_HEADER_BYTES + length);
    const s = this.slab;
    let at = this.used;
    s[at++] = length >>> 16;
    s[at++] = (length >>> 8) & 0xff;
    s[at++] = length & 0xff;
    s[at++] = type;
    s[at++] = flags;
    s.writeUInt32BE(streamId, at);
    at += 4;
    this.used = at + length;
    return at;
  }

  private reserve(bytes: number): void {
    if (this.slab.length - this.used >= bytes) return;
    const grown = Buffer.allocUnsafe(Math.max(SLAB_BYTES, (this.used + bytes) * 2));
    this.slab.copy(grown, 0, 0, this.used);
    this.slab = grown;
  }
}
