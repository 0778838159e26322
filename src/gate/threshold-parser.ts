/**
 * Threshold expressions, k6-like. The grammar, as the scenario's `thresholds:` list and `--threshold` take it:
 *
 *   flag       := [scope ":"] expression            e.g. "item: p99 < 5ms", "hop:rust-cache-server: p99 < 2ms"
 *   scope      := REQUEST-NAME | "hop:" HOP-NAME     absent: all requests of the run together
 *   expression := metric op value
 *   metric     := "p" NUMBER                         a percentile above 0 and below 100: p50, p90, p99, p99.9, p99.99, p95, ...
 *               | "max" | "mean"                     latency, like the percentiles
 *               | "error_rate"                       failed share of attempts (not for hops)
 *               | "rps"                              successful responses per second (not for hops)
 *   op         := "<" | "<=" | ">" | ">="
 *   value      := NUMBER unit
 *   unit       := latency: "us" | "ms" | "s" (required); error_rate: "%" or none (a fraction 0..1); rps: none
 *
 * Names hold no ":" (the scenario schema forbids it), so the scope is what precedes the last ":". In a scenario
 * file the scope is a field instead: `{expr: "p99 < 5ms", request: item}` or `{expr: ..., hop: origin}`, which
 * the scenario loader turns into the same `item` / `hop:origin` scope strings.
 */

import { UsageError } from '../errors.js';

export type Metric =
  | { kind: 'percentile'; percentile: number }
  | { kind: 'max' }
  | { kind: 'mean' }
  | { kind: 'error_rate' }
  | { kind: 'rps' };

export type LatencyMetric = Extract<Metric, { kind: 'percentile' | 'max' | 'mean' }>;

export type Op = '<' | '<=' | '>' | '>=';

export type Scope = { kind: 'run' } | { kind: 'request'; name: string } | { kind: 'hop'; name: string };

export interface Threshold {
  /** As written, for messages and reports. */
  expression: string;
  metric: Metric;
  /** As written: "p99", "error_rate". */
  metricName: string;
  op: Op;
  /** Latency metrics: microseconds; error_rate: a fraction; rps: requests per second. */
  value: number;
  scope: Scope;
}

const OPS: readonly Op[] = ['<', '<=', '>', '>='];
const METRICS_ALLOWED = 'p50, p90, p99, p99.9, p99.99, pNN.N (any percentile above 0 and below 100), max, mean, error_rate, rps';
const LATENCY_UNIT_US: Record<string, number> = { us: 1, ms: 1000, s: 1_000_000 };
const HOP_PREFIX = 'hop:';

const METRIC_TOKEN = /^[A-Za-z_][A-Za-z0-9_.]*/;
const OP_TOKEN = /^[<>=!]+/;
const NUMBER_TOKEN = /^[+-]?(\d+(\.\d*)?|\.\d+)(e[+-]?\d+)?/i;
const UNIT_TOKEN = /^\S+/;

/** Parses one expression; `scope` is a ThresholdDecl scope (`item`, `hop:origin`) or undefined for the whole run. */
export function parseThreshold(expression: string, scope?: string): Threshold {
  const fail: (problem: string) => never = (problem) => {
    throw new UsageError(`threshold "${scope !== undefined ? `${scope}: ` : ''}${expression.trim()}": ${problem}`);
  };
  const parsedScope = parseScope(scope, fail);
  let rest = expression.trim();
  if (rest === '') fail('empty; expected METRIC OP VALUE, e.g. "p99 < 5ms"');

  const metricName = METRIC_TOKEN.exec(rest)?.[0];
  if (!metricName) fail(`expected a metric, got "${rest.split(/\s+/)[0]}"; allowed: ${METRICS_ALLOWED}`);
  const metric = parseMetric(metricName, fail);
  if (parsedScope.kind === 'hop' && (metric.kind === 'error_rate' || metric.kind === 'rps')) {
    fail(`metric "${metricName}" is not measured per hop; allowed for hops: p50, p90, p99, p99.9, p99.99, pNN.N, max, mean`);
  }
  rest = rest.slice(metricName.length).trimStart();

  const opToken = OP_TOKEN.exec(rest)?.[0];
  if (!opToken) fail(`expected an operator after "${metricName}"; allowed: ${OPS.join(', ')}`);
  if (!OPS.includes(opToken as Op)) fail(`unknown operator "${opToken}"; allowed: ${OPS.join(', ')}`);
  rest = rest.slice(opToken.length).trimStart();

  const numberToken = NUMBER_TOKEN.exec(rest)?.[0];
  if (!numberToken) fail(`expected a number after "${opToken}", got "${rest.split(/\s+/)[0] ?? ''}"`);
  rest = rest.slice(numberToken.length).trimStart();
  const unit = UNIT_TOKEN.exec(rest)?.[0] ?? '';
  rest = rest.slice(unit.length).trim();
  if (rest !== '') fail(`unexpected "${rest}" after the value`);

  const value = scaleValue(metric, metricName, Number(numberToken), numberToken, unit, fail);
  return { expression: expression.trim(), metric, metricName: metricName, op: opToken as Op, value, scope: parsedScope };
}

