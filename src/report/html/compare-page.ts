/** Several runs on one page: their spectra overlaid and their percentiles with deltas against the first. */

import { UsageError } from '../../errors.js';
import type { RunSummary } from '../../run-folder/summary.js';
import { formatChange, formatCount, formatRate, formatUs } from '../../units.js';
import { COMPARED_PERCENTILES, compareRuns, type ComparisonScope, type LabelledRun } from '../comparison.js';
import { chart, note, section, table, type Cell } from './elements.js';
import { esc } from './escape.js';
import { htmlPage } from './page.js';
import { NINES_NOTE } from './sections/spectrum.js';

/** Runs differ in the body as often as in the tail; a log latency axis shows both, so it is the default here. */
const COMPARE_NOTE = `${NINES_NOTE} Latency on a log axis here so that differences in the body and in the tail both show; untick to see it linear.`;

/** Below this relative change a delta is shown but not coloured: run-to-run noise, not a finding. */
const NOISE = 0.02;

function withDelta(valueUs: number, ratio: number | undefined): Cell {
  if (ratio === undefined) return formatUs(valueUs);
  const cls = Math.abs(ratio - 1) < NOISE ? 'note' : ratio > 1 ? 'bad' : 'good';
  return { html: `${esc(formatUs(valueUs))} <span class="${cls}">${formatChange(ratio)}</span>` };
}

function percentileTable(scope: ComparisonScope, runs: readonly LabelledRun[]): string {
  return table(
    [{ head: 'run' }, { head: 'scenario' }, { head: 'req/s', numeric: true }, { head: 'errors', numeric: true }, ...COMPARED_PERCENTILES.map(([head]) => ({ head, numeric: true }))],
    runs.map((r, i) => {
      const stats = scope.runs[i];
      return [
        i === 0 ? `${r.label} (baseline)` : r.label,
        r.summary.scenario.name,
        stats ? formatRate(stats.rateRps) : '-',
        stats ? formatCount(stats.errors) : '-',
        ...COMPARED_PERCENTILES.map(([p]) => (stats ? withDelta(stats.latencyUs[p]!, i === 0 ? undefined : scope.latencyRatios[p]![i]) : '-')),
      ];
    }),
  );
}

/** What makes runs hard to compare, said before anyone reads a delta. */
function caveats(runs: readonly LabelledRun[]): string[] {
  const distinct = (f: (s: RunSummary) => string) => new Set(runs.map((r) => f(r.summary))).size > 1;
  return [
    distinct((s) => s.scenario.name) ? 'the runs are of different scenarios' : '',
    distinct((s) => `${s.run.machine.cpus} ${s.run.machine.cpuModel}`) ? 'the runs were made on different machines' : '',
    distinct((s) => s.hopscope.engine) ? 'the runs used different load engines' : '',
    ...runs.filter((r) => r.summary.run.interrupted).map((r) => `${r.label} was interrupted: partial results`),
    ...runs.filter((r) => r.summary.warnings.length).map((r) => `${r.label} has ${r.summary.warnings.length} warning(s); see its report`),
  ].filter(Boolean);
}

/** Request names present in every run: only those have spectra worth overlaying. */
function sharedRequestNames(runs: readonly LabelledRun[]): string[] {
  const [first, ...rest] = runs.map((r) => Object.keys(r.summary.spectrum.requests));
  return (first ?? []).filter((name) => rest.every((names) => names.includes(name)));
}

export function renderComparePage(runs: readonly LabelledRun[]): string {
  if (runs.length === 0) throw new UsageError('nothing to compare: no runs given');
  const labels = runs.map((r) => r.label);
  const warnings = caveats(runs);
  const names = sharedRequestNames(runs);
  const comparison = compareRuns(runs);
  const requestTables = comparison.requests.length > 1 ? comparison.requests.map((scope) => `<h3>${esc(scope.name)}</h3>${percentileTable(scope, runs)}`) : [];
  const perRequest = names.length > 1 ? names.map((name) => `<div><h3>${esc(name)}</h3>${chart('compare-spectrum', 260, { request: name, 'y-scale': 'log' })}</div>`) : [];
  const body = [
    `<header class="page"><h1>Compare: ${esc(labels.join(' vs '))}</h1><p class="sub">Deltas are against the first run, ${esc(labels[0]!)}; latencies of successful responses over the recorded phases.</p></header>`,
    warnings.length ? `<div class="warnings"><h2>Before reading the deltas</h2><ul>${warnings.map((w) => `<li>${esc(w)}</li>`).join('')}</ul></div>` : '',
    section('percentiles', 'Percentiles, all requests', percentileTable(comparison.overall, runs)),
    requestTables.length ? section('request-percentiles', 'Percentiles per request', requestTables.join('\n')) : '',
    section('spectrum', 'Percentile spectrum, all requests', `${chart('compare-spectrum', 340, { 'y-scale': 'log' })}\n${note(COMPARE_NOTE)}`),
    perRequest.length ? section('requests', 'Percentile spectrum per request', `<div class="grid2">${perRequest.join('\n')}</div>`) : '',
  ];
  const data = { runs: runs.map((r) => ({ label: r.label, spectrum: r.summary.spectrum })) };
  return htmlPage({ title: `compare ${labels.join(' vs ')} · hopscope`, body: body.join('\n'), data });
}
