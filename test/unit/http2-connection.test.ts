/**
 * H2Connection against scripted server bytes over a fake socket: the handshake, request header blocks,
 * responses split at every byte boundary (CONTINUATION, padding, PING in between), RST_STREAM, GOAWAY,
 * MAX_CONCURRENT_STREAMS, flow control of request bodies, and malformed frames, each of which must fail
 * the requests in flight as `protocol` and say why in a GOAWAY.
 */

import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import type { DialCallbacks, Dialer } from '../../src/load/dialer.js';
import { H2Connection } from '../../src/load/http2/connection.js';
import { ErrorCode } from '../../src/load/http2/errors.js';
import { Flag, FrameReader, FrameType, Setting } from '../../src/load/http2/frames.js';
import { encodeField, HpackDecoder } from '../../src/load/http2/hpack.js';
import type { ConnectionEvents, LoadConnection } from '../../src/load/load-connection.js';
import { compileMix } from '../../src/load/request-mix.js';
import type { ErrorKind } from '../../src/load/sample.js';
import type { RequestDecl } from '../../src/scenario/types.js';

class FakeSocket extends EventEmitter {
  written: Buffer[] = [];
  destroyed = false;
  write(chunk: Buffer): boolean {
    this.written.push(Buffer.from(chunk));
    return true;
  }
  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    setImmediate(() => this.emit('close'));
  }
}

const GET: RequestDecl = { name: 'get', method: 'GET', path: '/x', headers: { 'X-Test': 'yes', Connection: 'keep-alive' }, body: undefined, weight: 1, vars: {} };

interface Frame {
  type: number;
  flags: number;
  streamId: number;
  payload: Buffer;
}

/** A connection driven by the test: requests are numbered by their startMs (1, 2, ...), stream 2n-1. */
class Harness implements ConnectionEvents {
  readonly socket = new FakeSocket();
  readonly conn: H2Connection;
  outcomes: string[] = [];
  closedWith: boolean[] = [];
  readyCount = 0;
  private sent = 0;
  private callbacks!: DialCallbacks;

  constructor(
    private readonly toSend: number,
    streams = toSend,
    request: RequestDecl = GET,
  ) {
    const dialer = {
      target: { host: '127.0.0.1', addresses: ['127.0.0.1'], port: 8080, tls: undefined },
      dial: (callbacks: DialCallbacks) => {
        this.callbacks = callbacks;
        return this.socket;
      },
    } as unknown as Dialer;
    this.conn = new H2Connection(dialer, streams, this, compileMix([request], [{ requestIndex: 0, weight: 1 }], '127.0.0.1:8080', 1));
    this.conn.connect();
    this.callbacks.ready(10, undefined);
  }

  push(...chunks: Buffer[]): void {
    for (const chunk of chunks) this.callbacks.data!(chunk);
  }

  ready(conn: LoadConnection): void {
    this.readyCount++;
    while (this.sent < this.toSend && conn.capacity > 0) conn.send(0, ++this.sent);
  }
  response(_c: LoadConnection, _i: number, startMs: number, r: { status: number; serverTiming: string | undefined }): void {
    this.outcomes.push(`${startMs}: ${r.status}${r.serverTiming ? ` ${r.serverTiming}` : ''}`);
  }
  failure(_c: LoadConnection, _i: number, startMs: number, kind: ErrorKind): void {
    this.outcomes.push(`${startMs}: ${kind}`);
  }
  closed(_c: LoadConnection, connectFailed: boolean): void {
    this.closedWith.push(connectFailed);
  }

  /** Frames the client wrote, after the 24-byte preface. */
  frames(): Frame[] {
    const frames: Frame[] = [];
    new FrameReader({ frame: (type, flags, streamId, buf, start, end) => frames.push({ type, flags, streamId, payload: Buffer.from(buf.subarray(start, end)) }) }, 1 << 24).push(
      Buffer.concat(this.socket.written).subarray(24),
    );
    return frames;
  }
}

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

