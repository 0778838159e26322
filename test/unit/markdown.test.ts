import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { CheckResult } from '../../src/gate/check.js';
import type { GateReport } from '../../src/gate/gate.js';
import { trialDir } from '../../src/run-folder/layout.js';
import type { RunSet } from '../../src/run-folder/run-set.js';
import { escapeCell, markdownSummary } from '../../src/report/markdown.js';
import { writeRun } from './gate-fixtures.js';

const pass: CheckResult = { kind: 'threshold', check: 'p99 < 5ms', scope: 'overall', actual: 4000, actualText: '4.00ms', pass: true, message: 'p99 = 4.00ms, within < 5.00ms' };
const fail: CheckResult = { kind: 'threshold', check: 'max < 1ms', scope: 'request item', actual: 2000, actualText: '2.00ms', pass: false, message: 'a | b\nc' };

let single: RunSet;
let trials: RunSet;
beforeAll(async () => {
  const root = mkdtempSync(join(tmpdir(), 'hopscope-markdown-'));
  const intervals = [{ item: [1000, 2000], order: [3000] }];
  single = { dir: join(root, 'one'), runs: [await writeRun(join(root, 'one'), { intervals })] };
  trials = { dir: join(root, 'three'), runs: await Promise.all([1, 2, 3].map((n) => writeRun(trialDir(join(root, 'three'), n), { intervals }))) };
});

function report(candidate: RunSet, checks: CheckResult[], baseline?: RunSet): GateReport {
  return { candidate, baseline, method: baseline ? 'bootstrap' : undefined, toleranceRatio: 0.1, checks, passed: checks.every((c) => c.pass) };
}

describe('markdownSummary', () => {
  it('escapes what would break a table cell', () => {
    expect(escapeCell('a | b\\c\r\nd')).toBe('a \\| b\\\\c d');
  });

  it('gives the verdict, one row per check and the key percentiles per request', () => {
    const md = markdownSummary(report(single, [pass, fail]));
    const lines = md.split('\n');
    expect(lines[0]).toBe('## hopscope gate: ❌ failed (1 of 2 checks)');
    expect(lines).toContain(`Scenario **fixture**, one run in \`${single.dir}\`.`);
    expect(lines).toContain('|  | scope | check | actual | detail |');
    expect(lines).toContain('| ✅ | overall | p99 < 5ms | 4.00ms | p99 = 4.00ms, within < 5.00ms |');
    expect(lines).toContain('| ❌ | request item | max < 1ms | 2.00ms | a \\| b c |');
    expect(lines).toContain('| run | request | count | req/s | p50 | p90 | p99 | p99.9 | max | errors |');
    expect(lines).toContain('| candidate | item | 2 | 2.0 | 1.00ms | 2.00ms | 2.00ms | 2.00ms | 2.00ms | 0 |');
    expect(lines).toContain('| candidate | order | 1 | 1.0 | 3.00ms | 3.00ms | 3.00ms | 3.00ms | 3.00ms | 0 |');
    expect(lines).toContain('| candidate | all | 3 | 3.0 | 2.00ms | 3.00ms | 3.00ms | 3.00ms | 3.00ms | 0 |');
    expect(md.endsWith('\n')).toBe(true);
  });

  it('with trials and a baseline: one overall row per run and how the baseline was judged', () => {
    const md = markdownSummary(report(trials, [pass], single));
    expect(md.split('\n')[0]).toBe('## hopscope gate: ✅ passed (1 check)');
    expect(md).toContain(`3 trials in \`${trials.dir}\``);
    expect(md).toContain(`Baseline \`${single.dir}\`: a percentile fails when the 95% bootstrap confidence interval of candidate/baseline lies above +10.0% (1 vs 3 trials).`);
    for (const label of ['candidate trial-1', 'candidate trial-2', 'candidate trial-3', 'baseline']) expect(md).toContain(`| ${label} | all | 3 |`);
    expect(md).not.toContain('| item |');
  });

  it('says when there was nothing to check', () => {
    expect(markdownSummary(report(single, []))).toContain('No thresholds and no baseline: nothing was checked.');
  });
});
