/**
 * Opens the real report.html and compare page from disk in Debian's Chromium: no console or page error, no
 * request beyond the file itself, every chart drawn; full-page screenshots go to reports/test-artifacts/.
 */

import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderComparePage } from '../../src/report/html/compare-page.js';
import { writeHtmlReport } from '../../src/report/html/write-report.js';
import { makeSummary } from '../fixtures/runs/make-summary.js';

const CHROMIUM = '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
const SKIP = `(skipped: ${CHROMIUM} not found; install Debian's "chromium" package)`;
const ARTIFACTS = fileURLToPath(new URL('../../reports/test-artifacts/', import.meta.url));

/** Runs in the page: what each canvas's chart holds and how many of its pixels were painted. */
const PROBE_CHARTS = `[...document.querySelectorAll('canvas')].map((canvas) => {
  const chart = window.Chart.getChart(canvas);
  const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
  let painted = 0;
  for (let i = 3; i < pixels.length; i += 4) if (pixels[i] !== 0) painted++;
  return { kind: canvas.dataset.chart, datasets: chart ? chart.data.datasets.length : 0, painted, height: canvas.height };
})`;

interface ChartProbe {
  kind: string;
  datasets: number;
  painted: number;
  height: number;
}

let context: BrowserContext;
let userDataDir: string;

beforeAll(async () => {
  if (!hasChromium) return;
  mkdirSync(ARTIFACTS, { recursive: true });
  userDataDir = mkdtempSync(join(tmpdir(), 'hopscope-chromium-'));
  context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    viewport: { width: 1280, height: 900 },
  });
});

afterAll(async () => {
  await context?.close();
  if (userDataDir) rmSync(userDataDir, { recursive: true, force: true });
});

/** Loads a page from disk and returns its chart probes and every problem the browser reported. */
async function open(path: string, screenshot: string, act?: (page: Page) => Promise<void>): Promise<{ charts: ChartProbe[]; problems: string[]; canvases: number }> {
  const page = await context.newPage();
  const problems: string[] = [];
  const url = pathToFileURL(path).href;
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('request', (r) => {
    if (r.url() !== url) problems.push(`request: ${r.url()}`);
  });
  await page.goto(url, { waitUntil: 'load' });
  const charts = (await page.evaluate(PROBE_CHARTS)) as ChartProbe[];
  const canvases = await page.locator('canvas').count();
  await act?.(page);
  await page.screenshot({ path: join(ARTIFACTS, screenshot), fullPage: true });
  await page.close();
  return { charts, problems, canvases };
}

describe('HTML pages in Chromium', () => {
  it.skipIf(!hasChromium)(`report.html draws every chart without an error ${hasChromium ? '' : SKIP}`, async () => {
    const runDir = join(ARTIFACTS, 'report-run');
    mkdirSync(runDir, { recursive: true });
    writeFileSync(join(runDir, 'summary.json'), JSON.stringify(makeSummary(), null, 2));
    const { charts, problems, canvases } = await open(writeHtmlReport(runDir), 'report.png');

    expect(problems).toEqual([]);
    expect(charts.map((c) => c.kind).sort()).toEqual(['cpu', 'memory', 'spectrum-hops', 'spectrum-requests', 'tails', 'timeline']);
    expect(charts).toHaveLength(canvases);
    for (const c of charts) {
      expect(c.datasets, c.kind).toBeGreaterThan(0);
      // Axes and labels alone paint a few percent; a chart with its lines paints clearly more than nothing.
      expect(c.painted, c.kind).toBeGreaterThan(1000);
    }
  });

  it.skipIf(!hasChromium)(`report.html of a run without hops, GC, resources or timeline draws what it has ${hasChromium ? '' : SKIP}`, async () => {
    const runDir = join(ARTIFACTS, 'report-run-minimal');
    mkdirSync(runDir, { recursive: true });
    const { hops: _h, gc: _g, resources: _r, faults: _f, amplification: _a, generator: _gen, ...rest } = makeSummary({ seed: 7 });
    writeFileSync(join(runDir, 'summary.json'), JSON.stringify({ ...rest, timeline: [] }));
    const { charts, problems } = await open(writeHtmlReport(runDir), 'report-minimal.png', async (page) => {
      // The log-axis toggle redraws the spectrum without an error.
      await page.getByLabel('log latency axis').check();
      expect(await page.evaluate('window.Chart.getChart(document.querySelector("canvas")).options.scales.y.type')).toBe('logarithmic');
    });

    expect(problems).toEqual([]);
    expect(charts.map((c) => c.kind)).toEqual(['spectrum-requests']);
    expect(charts[0]!.painted).toBeGreaterThan(1000);
  });

  it.skipIf(!hasChromium)(`compare page overlays the runs without an error ${hasChromium ? '' : SKIP}`, async () => {
    const path = join(ARTIFACTS, 'compare.html');
    const runs = [
      { label: 'main', summary: makeSummary({ seed: 1 }) },
      { label: 'pr-482', summary: makeSummary({ seed: 2, latencyScale: 1.25 }) },
      { label: 'tuned-gc', summary: makeSummary({ seed: 3, latencyScale: 0.85 }) },
    ];
    writeFileSync(path, renderComparePage(runs));
    const { charts, problems } = await open(path, 'compare.png');

    expect(problems).toEqual([]);
    expect(charts.map((c) => c.kind)).toEqual(['compare-spectrum', 'compare-spectrum', 'compare-spectrum']);
    for (const c of charts) {
      expect(c.datasets).toBe(3);
      expect(c.painted).toBeGreaterThan(1000);
    }
  });
});
