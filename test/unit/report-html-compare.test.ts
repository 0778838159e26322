import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import type { RunSummary } from '../../src/run-folder/summary.js';
import { renderComparePage } from '../../src/report/html/compare-page.js';
import { chartJsSource } from '../../src/report/html/inline-assets.js';
import { makeSummary } from '../fixtures/runs/make-summary.js';
import { compareTable } from '../../src/report/compare-table.js';
import { compareRuns } from '../../src/report/comparison.js';

const base = makeSummary({ seed: 1 });
const slower = makeSummary({ seed: 2, latencyScale: 1.25 });

function charts(page: string): string[] {
  return [...page.matchAll(/<canvas data-chart="([^"]+)"([^>]*)>/g)].map((m) => `${m[1]}${m[2]}`);
}

describe('renderComparePage', () => {
  const page = renderComparePage([
    { label: 'main', summary: base },
    { label: 'pr-482', summary: slower },
  ]);

  it('is a self-contained page with the spectra of every run embedded', () => {
    expect(page.startsWith('<!doctype html>')).toBe(true);
    expect(page.includes(chartJsSource())).toBe(true);
    const data = JSON.parse(/<script type="application\/json" id="hopscope-data">([\s\S]*?)<\/script>/.exec(page)![1]!);
    expect(data).toEqual({ runs: [{ label: 'main', spectrum: base.spectrum }, { label: 'pr-482', spectrum: slower.spectrum }] });
  });

  it('overlays all requests, then each request name the runs share, on a log latency axis', () => {
    expect(charts(page)).toEqual([
      'compare-spectrum data-y-scale="log"',
      'compare-spectrum data-request="item" data-y-scale="log"',
      'compare-spectrum data-request="order" data-y-scale="log"',
    ]);
  });

  it('tabulates the percentiles with deltas against the first run', () => {
    expect(page).toContain('<td>main (baseline)</td>');
    const p99 = (s: RunSummary) => s.overall.latency.p99Us;
    const delta = ((p99(slower) / p99(base) - 1) * 100).toFixed(1);
    expect(page).toContain(`<span class="bad">+${delta}%</span>`);
  });

  it('draws no per-request charts when the runs share no request name', () => {
    const renamed: RunSummary = { ...slower, spectrum: { ...slower.spectrum, requests: { other: slower.spectrum.overall } } };
    expect(charts(renderComparePage([{ label: 'a', summary: base }, { label: 'b', summary: renamed }]))).toEqual(['compare-spectrum data-y-scale="log"']);
  });

  it('warns before the deltas when the runs are not comparable', () => {
    const elsewhere: RunSummary = { ...slower, run: { ...slower.run, machine: { ...slower.run.machine, cpuModel: 'Apple M3' } } };
    expect(renderComparePage([{ label: 'a', summary: base }, { label: 'b', summary: elsewhere }])).toContain('<li>the runs were made on different machines</li>');
  });

  it('refuses an empty list', () => {
    expect(() => renderComparePage([])).toThrow(UsageError);
  });

  it('compares each request name too, in the table and on the page', () => {
    const runs = [{ label: 'main', summary: base }, { label: 'pr-482', summary: slower }];
    const comparison = compareRuns(runs);
    expect(comparison.requests.map((r) => r.name)).toEqual(['item', 'order']);
    const item = comparison.requests[0]!;
    const itemOf = (s: RunSummary) => s.requests.find((r) => r.name === 'item')!.latency.p99Us;
    expect(item.latencyRatios.p99).toEqual([1, itemOf(slower) / itemOf(base)]);
    const text = compareTable(runs, false);
    expect(text).toMatch(/^all requests\n/);
    expect(text).toContain('\nrequest item\n');
    expect(text).toContain('\nrequest order\n');
    expect(page).toContain('<h2>Percentiles per request</h2>');
    expect(page).toContain(`<h3>order</h3>`);
  });

  it('marks a request one run lacks instead of inventing a delta', () => {
    const renamed: RunSummary = { ...slower, requests: slower.requests.map((r) => (r.name === 'order' ? { ...r, name: 'order-v2' } : r)) };
    const comparison = compareRuns([{ label: 'a', summary: base }, { label: 'b', summary: renamed }]);
    expect(comparison.requests.map((r) => [r.name, r.runs.map((x) => x !== undefined)])).toEqual([['item', [true, true]], ['order', [true, false]], ['order-v2', [false, true]]]);
    expect(comparison.requests[1]!.latencyRatios.p99).toEqual([1, undefined]);
  });
});
