/** The end-of-run table: one row per request name and one for all of them, in readable units. */

import type { RequestStats } from '../record/stats.js';
import type { RunSummary } from '../run-folder/summary.js';
import { formatPercent, formatRate, formatUs } from '../units.js';
import { newTable } from './table.js';

/** A request's figures as display cells: name, count, req/s, p50, p90, p99, p99.9, max, errors. */
export function statsRow(s: RequestStats): string[] {
  const l = s.latency;
  return [s.name, String(s.count), formatRate(s.rateRps), formatUs(l.p50Us), formatUs(l.p90Us), formatUs(l.p99Us), formatUs(l.p999Us), formatUs(l.maxUs), s.errors ? `${s.errors} (${formatPercent(s.errorRate)})` : '0'];
}

export function summaryTable(summary: RunSummary, color: boolean): string {
  const table = newTable(['request', 'count', 'req/s', 'p50', 'p90', 'p99', 'p99.9', 'max', 'errors'], color);
  for (const s of summary.requests) table.push(statsRow(s));
  if (summary.requests.length !== 1) table.push(statsRow({ ...summary.overall, name: 'all' }));
  const lines = [table.toString()];
  const errorKinds = Object.entries(summary.overall.errorsByKind).filter(([, n]) => n);
  if (errorKinds.length) lines.push(`errors by kind: ${errorKinds.map(([k, n]) => `${k} ${n}`).join(', ')}`);
  const c = summary.connections;
  if (c && (c.opened > 0 || c.errors > 0)) {
    const tls = c.tlsHandshake.count ? `, TLS handshake p50 ${formatUs(c.tlsHandshake.p50Us)} p99 ${formatUs(c.tlsHandshake.p99Us)}` : '';
    const failed = c.errors ? `; ${c.errors} connection errors (failed attempts, not requests)` : '';
    const times = c.opened ? ` (connect p50 ${formatUs(c.connectTime.p50Us)} p99 ${formatUs(c.connectTime.p99Us)}${tls})` : '';
    lines.push(`connections: ${c.opened} opened${times}${failed}`);
  }
  for (const w of summary.warnings) lines.push(`warning: ${w}`);
  return lines.join('\n');
}
