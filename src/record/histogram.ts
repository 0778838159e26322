/** The one histogram shape hopscope records latency in: microseconds, 1 us to 10 min, 3 significant digits. */

import type * as hdr from 'hdr-histogram-js';
import Int32HistogramFile from 'hdr-histogram-js/dist/Int32Histogram.js';
import { JsHistogram as JsHistogramClass } from 'hdr-histogram-js/dist/JsHistogram.js';
import { fixedAsIntl } from '../units.js';
import { decodeCompressedBase64, encodeCompressedBase64, HdrDecodeError } from './hdr-codec.js';

export type Histogram = hdr.Histogram;
/** newHistogram builds the JavaScript implementation, which also offers the bucket arithmetic. */
export type JsHistogram = hdr.JsHistogram;

// hdr-histogram-js's index also loads its WebAssembly build (a base64 module inflated at load): about 60 ms
// of every start-up for an implementation hopscope never uses, and start-up is part of the generator's
// measured CPU. Its JavaScript classes are loaded alone, and the encoding is hdr-codec.ts's. Imported, not
// required, so that the CLI's bundle carries them, under its code cache (scripts/bundle-cli.mjs).
const Int32Histogram: typeof hdr.Int32Histogram = commonJsDefault(Int32HistogramFile);

/** A CommonJS file's `exports.default`: Node imports the exports object as the default, vitest (by __esModule) the `default` itself. */
function commonJsDefault<T>(file: { default: T }): T {
  return 'default' in file ? file.default : (file as unknown as T);
}

export function isJsHistogram(h: Histogram): h is JsHistogram {
  return h instanceof JsHistogramClass;
}

export const LOWEST_US = 1;
export const HIGHEST_US = 600_000_000;

/**
 * The library's reset() fills the whole counts array (21,504 buckets, 86 KB), and a dozen histograms are
 * reset at every interval's end on the thread that sends; counts are only ever non-zero between the
 * extremes' buckets, which recording, adding and decoding all keep.
 */
class RangeClearedHistogram extends Int32Histogram {
  override clearCounts(): void {
    const h = this as unknown as Counted;
    if (h.totalCount > 0) h._counts.fill(0, h.countsArrayIndex(h.minNonZeroValue), h.countsArrayIndex(h.maxValue) + 1);
  }
}

export function newHistogram(): Histogram {
  const h = new RangeClearedHistogram(LOWEST_US, HIGHEST_US, 3);
  h.autoResize = true;
  return h;
}

interface Counted {
  numberOfSignificantValueDigits: number;
  lowestDiscernibleValue: number;
  highestTrackableValue: number;
  totalCount: number;
  _totalCount: number;
  subBucketHalfCountMagnitude: number;
  subBucketHalfCount: number;
  maxValue: number;
  minNonZeroValue: number;
  subBucketCount: number;
  unitMagnitude: number;
  countsArrayLength: number;
  countsArrayIndex(value: number): number;
  // hdr-histogram-js's Int32Histogram keeps its counts in a Uint32Array.
  _counts: Uint32Array;
  setTotalCount(count: number): void;
  updatedMaxValue(value: number): void;
  updateMinNonZeroValue(value: number): void;
  establishInternalTackingValues(lengthToCover: number): void;
}

/**
 * Records a latency, rounding to whole microseconds. Values below 1 us are recorded as 1 us (never 0: a
 * sub-microsecond loopback answer is still an answer) and values past the range as the highest value,
 * so an absurd latency is clipped, not lost with an exception on the hot path.
 */
export function recordUs(histogram: Histogram, latencyUs: number): void {
  const v = latencyUs < LOWEST_US ? LOWEST_US : latencyUs > HIGHEST_US ? HIGHEST_US : Math.round(latencyUs);
  // hdr-histogram-js finds a value's bucket with a log2 and two pow calls, several times a request on the
  // hot path; at unit magnitude 0 (hopscope's 1-us resolution) that is a count of leading zeros and a shift.
  const h = histogram as unknown as Counted;
  if (h.unitMagnitude === 0 && h._counts instanceof Uint32Array) {
    const bucket = Math.max(31 - Math.clz32(v) - h.subBucketHalfCountMagnitude, 0);
    const index = ((bucket + 1) << h.subBucketHalfCountMagnitude) + (v >>> bucket) - h.subBucketHalfCount;
    if (index < h.countsArrayLength) {
      h._counts[index]!++;
      if (v > h.maxValue) h.maxValue = v;
      if (v < h.minNonZeroValue) h.minNonZeroValue = v;
      h._totalCount++;
      return;
    }
  }
  histogram.recordValue(v);
}

