import { describe, expect, it } from 'vitest';
import { bootstrapQuantileRatios, quantileOf, type Trial } from '../../src/analyze/statistics.js';
import { distributionOf } from '../../src/run-folder/interval-log.js';
import { newHistogram, recordUs } from '../../src/record/histogram.js';
import { logNormalUs } from './gate-fixtures.js';

/** A trial of `seconds` one-second intervals, log-normal around `medianUs`, through a real histogram. */
function trial(seed: number, seconds: number, medianUs: number, perSecond = 400): Trial {
  return Array.from({ length: seconds }, (_, s) => {
    const h = newHistogram();
    for (const us of logNormalUs(seed * 1000 + s, perSecond, medianUs)) recordUs(h, us);
    return distributionOf(h);
  });
}

const P99 = [99];

describe('quantileOf', () => {
  it.each([1000, 5000, 12_345])('agrees with HdrHistogram on %i values, so one run reads as its summary.json does', (n) => {
    const h = newHistogram();
    for (const us of logNormalUs(n, n, 3000, 0.8)) recordUs(h, us);
    const qs = [1, 50, 90, 99, 99.9, 99.99];
    const expected = qs.map((q) => h.getValueAtPercentile(q));
    const d = distributionOf(h);
    expect(qs.map((q) => quantileOf(d.counts, d.valuesUs, q))).toEqual(expected);
  });
});

describe('bootstrapQuantileRatios', () => {
  it('identical distributions: the interval holds 1', () => {
    const [r] = bootstrapQuantileRatios([trial(1, 20, 1000)], [trial(2, 20, 1000)], P99)!;
    expect(r!.lowRatio).toBeLessThan(1);
    expect(r!.highRatio).toBeGreaterThan(1);
    expect(r!.ratio).toBeGreaterThan(r!.lowRatio);
    expect(r!.ratio).toBeLessThan(r!.highRatio);
  });

  it('20% slower: the interval excludes 1 and brackets 1.2', () => {
    const [r] = bootstrapQuantileRatios([trial(1, 20, 1000)], [trial(2, 20, 1200)], P99)!;
    expect(r!.lowRatio).toBeGreaterThan(1.1);
    expect(r!.highRatio).toBeGreaterThan(1.2);
    expect(r!.ratio).toBeCloseTo(1.2, 1);
  });

  it('gives every quantile asked for, in the order asked', () => {
    const rs = bootstrapQuantileRatios([trial(1, 10, 1000)], [trial(2, 10, 2000)], [99.9, 50, 90])!;
    expect(rs.map((r) => r.quantile)).toEqual([99.9, 50, 90]);
    for (const r of rs) expect(r.lowRatio).toBeGreaterThan(1.5);
  });

  it('is reproducible: same seed, same interval; another seed, a slightly different one', () => {
    const base = [trial(1, 10, 1000)];
    const cand = [trial(2, 10, 1050)];
    const a = bootstrapQuantileRatios(base, cand, P99, { iterations: 500, confidence: 0.95, seed: 9 });
    expect(bootstrapQuantileRatios(base, cand, P99, { iterations: 500, confidence: 0.95, seed: 9 })).toEqual(a);
    expect(bootstrapQuantileRatios(base, cand, P99, { iterations: 500, confidence: 0.95, seed: 10 })).not.toEqual(a);
  });

  it('run-to-run noise widens the interval: trials are resampled, not just pooled', () => {
    // The same 30 seconds, as one trial or as three trials whose conditions differed (medians 0.9, 1.0, 1.2 ms).
    const trials = [trial(2, 10, 900), trial(3, 10, 1000), trial(4, 10, 1200)];
    const base = [trial(1, 30, 1000)];
    const pooled = bootstrapQuantileRatios(base, [trials.flat()], P99)!;
    const hierarchical = bootstrapQuantileRatios(base, trials, P99)!;
    expect(hierarchical[0]!.ratio).toBe(pooled[0]!.ratio);
    expect(hierarchical[0]!.highRatio - hierarchical[0]!.lowRatio).toBeGreaterThan(1.5 * (pooled[0]!.highRatio - pooled[0]!.lowRatio));
  });

  it('a side without data gives no answer', () => {
    expect(bootstrapQuantileRatios([], [trial(2, 3, 1000)], P99)).toBeUndefined();
    expect(bootstrapQuantileRatios([trial(1, 3, 1000)], [[{ valuesUs: [5], counts: [0] }]], P99)).toBeUndefined();
  });
});