function frame(type: number, flags: number, streamId: number, payload: Buffer | number[] = []): Buffer {
  const body = Buffer.from(payload);
  const head = Buffer.alloc(9);
  head.writeUIntBE(body.length, 0, 3);
  head[3] = type;
  head[4] = flags;
  head.writeUInt32BE(streamId, 5);
  return Buffer.concat([head, body]);
}

function settings(...pairs: [number, number][]): Buffer {
  const payload = Buffer.alloc(pairs.length * 6);
  pairs.forEach(([id, value], i) => {
    payload.writeUInt16BE(id, i * 6);
    payload.writeUInt32BE(value, i * 6 + 2);
  });
  return frame(FrameType.SETTINGS, 0, 0, payload);
}

function block(...fields: [string, string][]): Buffer {
  const out: number[] = [];
  for (const [name, value] of fields) encodeField(out, name, value);
  return Buffer.from(out);
}

const u32 = (n: number): Buffer => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
};

const OK = block([':status', '200']);
const headers = (streamId: number, payload: Buffer, flags: number = Flag.END_HEADERS | Flag.END_STREAM): Buffer => frame(FrameType.HEADERS, flags, streamId, payload);
const data = (streamId: number, payload: string, flags: number = Flag.END_STREAM): Buffer => frame(FrameType.DATA, flags, streamId, Buffer.from(payload));
const goaway = (last: number, code = 0): Buffer => frame(FrameType.GOAWAY, 0, 0, Buffer.concat([u32(last), u32(code)]));

describe('H2Connection: handshake and requests', () => {
  it("opens with the preface, SETTINGS and a connection WINDOW_UPDATE; ready only after the server's SETTINGS, which it ACKs", async () => {
    const h = new Harness(0);
    await tick();
    expect(Buffer.concat(h.socket.written).subarray(0, 24).toString('latin1')).toBe('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n');
    const [s, w] = h.frames();
    expect(s!.type).toBe(FrameType.SETTINGS);
    expect([s!.payload.readUInt16BE(0), s!.payload.readUInt32BE(2), s!.payload.readUInt16BE(6), s!.payload.readUInt32BE(8)]).toEqual([
      Setting.ENABLE_PUSH,
      0,
      Setting.INITIAL_WINDOW_SIZE,
      2 ** 31 - 1,
    ]);
    expect(w!.type).toBe(FrameType.WINDOW_UPDATE);
    expect(w!.payload.readUInt32BE(0)).toBe(2 ** 31 - 1 - 65_535);
    expect(h.readyCount).toBe(0);
    expect(h.conn.capacity).toBe(0);
    h.push(settings());
    await tick();
    expect(h.readyCount).toBe(1);
    expect(h.frames()[2]).toMatchObject({ type: FrameType.SETTINGS, flags: Flag.ACK, streamId: 0 });
  });

  it('sends each request as one HEADERS frame on odd, increasing streams, its block in lower case without connection headers', async () => {
    const h = new Harness(3);
    h.push(settings());
    await tick();
    const sent = h.frames().filter((f) => f.type === FrameType.HEADERS);
    expect(sent.map((f) => f.streamId)).toEqual([1, 3, 5]);
    expect(sent.every((f) => f.flags === (Flag.END_HEADERS | Flag.END_STREAM))).toBe(true);
    const fields: [string, string][] = [];
    new HpackDecoder().decode(sent[0]!.payload, 0, sent[0]!.payload.length, { field: (n, v) => fields.push([n, v]) });
    expect(fields).toEqual([
      [':method', 'GET'],
      [':scheme', 'http'],
      [':authority', '127.0.0.1:8080'],
      [':path', '/x'],
      ['x-test', 'yes'],
    ]);
    // The preface, the SETTINGS ACK and the three requests, all queued in the same turn, leave in one write.
    expect(h.socket.written).toHaveLength(1);
  });

  it('respects the server\'s MAX_CONCURRENT_STREAMS below `streams`', async () => {
    const h = new Harness(10, 10);
    h.push(settings([Setting.MAX_CONCURRENT_STREAMS, 2]));
    await tick();
    expect(h.conn.inFlight).toBe(2);
    expect(h.conn.capacity).toBe(0);
  });

  it('answers PING with a PING ACK carrying the same payload', async () => {
    const h = new Harness(0);
    h.push(settings(), frame(FrameType.PING, 0, 0, [1, 2, 3, 4, 5, 6, 7, 8]), frame(FrameType.PING, Flag.ACK, 0, [9, 9, 9, 9, 9, 9, 9, 9]));
    await tick();
    const pings = h.frames().filter((f) => f.type === FrameType.PING);
    expect(pings).toEqual([{ type: FrameType.PING, flags: Flag.ACK, streamId: 0, payload: Buffer.from([1, 2, 3, 4, 5, 6, 7, 8]) }]);
  });

  it('sends a request body as the windows allow, and the rest after WINDOW_UPDATE', async () => {
    const body = Buffer.alloc(100_000, 7);
    const h = new Harness(1, 1, { ...GET, method: 'POST', body });
    h.push(settings());
    await tick();
    const sentBytes = (): number => h.frames().filter((f) => f.type === FrameType.DATA).reduce((n, f) => n + f.payload.length, 0);
    expect(h.frames().find((f) => f.type === FrameType.HEADERS)!.flags).toBe(Flag.END_HEADERS);
    expect(sentBytes()).toBe(65_535);
    h.push(frame(FrameType.WINDOW_UPDATE, 0, 0, u32(50_000)));
    await tick();
    // The stream's own window is still used up.
    expect(sentBytes()).toBe(65_535);
    h.push(frame(FrameType.WINDOW_UPDATE, 0, 1, u32(50_000)));
    await tick();
    const dataFrames = h.frames().filter((f) => f.type === FrameType.DATA);
    expect(sentBytes()).toBe(100_000);
    expect(dataFrames.every((f) => f.payload.length <= 16_384)).toBe(true);
    expect(dataFrames.at(-1)!.flags).toBe(Flag.END_STREAM);
  });
});

