import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { compareToBaseline, parseTolerance } from '../../src/gate/baseline.js';
import { runGate } from '../../src/gate/gate.js';
import { readRunIntervals } from '../../src/run-folder/interval-log.js';
import { trialDir } from '../../src/run-folder/layout.js';
import { loadRunSet, type RunSet } from '../../src/run-folder/run-set.js';
import { parseThresholdFlag } from '../../src/gate/threshold-parser.js';
import { logNormalUs, steadyIntervals, writeRun, type Interval } from './gate-fixtures.js';

let root: string;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'hopscope-baseline-'));
});

async function runSet(name: string, ...trials: Interval[][]): Promise<RunSet> {
  const dir = join(root, name);
  if (trials.length === 1) await writeRun(dir, { intervals: trials[0]! });
  else for (const [i, intervals] of trials.entries()) await writeRun(trialDir(dir, i + 1), { intervals });
  return loadRunSet(dir, 'test');
}

describe('parseTolerance', () => {
  it.each([
    ['10%', 0.1],
    ['2.5 %', 0.025],
    ['0%', 0],
  ])('%s', (text, ratio) => expect(parseTolerance(text)).toBeCloseTo(ratio, 9));

  it.each(['10', '0.1', 'ten%', '-5%'])('rejects %j', (text) => {
    expect(() => parseTolerance(text)).toThrow(`--tolerance: expected a percentage like 10%, got "${text}"`);
  });
});

describe('compareToBaseline, noise-aware', () => {
  it('A/A: nothing fails', async () => {
    const base = await runSet('aa-base', steadyIntervals(1, 15, 300, 1000));
    const cand = await runSet('aa-cand', steadyIntervals(2, 15, 300, 1000));
    const { method, checks } = compareToBaseline(base, cand, 0.1);
    expect(method).toBe('bootstrap');
    expect(checks.map((c) => c.check)).toEqual(['p50 vs baseline', 'p90 vs baseline', 'p99 vs baseline', 'p99.9 vs baseline']);
    expect(checks.every((c) => c.pass)).toBe(true);
    expect(checks[2]!.message).toMatch(/^p99 \S+ -> \S+ \([+-]\d+\.\d%; 95% CI [+-]\d+\.\d% to [+-]\d+\.\d%, 1 vs 1 trial\): not shown slower than \+10\.0%$/);
  });

  it('A/B 40% slower: the percentiles fail', async () => {
    const base = await runSet('ab-base', steadyIntervals(1, 15, 300, 1000));
    const cand = await runSet('ab-cand', steadyIntervals(2, 15, 300, 1400));
    const { checks } = compareToBaseline(base, cand, 0.1);
    expect(checks.slice(0, 3).map((c) => c.pass)).toEqual([false, false, false]);
    expect(checks[0]!.actual).toBeCloseTo(1.4, 1);
    expect(checks[0]!.message).toMatch(/slower beyond \+10\.0% with 95% confidence$/);
  });

  it('decides on every trial of both sides', async () => {
    const base = await runSet('trials-base', steadyIntervals(1, 5, 300, 1000), steadyIntervals(2, 5, 300, 1000));
    const cand = await runSet('trials-cand', steadyIntervals(3, 5, 300, 1500), steadyIntervals(4, 5, 300, 1500), steadyIntervals(5, 5, 300, 1500));
    expect(cand.runs.map((r) => r.dir)).toEqual([1, 2, 3].map((n) => trialDir(join(root, 'trials-cand'), n)));
    const { checks } = compareToBaseline(base, cand, 0.1);
    expect(checks[0]!.message).toContain('2 vs 3 trials');
    expect(checks[0]!.pass).toBe(false);
  });

  it('leaves warm-ups out, as summary.json does', async () => {
    const dir = join(root, 'warm');
    const { summary } = await writeRun(dir, { warmUp: steadyIntervals(9, 3, 100, 50_000), intervals: steadyIntervals(1, 4, 100, 1000) });
    const intervals = readRunIntervals(dir, summary)!;
    expect(intervals.overall).toHaveLength(4);
    expect(intervals.requests.get('item')).toHaveLength(4);
  });

  it('checks each request when there are several, and fails one the candidate lost', async () => {
    const two = (seed: number): Interval[] => steadyIntervals(seed, 5, 200, 1000).map((i, s) => ({ ...i, order: logNormalUs(seed + s, 50, 3000) }));
    const base = await runSet('req-base', two(1));
    const cand = await runSet('req-cand', steadyIntervals(2, 5, 200, 1000));
    const { checks } = compareToBaseline(base, cand, 0.1);
    expect(new Set(checks.map((c) => c.scope))).toEqual(new Set(['overall', 'request item', 'request order']));
    expect(checks.find((c) => c.scope === 'request order')).toMatchObject({ pass: false, message: 'request order had successful responses in the baseline, none in the candidate' });
  });
});

describe('compareToBaseline without latency.hlog', () => {
  it('compares the summaries, point against point', async () => {
    const base = await runSet('point-base', [{ item: [1000, 1000, 2000] }]);
    const cand = await runSet('point-cand', [{ item: [1000, 1050, 2400] }]);
    rmSync(join(base.dir, 'latency.hlog'));
    const { method, checks } = compareToBaseline(base, cand, 0.1);
    expect(method).toBe('point');
    expect(checks.map((c) => [c.check, c.pass, c.message])).toEqual([
      ['p50 vs baseline', true, 'p50 1.00ms -> 1.05ms (+5.0%): within the +10.0% allowed'],
      ['p90 vs baseline', false, 'p90 2.00ms -> 2.40ms (+20.0%): more than the +10.0% allowed'],
      ['p99 vs baseline', false, 'p99 2.00ms -> 2.40ms (+20.0%): more than the +10.0% allowed'],
      ['p99.9 vs baseline', false, 'p99.9 2.00ms -> 2.40ms (+20.0%): more than the +10.0% allowed'],
    ]);
  });
});

describe('loadRunSet', () => {
  it.each([
    ['missing', (dir: string) => `run folder ${dir}: no such folder`],
    ['empty', (dir: string) => `run folder ${dir}: not a run folder (no summary.json, nor trial-N/summary.json)`],
  ])('%s folder', (name, message) => {
    const dir = join(root, name);
    if (name === 'empty') mkdirSync(dir);
    expect(() => loadRunSet(dir, 'run folder')).toThrow(message(dir));
  });
});

describe('runGate', () => {
  it("judges the scenario's thresholds and the flags' together", async () => {
    const dir = join(root, 'gate');
    await writeRun(dir, { intervals: [{ item: [1000, 2000] }], thresholds: [{ expression: 'p50 < 5ms' }, { expression: 'max < 1ms', scope: 'item' }] });
    const report = runGate({ candidate: loadRunSet(dir, 'run'), flagThresholds: [parseThresholdFlag('error_rate < 1%')], baseline: undefined, toleranceRatio: 0.1 });
    expect(report.checks.map((c) => [c.scope, c.check, c.pass])).toEqual([
      ['overall', 'p50 < 5ms', true],
      ['request item', 'max < 1ms', false],
      ['overall', 'error_rate < 1%', true],
    ]);
    expect(report.passed).toBe(false);
    expect(report.method).toBeUndefined();
  });
});
