/** Plain numbers from recorded histograms: what summary.json, the terminal table and the gates read. */

import { percentiles, type Percentiles } from './histogram.js';
import { RequestSeries, type Counts, type PhaseTotals } from './recorder.js';

export interface RequestStats {
  name: string;
  /** Successful responses (status below 400). */
  count: number;
  /** Everything else: failures by kind and 4xx/5xx responses. */
  errors: number;
  errorRate: number;
  errorsByKind: Counts;
  statuses: Counts;
  rateRps: number;
  latency: Percentiles;
  /** Latency of the errors, kept apart so that fast failures do not flatter the percentiles. */
  errorLatency: Percentiles;
}

export function statsOf(name: string, series: RequestSeries, durationMs: number): RequestStats {
  const errors = series.failed.totalCount;
  const attempts = series.attempts;
  return {
    name,
    count: series.ok.totalCount,
    errors,
    errorRate: attempts === 0 ? 0 : errors / attempts,
    errorsByKind: { ...series.errors },
    statuses: { ...series.statuses },
    rateRps: durationMs > 0 ? series.ok.totalCount / (durationMs / 1000) : 0,
    latency: percentiles(series.ok),
    errorLatency: percentiles(series.failed),
  };
}

/** Sums some phases: per request, and "all requests" as the last entry. */
export function combine(phases: readonly PhaseTotals[], names: readonly string[]): { perRequest: RequestSeries[]; all: RequestSeries; durationMs: number } {
  const perRequest = names.map(() => new RequestSeries());
  const all = new RequestSeries();
  let durationMs = 0;
  for (const phase of phases) {
    durationMs += phase.durationMs;
    phase.requests.forEach((series, i) => {
      perRequest[i]!.add(series);
      all.add(series);
    });
  }
  return { perRequest, all, durationMs };
}

