import * as hdr from 'hdr-histogram-js';
import { describe, expect, it } from 'vitest';
import { spectrumOf } from '../../src/analyze/spectrum.js';
import { addHistogram, addPackedHistogram, decodeHistogram, distributionText, encodeHistogram, newHistogram, packHistogram, percentiles, recordUs, unpackHistogram } from '../../src/record/histogram.js';
import { seededRandom } from '../../src/load/random.js';

/** Latencies with a body, a tail and a stall, as a load run records them. */
function recorded(seed: number, n: number) {
  const random = seededRandom(seed);
  const h = newHistogram();
  for (let i = 0; i < n; i++) {
    const r = random();
    recordUs(h, r < 0.98 ? 50 + r * 400 : r < 0.999 ? 2_000 + r * 30_000 : 900_000 + r * 100_000);
  }
  return h;
}

/** spectrumOf as it was: outputPercentileDistribution's text read back. */
function spectrumFromText(h: hdr.Histogram) {
  const points = [];
  for (const line of h.outputPercentileDistribution(5, 1).split('\n')) {
    const cols = line.trim().split(/\s+/);
    if (cols.length < 3 || !/^\d/.test(cols[0]!)) continue;
    points.push({ percentile: Number(cols[1]) * 100, valueUs: Number(cols[0]) });
  }
  return points;
}