describe('H2Connection: responses', () => {
  // Stream 1: padded HEADERS with priority fields, continued by CONTINUATION, a PING, padded DATA, then DATA
  // ending it. Stream 3: a 103 first, then headers and body, then a trailer with END_STREAM.
  const padded = (flagsExtra: number, type: number, streamId: number, content: Buffer, pad: number, prefix: Buffer = Buffer.alloc(0)): Buffer =>
    frame(type, Flag.PADDED | flagsExtra, streamId, Buffer.concat([Buffer.from([pad]), prefix, content, Buffer.alloc(pad)]));
  const first = block([':status', '200'], ['server-timing', 'app;dur=1.5'], ['content-type', 'application/json']);
  const SCRIPT = Buffer.concat([
    settings([Setting.MAX_CONCURRENT_STREAMS, 100]),
    padded(Flag.PRIORITY, FrameType.HEADERS, 1, first.subarray(0, 3), 4, Buffer.from([0, 0, 0, 0, 16])),
    frame(FrameType.CONTINUATION, 0, 1, first.subarray(3, 8)),
    frame(FrameType.CONTINUATION, Flag.END_HEADERS, 1, first.subarray(8)),
    frame(FrameType.PING, 0, 0, [0, 0, 0, 0, 0, 0, 0, 1]),
    padded(0, FrameType.DATA, 1, Buffer.from('{"a":'), 3),
    headers(3, block([':status', '103'], ['link', '</a>']), Flag.END_HEADERS),
    data(1, '1}'),
    headers(3, block([':status', '404'], ['server-timing', 'a;dur=1'], ['server-timing', 'b;dur=2']), Flag.END_HEADERS),
    data(3, 'nope', 0),
    frame(0x20, 0, 0, [1, 2, 3]),
    headers(3, block(['server-timing', 'trailer;dur=9'])),
  ]);
  const EXPECTED = ['1: 200 app;dur=1.5', '2: 404 a;dur=1, b;dur=2'];

  it('reads statuses and Server-Timing through CONTINUATION, padding, 1xx, trailers and unknown frames', () => {
    const h = new Harness(2);
    h.push(SCRIPT);
    expect(h.outcomes).toEqual(EXPECTED);
    expect(h.conn.inFlight).toBe(0);
  });

  it('gives the same outcomes with the bytes split at every boundary', () => {
    for (let at = 0; at <= SCRIPT.length; at++) {
      const h = new Harness(2);
      h.push(SCRIPT.subarray(0, at), SCRIPT.subarray(at));
      expect(h.outcomes, `split at ${at}`).toEqual(EXPECTED);
    }
  });

  it('gives the same outcomes one byte at a time', () => {
    const h = new Harness(2);
    for (let i = 0; i < SCRIPT.length; i++) h.push(SCRIPT.subarray(i, i + 1));
    expect(h.outcomes).toEqual(EXPECTED);
  });

  it('follows the server\'s dynamic table and Huffman strings across responses (RFC 7541 C.6)', () => {
    const h = new Harness(3);
    const c6 = [
      '488264025885aec3771a4b6196d07abe941054d444a8200595040b8166e082a62d1bff6e919d29ad171863c78f0b97c8e9ae82ae43d3',
      '4883640effc1c0bf',
      '88c16196d07abe941054d444a8200595040b8166e084a62d1bff c05a839bd9ab77ad94e7821dd7f2e6c7b335dfdfcd5b3960d5af27087f3672c1ab270fb5291f9587316065c003ed4ee5b1063d5007',
    ];
    h.push(settings([Setting.HEADER_TABLE_SIZE, 4096]), ...c6.map((hexBlock, i) => headers(2 * i + 1, Buffer.from(hexBlock.replace(/\s/g, ''), 'hex'))));
    expect(h.outcomes).toEqual(['1: 302', '2: 307', '3: 200']);
  });
});

