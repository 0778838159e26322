/** The HTML report of one run: every section of summary.json on one self-contained page. */

import type { RunSummary } from '../../run-folder/summary.js';
import { formatUs } from '../../units.js';
import { htmlPage } from './page.js';
import { gcSection } from './sections/gc.js';
import { fleetSection } from './sections/fleet.js';
import { generatorSection } from './sections/generator.js';
import { headerSection, warningsSection } from './sections/header.js';
import { hopsSection } from './sections/hops.js';
import { resourcesSection } from './sections/resources.js';
import { runDetailsSection } from './sections/run-details.js';
import { spectrumSection } from './sections/spectrum.js';
import { summaryTableSection } from './sections/summary-table.js';
import { timelineSection } from './sections/timeline.js';

const TOC: [id: string, title: string][] = [
  ['summary', 'per request'],
  ['spectrum', 'spectrum'],
  ['timeline', 'over time'],
  ['hops', 'per hop'],
  ['gc', 'GC'],
  ['resources', 'CPU & memory'],
  ['generator', 'generator'],
  ['run', 'run details'],
];

/** Pure: the same summary gives the same bytes (chart.js is read from node_modules). */
export function renderReport(summary: RunSummary): string {
  // The fleet section exists only for merged runs; the other sections say "not recorded" when empty.
  const toc: [string, string][] = summary.fleet ? [...TOC.slice(0, -2), ['fleet', 'generators'], ...TOC.slice(-2)] : TOC;
  const body = [
    headerSection(summary, toc),
    warningsSection(summary.warnings),
    summaryTableSection(summary),
    spectrumSection(summary),
    timelineSection(summary),
    hopsSection(summary),
    gcSection(summary),
    resourcesSection(summary),
    fleetSection(summary),
    generatorSection(summary),
    runDetailsSection(summary),
    `<footer>hopscope ${summary.hopscope.version} · all data of this page is embedded in it as summary.json (schema ${summary.schema})</footer>`,
  ];
  return htmlPage({ title: `${summary.scenario.name}: p99 ${formatUs(summary.overall.latency.p99Us)} · hopscope`, body: body.join('\n'), data: summary });
}
