/** Per request: count, rate, percentiles, max and errors, with "all" as the last row. */

import type { RequestStats } from '../../../record/stats.js';
import type { RunSummary } from '../../../run-folder/summary.js';
import { formatCount, formatPercent, formatRate, formatUs } from '../../../units.js';
import { note, section, table, type Cell } from '../elements.js';
import { esc } from '../escape.js';

function row(s: RequestStats): Cell[] {
  const l = s.latency;
  const errors = s.errors ? { html: `<span class="bad">${s.errors} (${formatPercent(s.errorRate)})</span>` } : '0';
  return [s.name, formatCount(s.count), formatRate(s.rateRps), formatUs(l.p50Us), formatUs(l.p90Us), formatUs(l.p99Us), formatUs(l.p999Us), formatUs(l.maxUs), errors];
}

function counts(label: string, c: Partial<Record<string, number>>): string {
  const entries = Object.entries(c).filter(([, n]) => n);
  return entries.length ? `<p class="note">${label}: ${entries.map(([k, n]) => `<code>${esc(k)}</code> ${formatCount(n!)}`).join(', ')}</p>` : '';
}

export function summaryTableSection(summary: RunSummary): string {
  const columns = [{ head: 'request' }, ...['count', 'req/s', 'p50', 'p90', 'p99', 'p99.9', 'max', 'errors'].map((head) => ({ head, numeric: true }))];
  const rows = summary.requests.map(row);
  // With one request name the "all" row would repeat it.
  if (summary.requests.length !== 1) rows.push(row({ ...summary.overall, name: 'all' }));
  const body = [
    table(columns, rows, summary.requests.length !== 1 ? 'totals' : ''),
    counts('errors by kind', summary.overall.errorsByKind),
    counts('statuses', summary.overall.statuses),
    note('Recorded phases only (warm-ups excluded). Latencies of errors are kept apart and not in these percentiles.'),
  ];
  return section('summary', 'Latency per request', body.join('\n'));
}
