/**
 * summary.json's spectra: the whole run's and each answered request's, from the real recording stage
 * (gate-fixtures' replayed runs). Where one request was answered its spectrum is the run's, which the summary
 * takes once; where several were, each is its own.
 */

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { logNormalUs, steadyIntervals, writeRun } from './gate-fixtures.js';

const folder = () => mkdtempSync(join(tmpdir(), 'hopscope-spectra-'));

describe("summary.json's spectra", () => {
  it('with one request answered: the request spectrum is the run spectrum, up to the 100th percentile at or above the p99', async () => {
    const { summary } = await writeRun(folder(), { intervals: steadyIntervals(3, 2, 500, 800), failures: { item: 3 } });
    const { overall, requests } = summary.spectrum;
    expect(Object.keys(requests)).toEqual(['item']);
    expect(requests.item).toEqual(overall);
    expect(overall.length).toBeGreaterThan(10);
    expect(overall.at(-1)!.percentile).toBe(100);
    expect(overall.at(-1)!.valueUs).toBeGreaterThanOrEqual(summary.overall.latency.p99Us);
  });

  it('with two requests answered: each has its own, and the run spectrum lies between them', async () => {
    const intervals = [0, 1].map((s) => ({ fast: logNormalUs(10 + s, 400, 300), slow: logNormalUs(20 + s, 400, 30_000) }));
    const { summary } = await writeRun(folder(), { intervals });
    const { overall, requests } = summary.spectrum;
    expect(Object.keys(requests).sort()).toEqual(['fast', 'slow']);
    const median = (points: typeof overall) => points.find((p) => p.percentile >= 50)!.valueUs;
    expect(median(requests.fast!)).toBeLessThan(median(overall));
    expect(median(overall)).toBeLessThan(median(requests.slow!));
  });
});
