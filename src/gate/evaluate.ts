/**
 * Thresholds against saved runs, pure: a RunSummary in, verdicts out. With several trials (`--repeat`) a
 * threshold judges the median of the trials' values, so that one unlucky trial neither fails nor passes a gate.
 */

import type { SpectrumPoint } from '../analyze/types.js';
import type { Percentiles } from '../record/histogram.js';
import type { RunSummary } from '../run-folder/summary.js';
import { formatMetric, type CheckResult } from './check.js';
import { isLatency, scopeLabel, type LatencyMetric, type Metric, type Op, type Scope, type Threshold } from './threshold-parser.js';

type Measured = { value: number } | { missing: string };

interface LatencySource {
  latency: Percentiles;
  spectrum: readonly SpectrumPoint[];
}

const PERCENTILE_FIELDS: Record<number, keyof Percentiles> = { 50: 'p50Us', 90: 'p90Us', 99: 'p99Us', 99.9: 'p999Us', 99.99: 'p9999Us' };

export function evaluateThresholds(thresholds: readonly Threshold[], trials: readonly RunSummary[]): CheckResult[] {
  return thresholds.map((t) => evaluateOne(t, trials));
}

function evaluateOne(t: Threshold, trials: readonly RunSummary[]): CheckResult {
  const base = { kind: 'threshold' as const, check: t.expression, scope: scopeLabel(t.scope) };
  const measured = trials.map((s) => measure(s, t.scope, t.metric));
  const missing = measured.find((m): m is { missing: string } => 'missing' in m);
  if (missing) return { ...base, actual: undefined, actualText: 'n/a', pass: false, message: `${t.metricName}: ${missing.missing}` };
  const values = measured.map((m) => (m as { value: number }).value);
  const actual = median(values);
  const actualText = formatMetric(t.metric, actual);
  const pass = holds(actual, t.op, t.value);
  const trialNote = values.length > 1 ? ` (median of ${values.length} trials: ${values.map((v) => formatMetric(t.metric, v)).join(', ')})` : '';
  const verdict = pass ? `within ${t.op} ${formatMetric(t.metric, t.value)}` : `expected ${t.op} ${formatMetric(t.metric, t.value)}`;
  return { ...base, actual, actualText, pass, message: `${t.metricName} = ${actualText}${trialNote}, ${verdict}` };
}

function measure(summary: RunSummary, scope: Scope, metric: Metric): Measured {
  if (scope.kind === 'hop') {
    const hops = summary.hops;
    if (!isLatency(metric)) return { missing: 'only latency is measured per hop' };
    if (!hops) return { missing: `no hop timings in this run (no response carried a Server-Timing header), so hop "${scope.name}" has none` };
    const hop = scope.name === hops.residual.name ? hops.residual : hops.hops.find((h) => h.name === scope.name);
    if (!hop) return { missing: `no hop named "${scope.name}" in this run; hops: ${[...hops.hops.map((h) => h.name), hops.residual.name].join(', ')}` };
    return latencyOf({ latency: hop.selfTime, spectrum: hop.spectrum }, metric);
  }
  const name = scope.kind === 'request' ? scope.name : undefined;
  const stats = name === undefined ? summary.overall : summary.requests.find((r) => r.name === name);
  if (!stats) return { missing: `no request named "${name}" in this run; requests: ${summary.requests.map((r) => r.name).join(', ') || 'none'}` };
  if (metric.kind === 'error_rate') return { value: stats.errorRate };
  if (metric.kind === 'rps') return { value: stats.rateRps };
  const spectrum = name === undefined ? summary.spectrum.overall : (summary.spectrum.requests[name] ?? []);
  return latencyOf({ latency: stats.latency, spectrum }, metric);
}

function latencyOf(source: LatencySource, metric: LatencyMetric): Measured {
  const l = source.latency;
  if (l.count === 0) return { missing: 'no successful responses to measure' };
  if (metric.kind === 'max') return { value: l.maxUs };
  if (metric.kind === 'mean') return { value: l.meanUs };
  const field = PERCENTILE_FIELDS[metric.percentile];
  if (field) return { value: l[field] };
  // Other percentiles come from the saved spectrum: the first tick at or above the percentile asked for.
  const point = source.spectrum.find((p) => p.percentile >= metric.percentile);
  return { value: point?.valueUs ?? l.maxUs };
}

function holds(actual: number, op: Op, limit: number): boolean {
  switch (op) {
    case '<':
      return actual < limit;
    case '<=':
      return actual <= limit;
    case '>':
      return actual > limit;
    case '>=':
      return actual >= limit;
  }
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
