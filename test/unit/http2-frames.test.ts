/**
 * The frame reader and writer alone: frames read back whole however the bytes are split, and a header
 * block beyond the peer's frame size leaves as HEADERS plus CONTINUATION frames.
 */

import { describe, expect, it } from 'vitest';
import { Http2Error } from '../../src/load/http2/errors.js';
import { Flag, FrameReader, FrameType, FrameWriter } from '../../src/load/http2/frames.js';

function read(chunks: Buffer[], maxFrameSize?: number): string[] {
  const out: string[] = [];
  const reader = new FrameReader({ frame: (type, flags, streamId, buf, start, end) => out.push(`${type}/${flags}/${streamId}/${buf.subarray(start, end).toString('hex')}`) }, maxFrameSize);
  for (const chunk of chunks) reader.push(Buffer.from(chunk));
  return out;
}

describe('FrameReader and FrameWriter', () => {
  const writer = new FrameWriter();
  writer.settingsAck();
  writer.windowUpdate(3, 1000);
  writer.headers(5, Buffer.from('0123456789'), true, 4);
  writer.data(5, Buffer.from('body'), 0, 4, true);
  writer.goaway(7, 2);
  const bytes = Buffer.from(writer.take());
  const expected = [
    `${FrameType.SETTINGS}/${Flag.ACK}/0/`,
    `${FrameType.WINDOW_UPDATE}/0/3/000003e8`,
    `${FrameType.HEADERS}/${Flag.END_STREAM}/5/${Buffer.from('0123').toString('hex')}`,
    `${FrameType.CONTINUATION}/0/5/${Buffer.from('4567').toString('hex')}`,
    `${FrameType.CONTINUATION}/${Flag.END_HEADERS}/5/${Buffer.from('89').toString('hex')}`,
    `${FrameType.DATA}/${Flag.END_STREAM}/5/${Buffer.from('body').toString('hex')}`,
    `${FrameType.GOAWAY}/0/0/0000000700000002`,
  ];

  it('reads back what the writer wrote, a header block split into HEADERS and CONTINUATIONs', () => {
    expect(read([bytes])).toEqual(expected);
    expect(writer.empty).toBe(true);
  });

  it('reads the same frames with the bytes split at every boundary, and one byte at a time', () => {
    for (let at = 0; at <= bytes.length; at++) expect(read([bytes.subarray(0, at), bytes.subarray(at)])).toEqual(expected);
    expect(read([...bytes].map((b) => Buffer.from([b])))).toEqual(expected);
  });

  it('ignores the reserved bit of the stream id', () => {
    expect(read([Buffer.from([0, 0, 0, FrameType.DATA, 0, 0x80, 0, 0, 1])])).toEqual([`${FrameType.DATA}/0/1/`]);
  });

  it('refuses a frame above the frame size limit as soon as its header arrives', () => {
    expect(() => read([Buffer.from([0, 0x40, 1, FrameType.DATA, 0, 0, 0, 0, 1])])).toThrow(Http2Error);
    expect(read([Buffer.from([0, 0x40, 1, FrameType.DATA, 0, 0, 0, 0, 1])], 1 << 24)).toEqual([]);
  });

  it('keeps every payload intact when a frame outgrows the slab (the slab moves under the copy)', () => {
    const w = new FrameWriter();
    const body = Buffer.alloc(10_000, 'v');
    for (let i = 0; i < 3; i++) w.data(2 * i + 1, body, 0, body.length, true);
    w.headers(7, Buffer.alloc(40_000, 'h'), true, 50_000);
    const payloads = read([w.take()], 1 << 24).map((f) => Buffer.from(f.split('/')[3]!, 'hex'));
    expect(payloads.map((p) => p.length)).toEqual([10_000, 10_000, 10_000, 40_000]);
    expect(payloads.slice(0, 3).every((p) => p.equals(body))).toBe(true);
    expect(payloads[3]!.every((b) => b === 'h'.charCodeAt(0))).toBe(true);
  });
});
