/** The one histogram shape hopscope records latency in: microseconds, 1 us to 10 min, 3 significant digits. */

import { createRequire } from 'node:module';
import type * as hdr from 'hdr-histogram-js';

export type Histogram = hdr.Histogram;
/** newHistogram builds the JavaScript implementation, which also offers the bucket arithmetic. */
export type JsHistogram = hdr.JsHistogram;

// hdr-histogram-js's index also loads its WebAssembly build (a base64 module inflated at load): about 60 ms
// of every start-up for an implementation hopscope never uses, and start-up is part of the generator's
// measured CPU. Its JavaScript parts are loaded alone; the encoding module adds encode/decode to them.
const require = createRequire(import.meta.url);
const Int32Histogram: new (lowest: number, highest: number, digits: number) => JsHistogram = require('hdr-histogram-js/dist/Int32Histogram').default;
const JsHistogramClass: typeof hdr.JsHistogram = require('hdr-histogram-js/dist/JsHistogram').JsHistogram;
const encoding: { decompress(data: Uint8Array): Uint8Array } = require('hdr-histogram-js/dist/JsHistogram.encoding');
type Codec = { encodeIntoCompressedBase64(): string };
const decodeJs = (JsHistogramClass as unknown as { decode(data: Uint8Array, bitBucketSize: number): JsHistogram }).decode;

export function isJsHistogram(h: Histogram): h is JsHistogram {
  return h instanceof JsHistogramClass;
}

export const LOWEST_US = 1;
export const HIGHEST_US = 600_000_000;

export function newHistogram(): Histogram {
  const h = new Int32Histogram(LOWEST_US, HIGHEST_US, 3);
  h.autoResize = true;
  return h;
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
  return (histogram as unknown as Codec).encodeIntoCompressedBase64();
}

export function decodeHistogram(base64: string): Histogram {
  const decoded = decodeJs(encoding.decompress(Buffer.from(base64.trim(), 'base64')), 32);
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
    meanUs: empty ? 0 : Math.round(meanOf(h) * 10) / 10,
    p50Us: h.getValueAtPercentile(50),
    p90Us: h.getValueAtPercentile(90),
    p99Us: h.getValueAtPercentile(99),
    p999Us: h.getValueAtPercentile(99.9),
    p9999Us: h.getValueAtPercentile(99.99),
    maxUs: h.maxValue,
  };
}

/**
 * hdr-histogram-js's `mean`, summed in the same order (so the same number) over the counts array directly:
 * its iterator allocates and re-derives each bucket, several milliseconds a call at hopscope's 10-minute
 * range, and a run's analysis asks for hundreds of means (per interval, request, hop and phase).
 */
function meanOf(h: Histogram): number {
  const js = h as unknown as JsHistogram & { countsArrayLength: number; getCountAtIndex(i: number): number; valueFromIndex(i: number): number };
  let total = 0;
  let seen = 0;
  for (let i = 0; i < js.countsArrayLength && seen < js.totalCount; i++) {
    const count = js.getCountAtIndex(i);
    if (count === 0) continue;
    seen += count;
    total += js.medianEquivalentValue(js.valueFromIndex(i)) * count;
  }
  return total / js.totalCount;
}