/**
 * The smallest latency that falls in the same bucket as the value at `percentile`: percentiles are reported
 * as the bucket's highest equivalent value, so selecting raw samples "at or above p99" must start here.
 */
export function percentileFloorUs(histogram: Histogram, percentile: number): number {
  return (histogram as unknown as JsHistogram).lowestEquivalentValue(histogram.getValueAtPercentile(percentile));
}


/**
 * `target.add(source)`, the same counts, extremes and total, walking only the source's recorded buckets:
 * the library walks the whole counts array (21,504 buckets at hopscope's range) with two method calls per
 * bucket. The recorder adds a dozen histograms at each interval's end, on the thread that sends: 41 us
 * each once compiled and ~1.5 ms the first time (interpreted), where this walk takes 6 us and 0.16 ms.
 */
export function addHistogram(target: Histogram, source: Histogram): void {
  if (source.totalCount === 0) return;
  const t = target as unknown as Counted;
  const s = source as unknown as Counted;
  const top = s.countsArrayIndex(s.maxValue);
  if (!(s._counts instanceof Uint32Array) || !(t._counts instanceof Uint32Array) || t.subBucketCount !== s.subBucketCount || t.unitMagnitude !== s.unitMagnitude || top >= t.countsArrayLength) {
    target.add(source);
    return;
  }
  const from = s._counts;
  const into = t._counts;
  for (let i = s.countsArrayIndex(s.minNonZeroValue); i <= top; i++) into[i]! += from[i]!;
  t.setTotalCount(t.totalCount + s.totalCount);
  t.updatedMaxValue(Math.max(t.maxValue, s.maxValue));
  t.updateMinNonZeroValue(Math.min(t.minNonZeroValue, s.minNonZeroValue));
}

export function encodeHistogram(histogram: Histogram): string {
  const h = histogram as unknown as Counted;
  return encodeCompressedBase64({
    significantDigits: h.numberOfSignificantValueDigits,
    lowest: h.lowestDiscernibleValue,
    highest: h.highestTrackableValue,
    counts: h._counts,
    length: h.countsArrayIndex(h.maxValue) + 1,
  });
}

