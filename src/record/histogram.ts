/** The one histogram shape hopscope records latency in: microseconds, 1 us to 10 min, 3 significant digits. */

import * as hdr from 'hdr-histogram-js';

export type Histogram = hdr.Histogram;
/** newHistogram builds the JavaScript implementation, which also offers the bucket arithmetic. */
type JsHistogram = hdr.JsHistogram;

export const LOWEST_US = 1;
export const HIGHEST_US = 600_000_000;

export function newHistogram(): Histogram {
  return hdr.build({
    lowestDiscernibleValue: LOWEST_US,
    highestTrackableValue: HIGHEST_US,
    numberOfSignificantValueDigits: 3,
    bitBucketSize: 32,
  });
}

/**
 * Records a latency, rounding to whole microseconds. Values below 1 us are recorded as 1 us (never 0: a
 * sub-microsecond loopback answer is still an answer) and values past the range as the highest value,
 * so an absurd latency is clipped, not lost with an exception on the hot path.
 */
export function recordUs(histogram: Histogram, latencyUs: number): void {
  const v = latencyUs < LOWEST_US ? LOWEST_US : latencyUs > HIGHEST_US ? HIGHEST_US : Math.round(latencyUs);
  histogram.recordValue(v);
}

/**
 * The smallest latency that falls in the same bucket as the value at `percentile`: percentiles are reported
 * as the bucket's highest equivalent value, so selecting raw samples "at or above p99" must start here.
 */
export function percentileFloorUs(histogram: Histogram, percentile: number): number {
  return (histogram as unknown as JsHistogram).lowestEquivalentValue(histogram.getValueAtPercentile(percentile));
}

export function encodeHistogram(histogram: Histogram): string {
  return hdr.encodeIntoCompressedBase64(histogram);
}

export function decodeHistogram(base64: string): Histogram {
  const decoded = hdr.decodeFromCompressedBase64(base64, 32);
  // Decoded histograms get the library's default range; re-home the counts in hopscope's shape.
  const h = newHistogram();
  h.add(decoded);
  decoded.destroy();
  return h;
}

/**
 * A histogram in a form that survives postMessage (worker threads) and merges exactly: the compressed
 * counts, plus the true extremes, which the compressed form rounds to the edges of their buckets.
 */
export interface PackedHistogram {
  encoded: string;
  minUs: number;
  maxUs: number;
}

export function packHistogram(h: Histogram): PackedHistogram {
  return { encoded: encodeHistogram(h), minUs: h.minNonZeroValue, maxUs: h.maxValue };
}

/** The inverse of packHistogram: same counts, same min and max, so `add`ing it equals having recorded its values. */
export function unpackHistogram(packed: PackedHistogram): Histogram {
  const h = decodeHistogram(packed.encoded) as unknown as JsHistogram;
  h.minNonZeroValue = packed.minUs;
  h.maxValue = packed.maxUs;
  return h as unknown as Histogram;
}

export interface Percentiles {
  count: number;
  minUs: number;
  meanUs: number;
  p50Us: number;
  p90Us: number;
  p99Us: number;
  p999Us: number;
  p9999Us: number;
  maxUs: number;
}

export function percentiles(h: Histogram): Percentiles {
  const empty = h.totalCount === 0;
  return {
    count: h.totalCount,
    minUs: empty ? 0 : h.minNonZeroValue,
    meanUs: empty ? 0 : Math.round(h.mean * 10) / 10,
    p50Us: h.getValueAtPercentile(50),
    p90Us: h.getValueAtPercentile(90),
    p99Us: h.getValueAtPercentile(99),
    p999Us: h.getValueAtPercentile(99.9),
    p9999Us: h.getValueAtPercentile(99.99),
    maxUs: h.maxValue,
  };
}