describe('histogram fast paths agree with hdr-histogram-js', () => {
  for (const [seed, n] of [[1, 1], [2, 37], [3, 10_000], [4, 200_000]] as const) {
    it(`percentiles, mean and spectrum, ${n} values`, () => {
      const h = recorded(seed, n);
      const p = percentiles(h);
      expect(p.meanUs).toBe(Math.round(h.mean * 10) / 10);
      expect([p.p50Us, p.p90Us, p.p99Us, p.p999Us, p.p9999Us]).toEqual([50, 90, 99, 99.9, 99.99].map((level) => h.getValueAtPercentile(level)));
      expect([p.count, p.minUs, p.maxUs]).toEqual([h.totalCount, h.minNonZeroValue, h.maxValue]);
      const spectrum = spectrumOf(h);
      expect(spectrum.length).toBeGreaterThan(0);
      expect(spectrum).toEqual(spectrumFromText(h));
    });

    it(`.hgrm text, ${n} values, in milliseconds and in microseconds`, () => {
      const h = recorded(seed, n);
      expect(distributionText(h, 5, 1000)).toBe(h.outputPercentileDistribution(5, 1000));
      expect(distributionText(h, 2, 1)).toBe(h.outputPercentileDistribution(2, 1));
    });
  }

  it('percentiles where a level falls exactly on a count, and of an empty histogram', () => {
    for (const n of [2, 10, 100, 1_000, 10_000, 100_000]) {
      const h = newHistogram();
      for (let i = 1; i <= n; i++) recordUs(h, i);
      const p = percentiles(h);
      expect([p.p50Us, p.p90Us, p.p99Us, p.p999Us, p.p9999Us]).toEqual([50, 90, 99, 99.9, 99.99].map((level) => h.getValueAtPercentile(level)));
    }
    expect(percentiles(newHistogram())).toEqual({ count: 0, minUs: 0, meanUs: 0, p50Us: 0, p90Us: 0, p99Us: 0, p999Us: 0, p9999Us: 0, maxUs: 0 });
  });

  it('.hgrm text of an empty histogram', () => {
    const h = newHistogram();
    expect(distributionText(h, 5, 1000)).toBe(h.outputPercentileDistribution(5, 1000));
  });

  it('encodes what the library decodes to the same histogram', () => {
    const h = recorded(5, 5_000);
    const encoded = encodeHistogram(h);
    const viaLibrary = hdr.decodeFromCompressedBase64(encoded, 32);
    const ours = decodeHistogram(encoded);
    expect(ours.totalCount).toBe(viaLibrary.totalCount);
    for (const p of [50, 99, 99.9, 100]) expect(ours.getValueAtPercentile(p)).toBe(viaLibrary.getValueAtPercentile(p));
  });

  for (const [name, a, b] of [
    ['two recordings', recorded(6, 3_000), recorded(7, 500)],
    ['into an empty one', newHistogram(), recorded(8, 2_000)],
    ['an empty one', recorded(9, 2_000), newHistogram()],
    ['values across the whole range', recorded(10, 100), wide()],
  ] as const) {
    it(`adds as the library does: ${name}`, () => {
      const ours = newHistogram();
      const theirs = newHistogram();
      addHistogram(ours, a);
      theirs.add(a);
      addHistogram(ours, b);
      theirs.add(b);
      expect(ours.totalCount).toBe(theirs.totalCount);
      expect(ours.maxValue).toBe(theirs.maxValue);
      expect(ours.minNonZeroValue).toBe(theirs.minNonZeroValue);
      expect(encodeHistogram(ours)).toBe(encodeHistogram(theirs));
    });
  }

  it('records as the library does: every bucket edge, sub-microsecond, fractional and clipped values', () => {
    const values = [0.2, 1, 1.4, 2, 1023, 1024, 2047, 2048, 2049, 4095, 4096, 4097, 65_535, 1_000_000, 599_999_999, 600_000_000, 7e9];
    const random = seededRandom(12);
    for (let i = 0; i < 5_000; i++) values.push(random() ** 4 * 2e8);
    const ours = newHistogram();
    const theirs = newHistogram();
    for (const v of values) {
      recordUs(ours, v);
      theirs.recordValue(Math.min(600_000_000, Math.max(1, Math.round(v))));
    }
    expect(ours.totalCount).toBe(theirs.totalCount);
    expect([ours.minNonZeroValue, ours.maxValue]).toEqual([theirs.minNonZeroValue, theirs.maxValue]);
    expect(encodeHistogram(ours)).toBe(encodeHistogram(theirs));
  });

  it('packs an empty histogram to what unpacks as empty, and a full one exactly', () => {
    expect(unpackHistogram(packHistogram(newHistogram())).totalCount).toBe(0);
    const h = recorded(11, 1_000);
    const back = unpackHistogram(packHistogram(h));
    expect(encodeHistogram(back)).toBe(encodeHistogram(h));
    expect([back.minNonZeroValue, back.maxValue]).toEqual([h.minNonZeroValue, h.maxValue]);
  });

  it('resets to empty: the buckets between the extremes are cleared, so what is recorded next encodes alone', () => {
    const h = recorded(15, 20_000);
    h.reset();
    expect([h.totalCount, h.maxValue, h.minNonZeroValue]).toEqual([0, 0, Number.MAX_SAFE_INTEGER]);
    expect(encodeHistogram(h)).toBe(encodeHistogram(newHistogram()));
    const again = recorded(16, 3_000);
    addHistogram(h, again);
    expect(encodeHistogram(h)).toBe(encodeHistogram(again));
  });

  it('adds a packed histogram as adding its unpacked histogram does: counts, total and extremes', () => {
    for (const packed of [newHistogram(), recorded(12, 1), recorded(13, 5_000), wide()].map((h) => packHistogram(h))) {
      const direct = recorded(14, 300);
      const unpacked = recorded(14, 300);
      addPackedHistogram(direct, packed);
      addHistogram(unpacked, unpackHistogram(packed));
      expect(encodeHistogram(direct)).toBe(encodeHistogram(unpacked));
      expect([direct.totalCount, direct.minNonZeroValue, direct.maxValue]).toEqual([unpacked.totalCount, unpacked.minNonZeroValue, unpacked.maxValue]);
    }
  });

  it('adds a packed histogram of another shape (2 digits, millisecond units) by re-homing its values', () => {
    const foreign = hdr.build({ lowestDiscernibleValue: 1000, highestTrackableValue: 3_600_000_000, numberOfSignificantValueDigits: 2, useWebAssembly: false });
    for (const v of [1_500, 20_000, 20_000, 999_000]) foreign.recordValue(v);
    const packed = { encoded: hdr.encodeIntoCompressedBase64(foreign), minUs: foreign.minNonZeroValue, maxUs: foreign.maxValue };
    const direct = newHistogram();
    const unpacked = newHistogram();
    addPackedHistogram(direct, packed);
    addHistogram(unpacked, unpackHistogram(packed));
    expect(direct.totalCount).toBe(4);
    expect(encodeHistogram(direct)).toBe(encodeHistogram(unpacked));
  });
});

/** One value at 1 us and one at the top of the range: a counts array as long as it gets. */
function wide() {
  const h = newHistogram();
  recordUs(h, 1);
  recordUs(h, 500_000_000);
  return h;
}
