import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { evaluateThresholds } from '../../src/gate/evaluate.js';
import { parseThresholdFlag } from '../../src/gate/threshold-parser.js';
import type { RunSummary } from '../../src/run-folder/summary.js';
import { writeRun } from './gate-fixtures.js';

const ONE_TO_1000 = Array.from({ length: 1000 }, (_, i) => i + 1);

/**
 * Three of the 2 ms orders carry Server-Timing (dur includes the hops behind): fastjson-api's own time 100, 200
 * and 300 us, origin's 1880, 1790 and 1690 us, and 20, 10 and 10 us outside the services.
 */
const ORDER_TIMINGS = ['fastjson-api;dur=1.980, origin;dur=1.880', 'fastjson-api;dur=1.990, origin;dur=1.790', 'fastjson-api;dur=1.990, origin;dur=1.690'];

let summary: RunSummary;
let noHops: RunSummary;
beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'hopscope-evaluate-'));
  // item: 1..1000 us each second for 2 s; order: 2 ms; 20 failed attempts of item.
  const intervals = [0, 1].map(() => ({ item: ONE_TO_1000, order: [2000, 2000] }));
  summary = (await writeRun(join(dir, 'a'), { intervals, failures: { item: 20 }, serverTiming: { order: ORDER_TIMINGS } })).summary;
  noHops = (await writeRun(join(dir, 'b'), { intervals })).summary;
});

function check(flag: string, runs = [summary]) {
  return evaluateThresholds([parseThresholdFlag(flag)], runs)[0]!;
}

describe('evaluateThresholds', () => {
  it.each([
    ['item: p50 < 501us', true, 500, 'p50 = 500us, within < 501us'],
    ['item: p50 < 500us', false, 500, 'p50 = 500us, expected < 500us'],
    ['item: p50 <= 500us', true, 500, 'p50 = 500us, within <= 500us'],
    ['item: p99 < 1ms', true, 990, 'p99 = 990us, within < 1.00ms'],
    ['item: max >= 1ms', true, 1000, 'max = 1.00ms, within >= 1.00ms'],
    ['item: mean > 600us', false, 500.5, 'mean = 501us, expected > 600us'],
    ['order: p99.9 < 2ms', false, 2000, 'p99.9 = 2.00ms, expected < 2.00ms'],
    ['item: error_rate < 0.5%', false, 20 / 2020, 'error_rate = 0.99%, expected < 0.50%'],
    ['item: rps >= 1000', true, 1000, 'rps = 1,000 req/s, within >= 1,000 req/s'],
    ['error_rate < 1%', true, 20 / 2024, 'error_rate = 0.99%, within < 1.00%'],
  ])('%s', (flag, pass, actual, message) => {
    const c = check(flag);
    expect(c.pass).toBe(pass);
    expect(c.actual).toBeCloseTo(actual, 6);
    expect(c.message).toBe(message);
  });

  it('reads percentiles other than the summary fields from the spectrum', () => {
    const c = check('item: p75 < 1ms');
    expect(c.actual).toBeGreaterThanOrEqual(750);
    expect(c.actual).toBeLessThan(800);
  });

  it('judges a hop on its own time, the residual as "outside"', () => {
    expect(check('hop:origin: p50 < 2.5ms')).toMatchObject({ pass: true, actual: 1790, scope: 'hop origin' });
    expect(check('hop:outside: max < 15us')).toMatchObject({ pass: false, actual: 20 });
  });

  it('fails, without crashing, a hop the run has no timings for', () => {
    expect(check('hop:origin: p99 < 2ms', [noHops])).toMatchObject({
      pass: false,
      actual: undefined,
      actualText: 'n/a',
      message: 'p99: no hop timings in this run (no response carried a Server-Timing header), so hop "origin" has none',
    });
    expect(check('hop:cache: p99 < 2ms').message).toBe('p99: no hop named "cache" in this run; hops: fastjson-api, origin, outside');
  });

  it('fails a request the run did not have', () => {
    expect(check('checkout: p99 < 2ms')).toMatchObject({ pass: false, message: 'p99: no request named "checkout" in this run; requests: item, order' });
  });

  it('judges the median of several trials', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hopscope-evaluate-trials-'));
    const trials = await Promise.all([1000, 3000, 2000].map((us, i) => writeRun(join(dir, `t${i}`), { intervals: [{ item: [us] }] })));
    const c = check('p50 < 2.5ms', trials.map((t) => t.summary));
    expect(c).toMatchObject({ pass: true, actual: 2000 });
    expect(c.message).toBe('p50 = 2.00ms (median of 3 trials: 1.00ms, 3.00ms, 2.00ms), within < 2.50ms');
  });
});
