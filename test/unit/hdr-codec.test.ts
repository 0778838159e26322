import * as hdr from 'hdr-histogram-js';
import { deflateSync, inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { decodeCompressedBase64, encodeCompressedBase64, HdrDecodeError } from '../../src/record/hdr-codec.js';
import { decodeHistogram, encodeHistogram, newHistogram, recordUs } from '../../src/record/histogram.js';
import { seededRandom } from '../../src/load/random.js';

/** Every recorded value and its count, as the library iterates them. */
function valuesOf(h: hdr.Histogram): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  const it = (h as hdr.JsHistogram).recordedValuesIterator;
  it.reset();
  while (it.hasNext()) {
    const v = it.next();
    out.push([v.valueIteratedTo, v.countAtValueIteratedTo]);
  }
  return out;
}

/** A compressed encoding's cookie and inflated payload: what every reader decodes, however it was deflated. */
function payloadOf(base64: string): [number, Buffer] {
  const framed = Buffer.from(base64, 'base64');
  return [framed.readInt32BE(0), inflateSync(framed.subarray(8, 8 + framed.readInt32BE(4)))];
}

function shaped(lowest: number, highest: number, digits: number, values: Array<[number, number]>): hdr.Histogram {
  const h = hdr.build({ bitBucketSize: 32, lowestDiscernibleValue: lowest, highestTrackableValue: highest, numberOfSignificantValueDigits: digits as 3, useWebAssembly: false });
  for (const [value, count] of values) h.recordValueWithCount(value, count);
  return h;
}

function randomValues(seed: number, n: number, top: number): Array<[number, number]> {
  const random = seededRandom(seed);
  return Array.from({ length: n }, () => [Math.max(1, Math.round(random() ** 3 * top)), 1 + Math.floor(random() * 5)] as [number, number]);
}