describe('H2Connection: resets and GOAWAY', () => {
  it('counts RST_STREAM with an error code as rst_stream, with NO_ERROR as reset; the other streams carry on', () => {
    const h = new Harness(3);
    h.push(settings(), frame(FrameType.RST_STREAM, 0, 3, u32(8)), headers(1, OK), frame(FrameType.RST_STREAM, 0, 5, u32(0)), data(3, 'late'));
    expect(h.outcomes).toEqual(['2: rst_stream', '1: 200', '3: reset']);
    expect(h.socket.destroyed).toBe(false);
  });

  it('fails the streams above GOAWAY\'s last stream id as goaway at once, finishes the others, then closes for a reconnect', async () => {
    const h = new Harness(3);
    h.push(settings(), goaway(1));
    expect(h.outcomes).toEqual(['2: goaway', '3: goaway']);
    expect(h.conn.capacity).toBe(0);
    expect(h.socket.destroyed).toBe(false);
    h.push(headers(1, OK));
    expect(h.outcomes).toEqual(['2: goaway', '3: goaway', '1: 200']);
    expect(h.socket.destroyed).toBe(true);
    await tick();
    expect(h.closedWith).toEqual([false]);
  });

  it('fails what is still in flight as goaway when the server closes after GOAWAY', async () => {
    const h = new Harness(2);
    h.push(settings(), goaway(3, ErrorCode.PROTOCOL_ERROR));
    h.socket.destroy();
    await tick();
    expect(h.outcomes).toEqual(['1: goaway', '2: goaway']);
    expect(h.closedWith).toEqual([false]);
  });

  it('fails what is in flight as reset when the connection drops without GOAWAY', async () => {
    const h = new Harness(2);
    h.push(settings(), headers(1, OK));
    h.socket.destroy();
    await tick();
    expect(h.outcomes).toEqual(['1: 200', '2: reset']);
  });
});

