/** One gate check's verdict: what every gate produces and every gate writer (table, JUnit, Markdown) reads. */

import { formatPercent, formatRate, formatUs } from '../units.js';
import type { Metric } from './threshold-parser.js';

export interface CheckResult {
  kind: 'threshold' | 'baseline';
  /** What was checked, e.g. "p99 < 5ms" or "p99 vs baseline". */
  check: string;
  /** "overall", "request item", "hop origin". */
  scope: string;
  /** In the metric's unit (microseconds, a fraction, requests/s, or a ratio for baseline checks); undefined when nothing could be measured. */
  actual: number | undefined;
  actualText: string;
  pass: boolean;
  message: string;
}

export function gatePassed(checks: readonly CheckResult[]): boolean {
  return checks.every((c) => c.pass);
}

/** "passed (3 checks)", "failed (1 of 3 checks)": the one wording every output uses. */
export function verdict(checks: readonly CheckResult[]): string {
  const failed = checks.filter((c) => !c.pass).length;
  const total = `${checks.length} check${checks.length === 1 ? '' : 's'}`;
  return failed === 0 ? `passed (${total})` : `failed (${failed} of ${total})`;
}

export function formatMetric(metric: Metric, value: number): string {
  if (metric.kind === 'error_rate') return formatPercent(value);
  if (metric.kind === 'rps') return `${formatRate(value)} req/s`;
  return formatUs(value);
}
