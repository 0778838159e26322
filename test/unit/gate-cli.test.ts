import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/program.js';
import { capture, steadyIntervals, writeRun } from './gate-fixtures.js';

let root: string;
beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'hopscope-gate-cli-'));
  await writeRun(join(root, 'fast'), { intervals: steadyIntervals(1, 5, 200, 1000), thresholds: [{ expression: 'error_rate < 1%' }] });
  await writeRun(join(root, 'slow'), { intervals: steadyIntervals(2, 5, 200, 2000) });
});

describe('hopscope gate', () => {
  it('exits 0 when every check passes, with the scenario thresholds and the flags in one table', async () => {
    const { io, out } = capture(root);
    expect(await main(['gate', 'fast', '--threshold', 'p99 < 1s', '--threshold', 'item: p50 < 2ms'], io)).toBe(0);
    expect(out.stdout).toMatch(/│ pass +│ overall +│ error_rate < 1% +│/);
    expect(out.stdout).toMatch(/│ pass +│ request item │ p50 < 2ms +│/);
    expect(out.stdout).toContain('gate: passed (3 checks)');
    expect(out.stderr).toBe('');
  });

  it('exits 1 when a check fails, and says so on stderr', async () => {
    const { io, out } = capture(root);
    expect(await main(['gate', 'slow', '--baseline', 'fast', '--threshold', 'p50 < 1ms'], io)).toBe(1);
    expect(out.stdout).toContain('FAIL overall p50 < 1ms: p50 = ');
    expect(out.stdout).toMatch(/FAIL overall p50 vs baseline: p50 \S+ -> \S+ \(\+\d+\.\d%; 95% CI/);
    expect(out.stderr).toBe('hopscope: gate failed (5 of 5 checks)\n');
  });

  it('exits 2 on a bad expression, naming the bad token', async () => {
    const { io, out } = capture(root);
    expect(await main(['gate', 'fast', '--threshold', 'p99 < 5 parsecs'], io)).toBe(2);
    expect(out.stderr).toBe('hopscope: threshold "p99 < 5 parsecs": unknown unit "parsecs"; allowed: us, ms, s\n');
  });

  it('exits 2 when the folder is not a run', async () => {
    const { io, out } = capture(root);
    expect(await main(['gate', 'nowhere'], io)).toBe(2);
    expect(out.stderr).toContain(`run folder ${join(root, 'nowhere')}: no such folder`);
  });

  it('writes --junit and --markdown, and appends to $GITHUB_STEP_SUMMARY once', async () => {
    const summaryFile = join(root, 'step-summary.md');
    writeFileSync(summaryFile, '# earlier step\n');
    const { io } = capture(root, { GITHUB_STEP_SUMMARY: summaryFile });
    expect(await main(['gate', 'fast', '--junit', 'out/junit.xml', '--markdown', summaryFile], io)).toBe(0);
    expect(readFileSync(join(root, 'out', 'junit.xml'), 'utf8')).toContain('<testcase classname="hopscope.threshold" name="overall: error_rate &lt; 1%"');
    const appended = readFileSync(summaryFile, 'utf8');
    expect(appended.startsWith('# earlier step\n## hopscope gate: ✅ passed (1 check)\n')).toBe(true);
    expect(appended.match(/## hopscope gate/g)).toHaveLength(1);
  });
});

describe('hopscope compare', () => {
  it('prints deltas against the first run and writes the compare page', async () => {
    const { io, out } = capture(root);
    expect(await main(['compare', 'fast', 'slow', '--out', 'cmp.html'], io)).toBe(0);
    expect(out.stdout).toMatch(/│ p50 +│ +\S+ │ +\S+ \(\+\d+\.\d%\) │/);
    for (const row of ['p90', 'p99', 'p99.9', 'p99.99', 'max', 'req/s', 'errors']) expect(out.stdout).toContain(`│ ${row} `);
    expect(out.stdout).toContain('changes are against fast');
    expect(readFileSync(join(root, 'cmp.html'), 'utf8')).toContain('<html');
  });

  it('exits 2 with fewer than two runs', async () => {
    const { io, out } = capture(root);
    expect(await main(['compare', 'fast'], io)).toBe(2);
    expect(out.stderr).toContain('compare needs at least two runs, got 1');
    expect(existsSync(join(root, 'compare.html'))).toBe(false);
  });
});
