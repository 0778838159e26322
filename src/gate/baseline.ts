/**
 * `--baseline DIR`: is the candidate slower than a previous run? p50, p90, p99 and p99.9 of all requests
 * together and of each request the baseline had, each allowed to grow by the tolerance.
 *
 * When every run on both sides has its latency.hlog (any run hopscope wrote), the decision is noise-aware
 * (src/gate/noise.ts): a percentile fails only when its bootstrap confidence interval lies above the
 * tolerance. Otherwise it falls back to comparing the summaries' figures (the median over trials).
 */

import { UsageError } from '../errors.js';
import type { Trial } from '../analyze/statistics.js';
import type { Percentiles } from '../record/histogram.js';
import type { RequestStats } from '../record/stats.js';
import type { RunSummary } from '../run-folder/summary.js';
import { formatChange, formatUs } from '../units.js';
import type { CheckResult } from './check.js';
import { median } from './evaluate.js';
import { readRunIntervals, type RunIntervals } from '../run-folder/interval-log.js';
import { noiseChecks } from './noise.js';
import type { RunSet } from '../run-folder/run-set.js';

export const BASELINE_PERCENTILES = [50, 90, 99, 99.9] as const;
const FIELD: Record<(typeof BASELINE_PERCENTILES)[number], keyof Percentiles> = { 50: 'p50Us', 90: 'p90Us', 99: 'p99Us', 99.9: 'p999Us' };

export type ComparisonMethod = 'bootstrap' | 'point';

export interface BaselineComparison {
  method: ComparisonMethod;
  checks: CheckResult[];
}

/** "10%" -> 0.1. */
export function parseTolerance(text: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*%\s*$/.exec(text);
  if (!match) throw new UsageError(`--tolerance: expected a percentage like 10%, got "${text}"`);
  return Number(match[1]) / 100;
}

export function compareToBaseline(baseline: RunSet, candidate: RunSet, toleranceRatio: number): BaselineComparison {
  const baseIntervals = baseline.runs.map((r) => readRunIntervals(r.dir, r.summary));
  const candIntervals = candidate.runs.map((r) => readRunIntervals(r.dir, r.summary));
  const method: ComparisonMethod = [...baseIntervals, ...candIntervals].every((i) => i !== undefined) ? 'bootstrap' : 'point';
  const requestNames = [...new Set(baseline.runs.flatMap((r) => r.summary.requests.map((s) => s.name)))];
  // With one request, "overall" is that request: checking both would list every verdict twice.
  const names = requestNames.length > 1 ? [undefined, ...requestNames] : [undefined];
  const checks: CheckResult[] = [];
  for (const name of names) {
    const scope = name === undefined ? 'overall' : `request ${name}`;
    const base = baseline.runs.map((r) => statsOf(r.summary, name)).filter((s): s is RequestStats => s !== undefined && s.count > 0);
    if (base.length === 0) continue;
    const cand = candidate.runs.map((r) => statsOf(r.summary, name));
    if (cand.some((s) => s === undefined || s.count === 0)) {
      checks.push({ kind: 'baseline', check: 'percentiles vs baseline', scope, actual: undefined, actualText: 'n/a', pass: false, message: `${scope} had successful responses in the baseline, none in the candidate` });
      continue;
    }
    checks.push(
      ...(method === 'bootstrap'
        ? noiseChecks(scope, BASELINE_PERCENTILES, trialsOf(baseIntervals as RunIntervals[], name), trialsOf(candIntervals as RunIntervals[], name), toleranceRatio)
        : pointChecks(scope, base, cand as RequestStats[], toleranceRatio)),
    );
  }
  return { method, checks };
}

function statsOf(summary: RunSummary, name: string | undefined): RequestStats | undefined {
  return name === undefined ? summary.overall : summary.requests.find((r) => r.name === name);
}

function trialsOf(runs: readonly RunIntervals[], name: string | undefined): Trial[] {
  return runs.map((r) => (name === undefined ? r.overall : (r.requests.get(name) ?? [])));
}

function pointChecks(scope: string, baseline: readonly RequestStats[], candidate: readonly RequestStats[], toleranceRatio: number): CheckResult[] {
  return BASELINE_PERCENTILES.map((p) => {
    const baseUs = median(baseline.map((s) => s.latency[FIELD[p]]));
    const candUs = median(candidate.map((s) => s.latency[FIELD[p]]));
    const ratio = candUs / baseUs;
    const pass = ratio <= 1 + toleranceRatio;
    const allowed = formatChange(1 + toleranceRatio);
    return {
      kind: 'baseline',
      check: `p${p} vs baseline`,
      scope,
      actual: ratio,
      actualText: formatChange(ratio),
      pass,
      message: `p${p} ${formatUs(baseUs)} -> ${formatUs(candUs)} (${formatChange(ratio)}): ${pass ? `within the ${allowed} allowed` : `more than the ${allowed} allowed`}`,
    };
  });
}
