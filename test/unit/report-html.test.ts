import { tailSentence } from '../../src/report/tail-sentence.js';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { Script } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/program.js';
import { UsageError } from '../../src/errors.js';
import type { RunSummary } from '../../src/run-folder/summary.js';
import { CHARTS_SCRIPT } from '../../src/report/html/charts-script.js';
import { chartJsSource, embedJson } from '../../src/report/html/inline-assets.js';
import { renderReport } from '../../src/report/html/report-page.js';
import { writeHtmlReport } from '../../src/report/html/write-report.js';
import { formatRate, formatUs } from '../../src/units.js';
import { makeSummary } from '../fixtures/runs/make-summary.js';

const summary = makeSummary();
const html = renderReport(summary);

/** toContain would print the whole page (chart.js included) on a failure; this prints the missing text. */
function expectText(page: string, text: string): void {
  expect(page.includes(text), `page should contain: ${text}`).toBe(true);
}

function embedded(page: string): unknown {
  const match = /<script type="application\/json" id="hopscope-data">([\s\S]*?)<\/script>/.exec(page);
  expect(match, 'the data element').not.toBeNull();
  return JSON.parse(match![1]!);
}

function withoutOptionalSections(s: RunSummary): RunSummary {
  const { hops: _h, gc: _g, resources: _r, faults: _f, amplification: _a, generator: _gen, ...rest } = s;
  return { ...rest, timeline: [], warnings: [] };
}

function runDir(summaryJson: string | undefined): string {
  const dir = mkdtempSync(join(tmpdir(), 'hopscope-report-'));
  if (summaryJson !== undefined) writeFileSync(join(dir, 'summary.json'), summaryJson);
  return dir;
}

