import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { parseThreshold, parseThresholdFlag, type Threshold } from '../../src/gate/threshold-parser.js';

describe('threshold expressions', () => {
  it.each<[string, Pick<Threshold, 'metric' | 'op' | 'value'>]>([
    ['p99 < 5ms', { metric: { kind: 'percentile', percentile: 99 }, op: '<', value: 5000 }],
    ['p50<=800us', { metric: { kind: 'percentile', percentile: 50 }, op: '<=', value: 800 }],
    ['p90 < 1.5 ms', { metric: { kind: 'percentile', percentile: 90 }, op: '<', value: 1500 }],
    ['p99.9 < 0.02s', { metric: { kind: 'percentile', percentile: 99.9 }, op: '<', value: 20_000 }],
    ['p99.99 < 1s', { metric: { kind: 'percentile', percentile: 99.99 }, op: '<', value: 1_000_000 }],
    ['p95 > 10us', { metric: { kind: 'percentile', percentile: 95 }, op: '>', value: 10 }],
    ['p99.999 < 3ms', { metric: { kind: 'percentile', percentile: 99.999 }, op: '<', value: 3000 }],
    ['max < 100ms', { metric: { kind: 'max' }, op: '<', value: 100_000 }],
    ['mean >= 2ms', { metric: { kind: 'mean' }, op: '>=', value: 2000 }],
    ['error_rate < 1%', { metric: { kind: 'error_rate' }, op: '<', value: 0.01 }],
    ['error_rate <= 0.005', { metric: { kind: 'error_rate' }, op: '<=', value: 0.005 }],
    ['rps > 1000', { metric: { kind: 'rps' }, op: '>', value: 1000 }],
    ['  rps >= 2.5e3  ', { metric: { kind: 'rps' }, op: '>=', value: 2500 }],
  ])('parses %j', (expression, expected) => {
    const t = parseThreshold(expression);
    expect({ metric: t.metric, op: t.op, value: t.value }).toEqual(expected);
    expect(t.scope).toEqual({ kind: 'run' });
    expect(t.expression).toBe(expression.trim());
  });

  it.each([
    ['p99 < 5 parsecs', 'threshold "p99 < 5 parsecs": unknown unit "parsecs"; allowed: us, ms, s'],
    ['p99 < 5', 'threshold "p99 < 5": missing unit after "5"; allowed: us, ms, s'],
    ['p99 = 5ms', 'threshold "p99 = 5ms": unknown operator "="; allowed: <, <=, >, >='],
    ['p99 == 5ms', 'threshold "p99 == 5ms": unknown operator "=="; allowed: <, <=, >, >='],
    ['p99 5ms', 'threshold "p99 5ms": expected an operator after "p99"; allowed: <, <=, >, >='],
    ['p99 < fast', 'threshold "p99 < fast": expected a number after "<", got "fast"'],
    ['p99 <', 'threshold "p99 <": expected a number after "<", got ""'],
    ['p99 < 5ms or so', 'threshold "p99 < 5ms or so": unexpected "or so" after the value'],
    ['p100 < 5ms', 'threshold "p100 < 5ms": unknown metric "p100"; allowed: p50, p90, p99, p99.9, p99.99, pNN.N (any percentile above 0 and below 100), max, mean, error_rate, rps'],
    ['latency < 5ms', 'threshold "latency < 5ms": unknown metric "latency"; allowed: p50, p90, p99, p99.9, p99.99, pNN.N (any percentile above 0 and below 100), max, mean, error_rate, rps'],
    ['< 5ms', 'threshold "< 5ms": expected a metric, got "<"; allowed: p50, p90, p99, p99.9, p99.99, pNN.N (any percentile above 0 and below 100), max, mean, error_rate, rps'],
    ['', 'threshold "": empty; expected METRIC OP VALUE, e.g. "p99 < 5ms"'],
    ['p99 < -1ms', 'threshold "p99 < -1ms": a latency cannot be negative, got "-1ms"'],
    ['error_rate < 1ms', 'threshold "error_rate < 1ms": unknown unit "ms" for error_rate; allowed: % or none (a fraction from 0 to 1)'],
    ['error_rate < 150%', 'threshold "error_rate < 150%": error_rate must be from 0 to 1 (or 0% to 100%), got "150%"'],
    ['error_rate < 2', 'threshold "error_rate < 2": error_rate must be from 0 to 1 (or 0% to 100%), got "2"'],
    ['rps > 1000/s', 'threshold "rps > 1000/s": unknown unit "/s" for rps; allowed: none (a plain number of requests per second)'],
  ])('rejects %j', (expression, message) => {
    expect(() => parseThreshold(expression)).toThrow(UsageError);
    expect(() => parseThreshold(expression)).toThrow(message);
  });
});

describe('threshold scopes', () => {
  it.each<[string, Threshold['scope'], string]>([
    ['p99 < 5ms', { kind: 'run' }, 'p99 < 5ms'],
    ['item: p99 < 5ms', { kind: 'request', name: 'item' }, 'p99 < 5ms'],
    ['get-item.v2:p99<5ms', { kind: 'request', name: 'get-item.v2' }, 'p99<5ms'],
    ['hop:rust-cache-server: p99 < 2ms', { kind: 'hop', name: 'rust-cache-server' }, 'p99 < 2ms'],
    ['hop:outside: max < 1ms', { kind: 'hop', name: 'outside' }, 'max < 1ms'],
  ])('--threshold %j', (flag, scope, expression) => {
    const t = parseThresholdFlag(flag);
    expect(t.scope).toEqual(scope);
    expect(t.expression).toBe(expression);
  });

  it('reads a scenario scope the way the flag writes it', () => {
    expect(parseThreshold('p99 < 2ms', 'hop:origin').scope).toEqual({ kind: 'hop', name: 'origin' });
    expect(parseThreshold('p99 < 2ms', 'item').scope).toEqual({ kind: 'request', name: 'item' });
  });

  it.each([
    [': p99 < 5ms', 'threshold ": p99 < 5ms": bad scope ""; expected a request name or hop:NAME before the last ":", e.g. "item: p99 < 5ms"'],
    ['hop:: p99 < 5ms', 'threshold "hop:: p99 < 5ms": bad scope "hop:"; expected a request name or hop:NAME before the last ":", e.g. "item: p99 < 5ms"'],
    ['a:b: p99 < 5ms', 'threshold "a:b: p99 < 5ms": bad scope "a:b"; expected a request name or hop:NAME before the last ":", e.g. "item: p99 < 5ms"'],
    ['hop:origin: error_rate < 1%', 'threshold "hop:origin: error_rate < 1%": metric "error_rate" is not measured per hop; allowed for hops: p50, p90, p99, p99.9, p99.99, pNN.N, max, mean'],
    ['hop:origin: rps > 5', 'threshold "hop:origin: rps > 5": metric "rps" is not measured per hop; allowed for hops: p50, p90, p99, p99.9, p99.99, pNN.N, max, mean'],
    ['item: p99 < 5 parsecs', 'threshold "item: p99 < 5 parsecs": unknown unit "parsecs"; allowed: us, ms, s'],
  ])('rejects --threshold %j', (flag, message) => {
    expect(() => parseThresholdFlag(flag)).toThrow(message);
  });
});
