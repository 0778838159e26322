/** Per-hop attribution from Server-Timing: which service the slowest requests spent their time in. */

import { tailSentence } from '../../tail-sentence.js';
import { invalidationsByPhase } from '../../../analyze/invalidations.js';
import type { HopStats } from '../../../analyze/types.js';
import type { RunSummary } from '../../../run-folder/summary.js';
import { formatCount, formatPercent, formatUs } from '../../../units.js';
import { chart, note, notRecorded, section, table } from '../elements.js';
import { esc } from '../escape.js';
import { NINES_NOTE } from './spectrum.js';

function selfTimeRow(h: HopStats): string[] {
  const s = h.selfTime;
  return [h.name, formatCount(s.count), formatUs(s.p50Us), formatUs(s.p90Us), formatUs(s.p99Us), formatUs(s.p999Us), formatUs(s.maxUs)];
}

function amplification(summary: RunSummary): string {
  const a = summary.amplification;
  if (!a?.perService.length) return '';
  const rows = a.perService.map((c) => [c.service, c.requests, c.upstreamRequests, c.timeouts, c.retries].map((v) => (typeof v === 'number' ? formatCount(v) : v)));
  const deepest = a.deepestPerClientRequest === undefined ? '' : note(`The deepest hop received ${a.deepestPerClientRequest.toFixed(2)} requests per client request.`);
  return `<h3>Requests per hop</h3>${table([{ head: 'service' }, ...['requests', 'upstream requests', 'timeouts', 'retries'].map((head) => ({ head, numeric: true }))], rows)}\n${deepest}`;
}

function invalidations(summary: RunSummary): string {
  const lines = invalidationsByPhase(summary.phases, formatUs);
  return lines.length ? `<h3>Cache invalidations per phase</h3>${lines.map((line) => `<p class="sentence">${esc(line)}</p>`).join('\n')}` : '';
}

export function hopsSection(summary: RunSummary): string {
  const hops = summary.hops;
  if (!hops) return notRecorded('hops', 'Where the tail went (per hop)', 'not recorded in this run: no response carried a Server-Timing header');
  const body = [
    note(`From the services' Server-Timing headers (${formatPercent(hops.sampledShare)} of responses had one). A hop's self time is its own duration minus the next hop's; "outside" is what no hop accounts for: network, client, queues.`),
    ...hops.tails.map((t) => `<p class="sentence">${esc(tailSentence(t))}</p>`),
    hops.tails.length ? chart('tails', 40 + 44 * hops.tails.length) : '',
    '<h3>Self time per hop</h3>',
    table(
      [{ head: 'hop' }, ...['responses', 'p50', 'p90', 'p99', 'p99.9', 'max'].map((head) => ({ head, numeric: true }))],
      [...hops.hops, hops.residual].map(selfTimeRow),
    ),
    '<h3>Self-time spectrum per hop</h3>',
    chart('spectrum-hops', 280),
    note(NINES_NOTE),
    amplification(summary),
    invalidations(summary),
  ];
  return section('hops', 'Where the tail went (per hop)', body.join('\n'));
}
