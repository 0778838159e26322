/**
 * Runs side by side, as numbers: each run's percentiles, rate and error share, overall and per request name,
 * with the ratio to the first run. `hopscope compare`'s table and page, and the library's compare(), read this.
 */

import type { Percentiles } from '../record/histogram.js';
import type { RequestStats } from '../record/stats.js';
import type { RunSummary } from '../run-folder/summary.js';

export interface LabelledRun {
  label: string;
  summary: RunSummary;
}

export const COMPARED_PERCENTILES: readonly [string, keyof Percentiles][] = [
  ['p50', 'p50Us'],
  ['p90', 'p90Us'],
  ['p99', 'p99Us'],
  ['p99.9', 'p999Us'],
  ['p99.99', 'p9999Us'],
  ['max', 'maxUs'],
];

export interface ComparedStats {
  /** Percentile name ("p99", "max") to microseconds. */
  latencyUs: Record<string, number>;
  rateRps: number;
  errorRate: number;
  count: number;
  errors: number;
}

export interface ComparisonScope {
  /** "overall", or a request name. */
  name: string;
  /** One per run, in the runs' order; undefined where a run has no such request. */
  runs: (ComparedStats | undefined)[];
  /** Percentile name to value/first run's value, one per run (the first's is 1); undefined without a base. */
  latencyRatios: Record<string, (number | undefined)[]>;
}

export interface Comparison {
  labels: string[];
  overall: ComparisonScope;
  /** Every request name any run has, in the first run's order, then the others'. */
  requests: ComparisonScope[];
}

export function compareRuns(runs: readonly LabelledRun[]): Comparison {
  const names = [...new Set(runs.flatMap((r) => r.summary.requests.map((q) => q.name)))];
  return {
    labels: runs.map((r) => r.label),
    overall: scope('overall', runs.map((r) => r.summary.overall)),
    requests: names.map((name) => scope(name, runs.map((r) => r.summary.requests.find((q) => q.name === name)))),
  };
}

function scope(name: string, stats: (RequestStats | undefined)[]): ComparisonScope {
  const runs = stats.map((s) => s && compared(s));
  const base = runs[0];
  const latencyRatios = Object.fromEntries(
    COMPARED_PERCENTILES.map(([p]) => [p, runs.map((r) => (r && base && base.latencyUs[p]! > 0 ? r.latencyUs[p]! / base.latencyUs[p]! : undefined))]),
  );
  return { name, runs, latencyRatios };
}

function compared(s: RequestStats): ComparedStats {
  return {
    latencyUs: Object.fromEntries(COMPARED_PERCENTILES.map(([p, field]) => [p, s.latency[field]])),
    rateRps: s.rateRps,
    errorRate: s.errorRate,
    count: s.count,
    errors: s.errors,
  };
}