describe('renderReport', () => {
  it('is one self-contained document with chart.js and the chart builders inlined', () => {
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html.includes(chartJsSource())).toBe(true);
    expect(html.includes(CHARTS_SCRIPT)).toBe(true);
    expect(html.match(/<html/g)).toHaveLength(1);
  });

  it('loads nothing from anywhere: no src, no stylesheet link, no remote URL in an attribute or CSS', () => {
    expect(html.match(/<(script|img|iframe|link|source|video|audio)\b[^>]*\b(src|href)=/i)).toBeNull();
    expect(html.match(/\b(src|href)\s*=\s*["']?(https?:)?\/\//i)).toBeNull();
    expect(html.match(/url\(\s*["']?(https?:)?\/\//i)).toBeNull();
    expectText(html, `<meta http-equiv="Content-Security-Policy" content="default-src 'none';`);
  });

  it('embeds the summary as JSON that parses back to it', () => {
    expect(embedded(html)).toEqual(summary);
  });

  it('escapes </script>, <script> and <!-- in data and text, and the data still round-trips', () => {
    const hostile = '</script><script>alert(1)</script><!--';
    const s: RunSummary = { ...summary, scenario: { ...summary.scenario, description: hostile }, warnings: [hostile] };
    const page = renderReport(s);
    // Exactly the page's own three scripts end: the data, chart.js, the chart builders.
    expect(page.match(/<\/script/gi)).toHaveLength(3);
    expect(page.includes('<script>alert(1)'), 'no raw <script> from the data').toBe(false);
    expectText(page, '&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;&lt;!--');
    expect(embedded(page)).toEqual(s);
    expect(JSON.parse(embedJson({ s: hostile }))).toEqual({ s: hostile });
  });

  it('shows the headline, the per-request table, the warnings and the run metadata', () => {
    const o = summary.overall;
    expectText(html, `<h1>quickstart <span class="badge bad">2 warnings</span></h1>`);
    expectText(html, `p99 <b>${formatUs(o.latency.p99Us)}</b> at <b>${formatRate(o.rateRps)} req/s</b>`);
    expectText(html, `${o.errors} errors`);
    for (const name of ['item', 'order', 'all']) expectText(html, `<td>${name}</td>`);
    for (const w of summary.warnings) expectText(html, w.replaceAll("'", '&#39;'));
    for (const text of ['scenarios/quickstart.yaml', 'docker (Docker Engine 27.3.1)', 'AMD EPYC 7B13', '--hop-name=origin --origin-work-us=200', 'rust-cache-server', `${summary.hopscope.version}, engine hopscope`]) {
      expectText(html, text);
    }
  });

  it('has a canvas for every chart the data allows', () => {
    const kinds = [...html.matchAll(/data-chart="([^"]+)"/g)].map((m) => m[1]);
    expect(kinds).toEqual(['spectrum-requests', 'timeline', 'tails', 'spectrum-hops', 'cpu', 'memory']);
  });

  it('says in words that a Rust service has no garbage collector, and tabulates the Go one', () => {
    expectText(html, '<h3>api (fastjson-api): no garbage collector, nothing to show</h3>');
    expectText(html, 'Rust: memory is freed deterministically, there is no garbage collector');
    expectText(html, '<h3>cache (rust-cache-server): Go GC</h3>');
    expectText(html, 'during a pause');
  });

  it("says what it could not see of an own service, and does not draw an unreadable GC as 'no pauses'", () => {
    const own: RunSummary = {
      ...summary,
      services: [...summary.services, { name: 'files', kind: 'own', language: 'python', hop: 'files', url: 'http://127.0.0.1:8000', args: [], describe: 'process: python3', unseen: ['no response carried a Server-Timing entry named "files"'] }],
      gc: [...summary.gc!, { service: 'files', collector: 'unseen', note: 'python: no GC source is configured', pauses: [], lost: 0, pauseStats: summary.gc![0]!.pauseStats, correlation: undefined }],
    };
    const page = renderReport(own);
    expectText(page, '<h3>What hopscope could not see</h3><ul class="unseen"><li><b>files</b>: no response carried a Server-Timing entry named &quot;files&quot;</li></ul>');
    expectText(page, '<h3>files (own): GC not visible to hopscope</h3><p class="sentence">python: no GC source is configured</p>');
    expect(html.includes('What hopscope could not see'), 'nothing unseen, nothing said').toBe(false);
  });

  it("puts the generator's own CPU per phase beside the services' CPU", () => {
    const recorded = summary.phases.filter((p) => p.generator);
    expect(recorded.length).toBeGreaterThan(0);
    expectText(html, '<th class="num">CPU ms per 1,000 requests</th>');
    for (const p of recorded) expectText(html, `<td>${p.name}</td><td class="num">${p.sent.toLocaleString('en-US')}</td><td class="num">${(p.generator!.cpuMs / 1000).toFixed(2)}</td>`);
    expectText(html, '<th>CPU of each service (mean, of one core)</th>');
    expect(html).toMatch(/<td>api \d+%, cache \d+%, origin \d+%<\/td>/);
  });

  it('puts the tail sentences and the faults on the page', () => {
    for (const tail of summary.hops!.tails) expectText(html, tailSentence(tail));
    const pause = summary.faults!.find((f) => f.kind === 'pause')!;
    expectText(html, `<td>${pause.kind}</td><td>${pause.service}</td><td>${pause.detail}</td>`);
  });

  it('says "not recorded in this run" for absent sections and draws no chart for them', () => {
    const page = renderReport(withoutOptionalSections(summary));
    for (const title of ['Latency over time', 'Where the tail went (per hop)', 'Garbage collection', 'CPU and memory per service', 'Load generator health']) {
      expect(page.match(new RegExp(`<section id="[a-z]+" class="missing"><h2>${title.replace(/[()]/g, '\\$&')}</h2>\\n<p class="absent">not recorded in this run`)), title).not.toBeNull();
    }
    expect([...page.matchAll(/data-chart="([^"]+)"/g)].map((m) => m[1])).toEqual(['spectrum-requests']);
    expect(page.includes('class="warnings"')).toBe(false);
  });

  it('is deterministic: the same summary gives the same page', () => {
    expect(renderReport(makeSummary())).toBe(html);
  });

  it('ships chart builders that at least parse as JavaScript', () => {
    expect(() => new Script(CHARTS_SCRIPT)).not.toThrow();
  });
});

describe('writeHtmlReport', () => {
  it('writes DIR/report.html from DIR/summary.json and returns its path', () => {
    const dir = runDir(JSON.stringify(summary));
    const path = writeHtmlReport(dir);
    expect(path).toBe(join(dir, 'report.html'));
    expect(readFileSync(path, 'utf8')).toBe(html);
  });

  it.each([
    ['a folder that does not exist', () => join(tmpdir(), 'hopscope-no-such-run'), /hopscope-no-such-run: no such run folder \(expected a folder holding summary\.json\)/],
    ['a folder without summary.json', () => runDir(undefined), /summary\.json: not found; a run folder holds summary\.json/],
    ['a summary.json that is not JSON', () => runDir('{ nope'), /summary\.json: not valid JSON \(.*\); expected a hopscope run summary/],
    ['some other JSON file', () => runDir('{"name":"x"}'), /summary\.json: not a hopscope run summary \(no "schema" field, expected "hopscope\.summary\/v2"\)/],
    ['a summary of another schema version', () => runDir('{"schema":"hopscope.summary/v0"}'), /written by a different hopscope version \(schema "hopscope\.summary\/v0", expected "hopscope\.summary\/v2"\)/],
  ])('refuses %s with a UsageError naming the path', (_, dir, message) => {
    const error = (() => {
      try {
        writeHtmlReport(dir());
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toMatch(message);
  });
});

describe('hopscope report DIR', () => {
  function io(cwd: string) {
    const out = { stdout: '', stderr: '' };
    const stdout = new PassThrough().on('data', (d: Buffer) => (out.stdout += d));
    const stderr = new PassThrough().on('data', (d: Buffer) => (out.stderr += d));
    return { io: { stdout, stderr, env: {}, cwd }, out };
  }

  it('prints the path of the report it wrote, relative DIR resolved against the working directory', async () => {
    const parent = mkdtempSync(join(tmpdir(), 'hopscope-cli-'));
    mkdirSync(join(parent, 'run'));
    writeFileSync(join(parent, 'run', 'summary.json'), JSON.stringify(summary));
    const { io: cli, out } = io(parent);
    expect(await main(['report', 'run'], cli)).toBe(0);
    expect(out.stdout).toBe(`${join(parent, 'run', 'report.html')}\n`);
  });

  it('exits 2 with the reason on stderr when DIR is not a run folder', async () => {
    const { io: cli, out } = io(tmpdir());
    expect(await main(['report', 'hopscope-no-such-run'], cli)).toBe(2);
    expect(out.stderr).toContain('hopscope-no-such-run: no such run folder');
    expect(out.stderr).toContain('hint: give a run folder written by `hopscope run`');
  });
});