export function decodeHistogram(base64: string): Histogram {
  const { significantDigits, lowest, highest, indexes, counts } = decodeCompressedBase64(base64);
  // In the sender's shape first (its indexes are its buckets), then re-homed in hopscope's.
  let decoded: Counted;
  try {
    decoded = new Int32Histogram(lowest, highest, significantDigits) as unknown as Counted;
  } catch (error) {
    throw new HdrDecodeError(`an HdrHistogram of a shape that cannot be (${(error as Error).message})`);
  }
  for (let i = 0; i < indexes.length; i++) {
    if (indexes[i]! >= decoded.countsArrayLength) throw new HdrDecodeError(`an HdrHistogram with counts past its own highest value (${highest})`);
    decoded._counts[indexes[i]!] = counts[i]!;
  }
  decoded.establishInternalTackingValues(indexes.length > 0 ? indexes[indexes.length - 1]! + 1 : 0);
  const h = newHistogram();
  h.add(decoded as unknown as Histogram);
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

let emptyEncoded: string | undefined;

/** encodeHistogram, or a memo of it (IntervalSnapshot.encode). */
export type Encode = (h: Histogram) => string;

export function packHistogram(h: Histogram, encode: Encode = encodeHistogram): PackedHistogram {
  // Most intervals' failure histograms are empty, and compressing nothing still costs ~50 us.
  const encoded = h.totalCount === 0 ? (emptyEncoded ??= encodeHistogram(newHistogram())) : encode(h);
  return { encoded, minUs: h.minNonZeroValue, maxUs: h.maxValue };
}

/** The inverse of packHistogram: same counts, same min and max, so `add`ing it equals having recorded its values. */
export function unpackHistogram(packed: PackedHistogram): Histogram {
  const h = decodeHistogram(packed.encoded) as unknown as JsHistogram;
  h.minNonZeroValue = packed.minUs;
  h.maxValue = packed.maxUs;
  return h as unknown as Histogram;
}

/**
 * `addHistogram(target, unpackHistogram(packed))`, the same counts, extremes and total, with the decoded
 * counts added straight into the target when both have hopscope's shape (always, for what hopscope packed):
 * unpacking builds two histograms of 21,504 buckets and walks one with the library's add, ~110 us even for
 * an empty one, and the main thread of `--workers N` adds half a dozen per worker every second.
 */
export function addPackedHistogram(target: Histogram, packed: PackedHistogram): void {
  // Recorded values are at least 1 us: a maximum of 0 is an empty histogram.
  if (packed.maxUs === 0) return;
  const t = target as unknown as Counted;
  const { significantDigits, lowest, indexes, counts } = decodeCompressedBase64(packed.encoded);
  const top = indexes.length > 0 ? indexes[indexes.length - 1]! : 0;
  if (significantDigits !== t.numberOfSignificantValueDigits || lowest !== t.lowestDiscernibleValue || !(t._counts instanceof Uint32Array) || top >= t.countsArrayLength) {
    addHistogram(target, unpackHistogram(packed));
    return;
  }
  let total = 0;
  for (let i = 0; i < indexes.length; i++) {
    t._counts[indexes[i]!]! += counts[i]!;
    total += counts[i]!;
  }
  t.setTotalCount(t.totalCount + total);
  t.updatedMaxValue(Math.max(t.maxValue, packed.maxUs));
  t.updateMinNonZeroValue(Math.min(t.minNonZeroValue, packed.minUs));
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

/** The levels of Percentiles, in its order. */
const LEVELS = [50, 90, 99, 99.9, 99.99] as const;

/**
 * hdr-histogram-js's `getValueAtPercentile` for each of LEVELS and its `mean`, the same numbers, from one
 * walk over the counts instead of six: a run's end takes the percentiles of every request, phase, hop and
 * interval, and those walks were most of its time in the library (~15 ms of a 1-s run's CPU).
 */
export function percentiles(h: Histogram): Percentiles {
  const total = h.totalCount;
  const found = [0, 0, 0, 0, 0];
  let mean = 0;
  if (total > 0) {
    const js = h as unknown as CountsView;
    // The library's rounding, ulp included: the count the percentile's value must cover, at least one.
    const wanted = LEVELS.map((level) => {
      const fp = (level / 100) * total;
      return Math.max(Math.ceil(fp - 2 ** (Math.floor(Math.log2(fp)) - 52)), 1);
    });
    let next = 0;
    let seen = 0;
    let sum = 0;
    for (const b = new Buckets(h); b.next(); ) {
      seen += b.count;
      sum += b.medianUs * b.count;
      while (next < wanted.length && seen >= wanted[next]!) found[next++] = js.highestEquivalentValue(b.valueUs);
    }
    mean = sum / total;
  }
  return {
    count: total,
    minUs: total === 0 ? 0 : h.minNonZeroValue,
    meanUs: total === 0 ? 0 : Math.round(mean * 10) / 10,
    p50Us: found[0]!,
    p90Us: found[1]!,
    p99Us: found[2]!,
    p999Us: found[3]!,
    p9999Us: found[4]!,
    maxUs: h.maxValue,
  };
}

type CountsView = JsHistogram & { countsArrayLength: number; getCountAtIndex(i: number): number; valueFromIndex(i: number): number; highestEquivalentValue(value: number): number };

/**
 * The non-empty buckets in order, walking the counts array directly: `next()` moves to the next one and
 * says whether there was one. A cursor, not a callback: each walker passed its own closure, and TurboFan,
 * having inlined the first, threw the walk's optimized code away and compiled it again for each new one
 * (4 compiles, 38 ms of compiler time in a 15-s run, `--trace-opt`).
 */
class Buckets {
  /** The current bucket's count, its own value and its median equivalent value. */
  count = 0;
  valueUs = 0;
  medianUs = 0;
  private index = -1;
  private seen = 0;
  private readonly js: CountsView;

  constructor(h: Histogram) {
    this.js = h as unknown as CountsView;
  }

  next(): boolean {
    const js = this.js;
    while (++this.index < js.countsArrayLength && this.seen < js.totalCount) {
      const count = js.getCountAtIndex(this.index);
      if (count === 0) continue;
      this.seen += count;
      this.count = count;
      this.valueUs = js.valueFromIndex(this.index);
      this.medianUs = js.medianEquivalentValue(this.valueUs);
      return true;
    }
    return false;
  }
}

/**
 * hdr-histogram-js's `mean`, summed in the same order (so the same number) over the counts array directly:
 * its iterator allocates and re-derives each bucket, several milliseconds a call at hopscope's 10-minute
 * range, and a run's analysis asks for hundreds of means (per interval, request, hop and phase).
 */
function meanOf(h: Histogram): number {
  let total = 0;
  for (const b = new Buckets(h); b.next(); ) total += b.medianUs * b.count;
  return total / h.totalCount;
}

/** hdr-histogram-js's `getStdDeviation(mean)`, summed in the same order, without its iterator (see meanOf). */
function stdDeviationOf(h: Histogram, mean: number): number {
  let total = 0;
  for (const b = new Buckets(h); b.next(); ) {
    const deviation = b.medianUs - mean;
    total += deviation * deviation * b.count;
  }
  return Math.sqrt(total / h.totalCount);
}

/** One step of HdrHistogram's percentile iteration: the ticks its .hgrm text and its plotter use. */
export interface PercentileTick {
  valueUs: number;
  /** 0-100. */
  percentileLevel: number;
  countToHere: number;
}

export function percentileTicks(h: Histogram, ticksPerHalfDistance: number): PercentileTick[] {
  if (!isJsHistogram(h)) throw new Error('percentile ticks are taken of the JavaScript implementation');
  const iterator = h.percentileIterator;
  iterator.reset(ticksPerHalfDistance);
  const ticks: PercentileTick[] = [];
  while (iterator.hasNext()) {
    const tick = iterator.next();
    ticks.push({ valueUs: tick.valueIteratedTo, percentileLevel: tick.percentileLevelIteratedTo, countToHere: tick.totalCountToThisValue });
  }
  return ticks;
}

/** hdr-histogram-js's floatFormatter (Intl.NumberFormat per value: ~18 ms of each run's end for its .hgrm lines), the same text. */
function fixed(size: number, fractionDigits: number): (value: number) => string {
  return (value) => fixedAsIntl(value, fractionDigits).padStart(size);
}

function integer(size: number): (value: number) => string {
  return (value) => String(value).padStart(size);
}

/**
 * The text of hdr-histogram-js's `outputPercentileDistribution(ticks, unitRatio)` (HdrHistogram's .hgrm,
 * which its plotter and HistogramLogProcessor's users read), character for character, but with the mean
 * and deviation summed over the counts array: the library's deviation walks its recorded-values iterator,
 * about 0.3 s of CPU for one run's histogram, which every run paid at its end.
 */
export function distributionText(h: Histogram, ticksPerHalfDistance: number, unitRatio: number): string {
  const digits = h.numberOfSignificantValueDigits;
  const value = fixed(12, digits);
  const percentile = fixed(2, 12);
  const count = integer(10);
  const inverse = fixed(14, 2);
  let text = '       Value     Percentile TotalCount 1/(1-Percentile)\n\n';
  for (const tick of percentileTicks(h, ticksPerHalfDistance)) {
    const line = `${value(tick.valueUs / unitRatio)} ${percentile(tick.percentileLevel / 100)} ${count(tick.countToHere)}`;
    text += tick.percentileLevel < 100 ? `${line} ${inverse(1 / (1 - tick.percentileLevel / 100))}\n` : `${line}\n`;
  }
  const mean = h.totalCount === 0 ? 0 : meanOf(h);
  const deviation = h.totalCount === 0 ? 0 : stdDeviationOf(h, mean);
  const js = h as unknown as JsHistogram & { bucketCount: number; subBucketCount: number };
  const twelve = integer(12);
  return `${text}#[Mean    = ${value(mean / unitRatio)}, StdDeviation   = ${value(deviation / unitRatio)}]
#[Max     = ${value(h.maxValue / unitRatio)}, Total count    = ${twelve(h.totalCount)}]
#[Buckets = ${twelve(js.bucketCount)}, SubBuckets     = ${twelve(js.subBucketCount)}]
`;
}