describe('H2Connection: malformed frames fail the connection as protocol errors', () => {
  const cases: [string, Buffer[], number][] = [
    ['a preface that is not SETTINGS', [headers(1, OK)], ErrorCode.PROTOCOL_ERROR],
    ['DATA on stream 0', [settings(), data(0, 'x')], ErrorCode.PROTOCOL_ERROR],
    ['a frame above 16,384 bytes', [settings(), data(1, 'x'.repeat(16_385))], ErrorCode.FRAME_SIZE_ERROR],
    ['HEADERS on a stream never opened', [settings(), headers(7, OK)], ErrorCode.PROTOCOL_ERROR],
    ['HEADERS on an even stream', [settings(), headers(2, OK)], ErrorCode.PROTOCOL_ERROR],
    ['a Huffman string with EOS', [settings(), headers(1, Buffer.from([0x88, 0x0f, 0x28, 0x85, 0xff, 0xff, 0xff, 0xff, 0xff]))], ErrorCode.COMPRESSION_ERROR],
    ['a header index beyond the tables', [settings(), headers(1, Buffer.from([0xff, 0x10]))], ErrorCode.COMPRESSION_ERROR],
    ['CONTINUATION interrupted by DATA', [settings(), headers(1, OK, 0), data(1, 'x')], ErrorCode.PROTOCOL_ERROR],
    ['CONTINUATION on another stream', [settings(), headers(1, OK, 0), frame(FrameType.CONTINUATION, Flag.END_HEADERS, 3, OK)], ErrorCode.PROTOCOL_ERROR],
    ['CONTINUATION without HEADERS', [settings(), frame(FrameType.CONTINUATION, Flag.END_HEADERS, 1, OK)], ErrorCode.PROTOCOL_ERROR],
    ['SETTINGS of 5 bytes', [settings(), frame(FrameType.SETTINGS, 0, 0, [0, 3, 0, 0, 1])], ErrorCode.FRAME_SIZE_ERROR],
    ['SETTINGS ACK with a payload', [settings(), frame(FrameType.SETTINGS, Flag.ACK, 0, [0, 3, 0, 0, 0, 1])], ErrorCode.FRAME_SIZE_ERROR],
    ['an initial window above 2^31-1', [settings([Setting.INITIAL_WINDOW_SIZE, 2 ** 31])], ErrorCode.FLOW_CONTROL_ERROR],
    ['PUSH_PROMISE', [settings(), frame(FrameType.PUSH_PROMISE, Flag.END_HEADERS, 1, Buffer.concat([u32(2), OK]))], ErrorCode.PROTOCOL_ERROR],
    ['WINDOW_UPDATE of 0', [settings(), frame(FrameType.WINDOW_UPDATE, 0, 0, u32(0))], ErrorCode.PROTOCOL_ERROR],
    ['a connection window above 2^31-1', [settings(), frame(FrameType.WINDOW_UPDATE, 0, 0, u32(2 ** 31 - 1))], ErrorCode.FLOW_CONTROL_ERROR],
    ['PING of 7 bytes', [settings(), frame(FrameType.PING, 0, 0, [1, 2, 3, 4, 5, 6, 7])], ErrorCode.FRAME_SIZE_ERROR],
    ['RST_STREAM of 3 bytes', [settings(), frame(FrameType.RST_STREAM, 0, 1, [0, 0, 8])], ErrorCode.FRAME_SIZE_ERROR],
    ['padding longer than the frame', [settings(), frame(FrameType.DATA, Flag.PADDED | Flag.END_STREAM, 1, [5, 1, 2])], ErrorCode.PROTOCOL_ERROR],
    ['DATA before response headers', [settings(), data(1, 'x')], ErrorCode.PROTOCOL_ERROR],
    ['response headers without :status', [settings(), headers(1, block(['content-type', 'text/plain']))], ErrorCode.PROTOCOL_ERROR],
    ['a malformed :status', [settings(), headers(1, block([':status', '20x']))], ErrorCode.PROTOCOL_ERROR],
    ['GOAWAY of 7 bytes', [settings(), frame(FrameType.GOAWAY, 0, 0, [0, 0, 0, 1, 0, 0, 0])], ErrorCode.FRAME_SIZE_ERROR],
  ];

  it.each(cases)('%s', async (_name, chunks, code) => {
    const h = new Harness(2);
    h.push(...chunks);
    expect(h.outcomes).toEqual(h.readyCount ? ['1: protocol', '2: protocol'] : []);
    expect(h.socket.destroyed).toBe(true);
    const last = h.frames().at(-1)!;
    expect(last.type).toBe(FrameType.GOAWAY);
    expect(last.payload.readUInt32BE(4)).toBe(code);
    await tick();
    expect(h.closedWith).toHaveLength(1);
  });
});