describe('the HdrHistogram V2 codec', () => {
  const cases: Array<[string, () => hdr.Histogram]> = [
    ['an empty histogram', () => newHistogram()],
    ['one value', () => shaped(1, 600_000_000, 3, [[57, 1]])],
    ['latencies with a tail', () => shaped(1, 600_000_000, 3, randomValues(1, 20_000, 2_000_000))],
    ['counts near 2^32 and long zero runs', () => shaped(1, 600_000_000, 3, [[1, 4_294_967_295], [3, 300_000_000], [599_000_000, 2 ** 28 + 5]])],
    ['a Java-like shape: 1 ms lowest, 2 digits, an hour', () => shaped(1000, 3_600_000_000, 2, randomValues(2, 5_000, 3_000_000_000))],
    ['5 significant digits', () => shaped(1, 10_000_000, 5, randomValues(3, 5_000, 9_000_000))],
  ];

  for (const [name, make] of cases) {
    it(`writes what hdr-histogram-js writes (stored, not deflated), and reads what it reads: ${name}`, () => {
      const h = make();
      const ours = encodeHistogram(h);
      expect(payloadOf(ours)).toEqual(payloadOf(hdr.encodeIntoCompressedBase64(h)));
      expect(decodeHistogram(hdr.encodeIntoCompressedBase64(h)).totalCount).toBe(h.totalCount);
      // decodeHistogram re-homes the counts in hopscope's shape, as adding the library's decoding into one does.
      const back = decodeHistogram(ours);
      const viaLibrary = newHistogram();
      viaLibrary.add(hdr.decodeFromCompressedBase64(ours, 32));
      expect(valuesOf(back)).toEqual(valuesOf(viaLibrary));
      expect(back.totalCount).toBe(h.totalCount);
    });
  }

  it('stores a payload longer than one stored block (64 KB) as several, which zlib and the library inflate', () => {
    const counts = Array.from({ length: 40_000 }, (_, i) => 2 ** 30 + i);
    const encoded = encodeCompressedBase64({ significantDigits: 3, lowest: 1, highest: 2 ** 62, counts, length: counts.length });
    const [, payload] = payloadOf(encoded);
    expect(payload.length).toBeGreaterThan(3 * 65_535);
    const decoded = decodeCompressedBase64(encoded);
    expect(decoded.counts).toEqual(counts);
    expect(decoded.indexes).toEqual(counts.map((_, i) => i));
    expect(hdr.decodeFromCompressedBase64(encoded, 32).totalCount).toBe(counts.reduce((sum, c) => sum + c, 0));
  });

  it('reads back numbers of every LEB128 length, the 9-byte form included, and zero runs of any length', () => {
    const counts = [0, 1, 127, 128, 16_383, 16_384, 2 ** 21, 2 ** 28, 2 ** 35 + 3, 2 ** 42 + 1, 2 ** 49 + 7, 2 ** 53 - 1];
    const spaced: number[] = [];
    const expected: Array<[number, number]> = [];
    for (const [i, c] of counts.entries()) {
      if (c > 0) expected.push([spaced.length, c]);
      spaced.push(c);
      for (let z = 0; z < [0, 1, 2, 63, 64, 100_000][i % 6]!; z++) spaced.push(0);
    }
    spaced.push(9);
    expected.push([spaced.length - 1, 9]);
    const decoded = decodeCompressedBase64(encodeCompressedBase64({ significantDigits: 3, lowest: 1, highest: 2 ** 40, counts: spaced, length: spaced.length }));
    expect(decoded.indexes.map((index, k) => [index, decoded.counts[k]])).toEqual(expected);
    expect([decoded.significantDigits, decoded.lowest, decoded.highest]).toEqual([3, 1, 2 ** 40]);
  });

  it('refuses damaged input with a HdrDecodeError that says what is wrong', () => {
    const good = Buffer.from(encodeHistogram(shaped(1, 1_000_000, 3, [[10, 1]])), 'base64');
    const cut = Buffer.from(good);
    cut.writeInt32BE(cut.readInt32BE(4) + 40, 4);
    const payload = (length: number) => {
      const bytes = Buffer.alloc(41);
      bytes.writeInt32BE(0x1c849313, 0);
      bytes.writeInt32BE(length, 4);
      bytes.writeInt32BE(3, 12);
      bytes.writeUint32BE(1, 20);
      bytes.writeUint32BE(1000, 28);
      bytes[40] = 0x80; // a number whose next byte never comes
      const deflated = deflateSync(bytes);
      const framed = Buffer.alloc(8 + deflated.length);
      framed.writeInt32BE(0x1c849314, 0);
      framed.writeInt32BE(deflated.length, 4);
      deflated.copy(framed, 8);
      return framed.toString('base64');
    };
    for (const [input, message] of [
      ['not base64 at all', /not a compressed HdrHistogram/],
      [Buffer.from('HISTFAAAAB54nJNpmSzMwMDAwAAAAP//').toString('base64'), /not a compressed HdrHistogram/],
      [Buffer.concat([good.subarray(0, 8), Buffer.from('garbage!')]).toString('base64'), /deflated data is damaged/],
      [payload(1), /cut short/],
      [payload(100), /cut short/],
    ] as const) {
      expect(() => decodeCompressedBase64(input)).toThrow(HdrDecodeError);
      expect(() => decodeCompressedBase64(input)).toThrow(message);
    }
    // A count at an index past the histogram's own highest value: its shape cannot hold it.
    const past = encodeCompressedBase64({ significantDigits: 3, lowest: 1, highest: 2048, counts: [...new Array(50_000).fill(0), 1], length: 50_001 });
    expect(() => decodeHistogram(past)).toThrow(/past its own highest value/);
    const impossible = encodeCompressedBase64({ significantDigits: 9, lowest: 1, highest: 2048, counts: [1], length: 1 });
    expect(() => decodeHistogram(impossible)).toThrow(HdrDecodeError);
  });

  it('records, encodes and decodes as many values as a run does without losing one', () => {
    const h = newHistogram();
    const random = seededRandom(4);
    for (let i = 0; i < 100_000; i++) recordUs(h, random() < 0.99 ? 30 + random() * 300 : 10_000 + random() * 1e6);
    const back = decodeHistogram(encodeHistogram(h));
    expect(valuesOf(back)).toEqual(valuesOf(h));
  });
});
