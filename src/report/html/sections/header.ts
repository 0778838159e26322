/** The top of the report: what ran, the figures a reader wants first, and where the tail went. */

import { tailSentence } from '../../tail-sentence.js';
import type { RunSummary } from '../../../run-folder/summary.js';
import { formatCount, formatDuration, formatPercent, formatRate, formatUs } from '../../../units.js';
import { esc } from '../escape.js';

function figure(label: string, value: string, bad = false): string {
  return `<div class="figure${bad ? ' bad' : ''}"><div class="k">${esc(label)}</div><div class="v">${esc(value)}</div></div>`;
}

export function headerSection(summary: RunSummary, toc: [id: string, title: string][]): string {
  const o = summary.overall;
  const recordedMs = summary.phases.filter((p) => p.recorded).reduce((sum, p) => sum + p.durationMs, 0);
  const badges = [
    summary.run.interrupted ? '<span class="badge bad">interrupted</span>' : '',
    summary.warnings.length ? `<span class="badge bad">${summary.warnings.length} warning${summary.warnings.length > 1 ? 's' : ''}</span>` : '',
  ]
    .filter(Boolean)
    .join(' ');
  const errors = o.errors ? `${formatCount(o.errors)} errors (${formatPercent(o.errorRate)})` : 'no errors';
  const headline =
    `p99 <b>${esc(formatUs(o.latency.p99Us))}</b> at <b>${esc(formatRate(o.rateRps))} req/s</b> over ${esc(formatDuration(recordedMs))} recorded, ` +
    `<span class="${o.errors ? 'bad' : 'good'}">${esc(errors)}</span>`;
  const tail = summary.hops?.tails[0];
  return `<header class="page">
<h1>${esc(summary.scenario.name)}${badges ? ` ${badges}` : ''}</h1>
${summary.scenario.description ? `<p class="sub">${esc(summary.scenario.description)}</p>` : ''}
<p class="headline">${headline}</p>
${tail ? `<p class="headline">Where the tail went: ${esc(tailSentence(tail))}</p>` : ''}
<div class="figures">
${figure('requests', formatCount(o.count))}
${figure('req/s', formatRate(o.rateRps))}
${figure('p50', formatUs(o.latency.p50Us))}
${figure('p99', formatUs(o.latency.p99Us))}
${figure('p99.9', formatUs(o.latency.p999Us))}
${figure('max', formatUs(o.latency.maxUs))}
${figure('errors', o.errors ? `${o.errors} (${formatPercent(o.errorRate)})` : '0', o.errors > 0)}
</div>
<nav class="toc">${toc.map(([id, title]) => `<a href="#${id}">${esc(title)}</a>`).join('')}</nav>
</header>`;
}

export function warningsSection(warnings: string[]): string {
  if (!warnings.length) return '';
  return `<div class="warnings" id="warnings"><h2>Warnings: read these before the figures</h2><ul>${warnings.map((w) => `<li>${esc(w)}</li>`).join('')}</ul></div>`;
}
