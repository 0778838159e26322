import { describe, expect, it } from 'vitest';
import { generatorHealth } from '../../src/analyze/generator-health.js';
import { GeneratorMonitor } from '../../src/record/observers/generator-health.js';
import { renderReport } from '../../src/report/html/report-page.js';
import { makeSummary } from '../fixtures/runs/make-summary.js';

describe("the generator's interval ends", () => {
  it('are reported as percentiles of the times given, in microseconds, and carried into the health figures', () => {
    const monitor = new GeneratorMonitor(0);
    monitor.start();
    for (const ms of [0.8, 1.2, 1.0, 9.5]) monitor.intervalEnd(ms);
    const seen = monitor.stop();
    expect(seen.intervalEnds).toMatchObject({ count: 4, minUs: 800, maxUs: 9500 });
    expect(seen.intervalEnds!.p50Us).toBe(1000);
    expect(generatorHealth(seen, 0).intervalEnds).toEqual(seen.intervalEnds);
  });

  it('are absent when no interval closed during the load, as in a run folder written before they were timed', () => {
    const monitor = new GeneratorMonitor(0);
    monitor.start();
    const seen = monitor.stop();
    expect(seen).not.toHaveProperty('intervalEnds');
    expect(generatorHealth(seen, 0)).not.toHaveProperty('intervalEnds');
  });

  it('get a row in the HTML report only when the summary has them', () => {
    const summary = makeSummary();
    const intervalEnds = { count: 14, minUs: 610, meanUs: 1400, p50Us: 1_234, p90Us: 2_000, p99Us: 7_000, p999Us: 7_000, p9999Us: 7_000, maxUs: 7_000 };
    expect(renderReport(summary)).not.toContain('<td>interval ends</td>');
    const page = renderReport({ ...summary, generator: { ...summary.generator!, intervalEnds } });
    expect(page).toContain('<tr><td>interval ends</td><td class="num">14</td><td class="num">1.23ms</td><td class="num">7.00ms</td>');
  });
});
