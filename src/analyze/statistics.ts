/**
 * Is the candidate slower than the baseline, or is it noise? A hierarchical percentile bootstrap of quantile
 * ratios (candidate / baseline) over 1-second interval histograms.
 *
 * Why intervals, not requests: latencies within a second are not independent (a GC pause, a cache flush or
 * a noisy neighbour slows a whole burst), so resampling single requests would make the confidence interval
 * far too narrow. An interval histogram is the smallest unit that is roughly exchangeable with another.
 * Why two levels: a run's intervals share the run's conditions (warm caches, CPU frequency, the machine's
 * other load), so with several trials per side each bootstrap draw first picks trials with replacement,
 * then intervals with replacement within each picked trial; run-to-run noise then widens the interval as
 * it should. With one trial per side only the interval level remains.
 *
 * Each draw merges the drawn intervals' counts, reads the quantiles of both sides and keeps their ratios;
 * the interval [lowRatio, highRatio] holds the central `confidence` share of those ratios (the percentile
 * bootstrap). The draws come from a seeded generator, so one set of runs always yields the same decision.
 * Quantiles use HdrHistogram's nearest-rank rule (the value at rank ceil(q/100 * count), at least 1), so a
 * single run's figure equals the one in its summary.json.
 */

import { seededRandom, type Random } from '../load/random.js';

/** One interval's latency distribution: distinct values in ascending order and how often each was seen. */
export interface Distribution {
  valuesUs: readonly number[];
  counts: readonly number[];
}

/** One trial (one run): its interval distributions, in time order. */
export type Trial = readonly Distribution[];

export interface BootstrapOptions {
  iterations: number;
  /** Two-sided, e.g. 0.95. */
  confidence: number;
  seed: number;
}

export const DEFAULT_BOOTSTRAP: BootstrapOptions = { iterations: 2000, confidence: 0.95, seed: 1 };

export interface QuantileRatio {
  /** 0 < quantile < 100, e.g. 99.9. */
  quantile: number;
  baselineUs: number;
  candidateUs: number;
  /** candidateUs / baselineUs, both over all intervals pooled. */
  ratio: number;
  lowRatio: number;
  highRatio: number;
}

/** Sparse intervals re-indexed on one value axis shared by both sides, so a draw adds into a dense array. */
interface IndexedInterval {
  indexes: Int32Array;
  counts: Float64Array;
}

/**
 * Bootstrap confidence intervals of candidate/baseline for each quantile. Trials without intervals are
 * ignored; returns undefined when either side has no data at all.
 */
export function bootstrapQuantileRatios(
  baseline: readonly Trial[],
  candidate: readonly Trial[],
  quantiles: readonly number[],
  options: BootstrapOptions = DEFAULT_BOOTSTRAP,
): QuantileRatio[] | undefined {
  const axis = valueAxis([...baseline, ...candidate]);
  const base = index(baseline, axis);
  const cand = index(candidate, axis);
  if (base.length === 0 || cand.length === 0) return undefined;
  const sorted = [...quantiles].sort((a, b) => a - b);
  const pooledBase = quantilesOf(accumulate(base.flat(), new Float64Array(axis.values.length)), axis.values, sorted);
  const pooledCand = quantilesOf(accumulate(cand.flat(), new Float64Array(axis.values.length)), axis.values, sorted);

  const random = seededRandom(options.seed);
  const ratios = sorted.map(() => new Float64Array(options.iterations));
  const baseCounts = new Float64Array(axis.values.length);
  const candCounts = new Float64Array(axis.values.length);
  for (let i = 0; i < options.iterations; i++) {
    const b = quantilesOf(resample(base, random, baseCounts), axis.values, sorted);
    const c = quantilesOf(resample(cand, random, candCounts), axis.values, sorted);
    sorted.forEach((_, k) => (ratios[k]![i] = c[k]! / b[k]!));
  }
  const tail = (1 - options.confidence) / 2;
  const result = sorted.map((quantile, k) => {
    const draws = ratios[k]!.sort();
    return {
      quantile,
      baselineUs: pooledBase[k]!,
      candidateUs: pooledCand[k]!,
      ratio: pooledCand[k]! / pooledBase[k]!,
      lowRatio: draws[Math.floor(tail * (draws.length - 1))]!,
      highRatio: draws[Math.ceil((1 - tail) * (draws.length - 1))]!,
    };
  });
  return quantiles.map((q) => result.find((r) => r.quantile === q)!);
}

/** The value at quantile q (0 < q < 100) of dense counts over `valuesUs`, by HdrHistogram's rank rule. */
export function quantileOf(counts: ArrayLike<number>, valuesUs: readonly number[], q: number): number {
  return quantilesOf(counts, valuesUs, [q])[0]!;
}

function quantilesOf(counts: ArrayLike<number>, valuesUs: readonly number[], sortedQuantiles: readonly number[]): number[] {
  let total = 0;
  for (let i = 0; i < counts.length; i++) total += counts[i]!;
  const out: number[] = [];
  let k = 0;
  let seen = 0;
  for (let i = 0; i < counts.length && k < sortedQuantiles.length; i++) {
    seen += counts[i]!;
    while (k < sortedQuantiles.length && seen >= rank(sortedQuantiles[k]!, total)) {
      out.push(valuesUs[i]!);
      k++;
    }
  }
  while (out.length < sortedQuantiles.length) out.push(valuesUs[valuesUs.length - 1] ?? 0);
  return out;
}

/** As HdrHistogram computes it: the float product can be one ulp above an exact integer, which must not round up. */
function rank(q: number, total: number): number {
  const fp = (q / 100) * total;
  return Math.max(1, Math.ceil(fp - fp * Number.EPSILON));
}

interface ValueAxis {
  values: number[];
  position: Map<number, number>;
}

function valueAxis(trials: readonly Trial[]): ValueAxis {
  const distinct = new Set<number>();
  for (const trial of trials) for (const d of trial) for (const v of d.valuesUs) distinct.add(v);
  const values = [...distinct].sort((a, b) => a - b);
  return { values, position: new Map(values.map((v, i) => [v, i])) };
}

function index(trials: readonly Trial[], axis: ValueAxis): IndexedInterval[][] {
  return trials
    .map((trial) =>
      trial
        .filter((d) => d.counts.some((c) => c > 0))
        .map((d) => ({ indexes: Int32Array.from(d.valuesUs, (v) => axis.position.get(v)!), counts: Float64Array.from(d.counts) })),
    )
    .filter((trial) => trial.length > 0);
}

function add(interval: IndexedInterval, into: Float64Array): void {
  for (let j = 0; j < interval.indexes.length; j++) into[interval.indexes[j]!]! += interval.counts[j]!;
}

function accumulate(intervals: readonly IndexedInterval[], into: Float64Array): Float64Array {
  for (const interval of intervals) add(interval, into);
  return into;
}

/** One bootstrap draw: trials with replacement, then each picked trial's intervals with replacement. */
function resample(trials: readonly IndexedInterval[][], random: Random, into: Float64Array): Float64Array {
  into.fill(0);
  for (let t = 0; t < trials.length; t++) {
    const trial = trials[Math.floor(random() * trials.length)]!;
    for (let n = 0; n < trial.length; n++) add(trial[Math.floor(random() * trial.length)]!, into);
  }
  return into;
}