/** A scenario's `thresholds:` list (or summary.json's copy of it). */
export function parseDeclared(decls: readonly { expression: string; scope?: string | undefined }[]): Threshold[] {
  return decls.map((t) => parseThreshold(t.expression, t.scope));
}

/** Parses a `--threshold` flag: an expression with an optional `scope:` in front. */
export function parseThresholdFlag(text: string): Threshold {
  const colon = text.lastIndexOf(':');
  if (colon < 0) return parseThreshold(text);
  return parseThreshold(text.slice(colon + 1), text.slice(0, colon).trim());
}

/** How a scope reads in tables and messages. */
export function scopeLabel(scope: Scope): string {
  return scope.kind === 'run' ? 'overall' : scope.kind === 'request' ? `request ${scope.name}` : `hop ${scope.name}`;
}

export function isLatency(metric: Metric): metric is LatencyMetric {
  return metric.kind === 'percentile' || metric.kind === 'max' || metric.kind === 'mean';
}

function parseScope(scope: string | undefined, fail: (problem: string) => never): Scope {
  if (scope === undefined) return { kind: 'run' };
  const hop = scope.startsWith(HOP_PREFIX);
  const name = (hop ? scope.slice(HOP_PREFIX.length) : scope).trim();
  if (name === '' || name.includes(':')) {
    fail(`bad scope "${scope}"; expected a request name or hop:NAME before the last ":", e.g. "item: p99 < 5ms"`);
  }
  return hop ? { kind: 'hop', name } : { kind: 'request', name };
}

function parseMetric(name: string, fail: (problem: string) => never): Metric {
  if (name === 'max' || name === 'mean' || name === 'error_rate' || name === 'rps') return { kind: name };
  const percentile = /^p(\d+(\.\d+)?)$/.exec(name);
  if (percentile) {
    const p = Number(percentile[1]);
    if (p > 0 && p < 100) return { kind: 'percentile', percentile: p };
  }
  return fail(`unknown metric "${name}"; allowed: ${METRICS_ALLOWED}`);
}

function scaleValue(metric: Metric, metricName: string, n: number, numberToken: string, unit: string, fail: (problem: string) => never): number {
  if (isLatency(metric)) {
    if (unit === '') fail(`missing unit after "${numberToken}"; allowed: us, ms, s`);
    const scale = LATENCY_UNIT_US[unit];
    if (scale === undefined) fail(`unknown unit "${unit}"; allowed: us, ms, s`);
    if (n < 0) fail(`a latency cannot be negative, got "${numberToken}${unit}"`);
    return n * scale;
  }
  if (metric.kind === 'error_rate') {
    if (unit !== '' && unit !== '%') fail(`unknown unit "${unit}" for error_rate; allowed: % or none (a fraction from 0 to 1)`);
    const fraction = unit === '%' ? n / 100 : n;
    if (fraction < 0 || fraction > 1) fail(`error_rate must be from 0 to 1 (or 0% to 100%), got "${numberToken}${unit}"`);
    return fraction;
  }
  if (unit !== '') fail(`unknown unit "${unit}" for ${metricName}; allowed: none (a plain number of requests per second)`);
  if (n < 0) fail(`rps cannot be negative, got "${numberToken}"`);
  return n;
}
