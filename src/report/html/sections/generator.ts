/** The load generator's own health: if its event loop or GC stalled, the latencies include its delay. */

import type { Percentiles } from '../../../record/histogram.js';
import { generatorLoadCpu, type RunSummary } from '../../../run-folder/summary.js';
import { formatCount, formatPercent, formatUs } from '../../../units.js';
import { note, notRecorded, section, table } from '../elements.js';
import { esc } from '../escape.js';
import { threadsText } from '../../threads-text.js';

function row(label: string, p: Percentiles): string[] {
  return [label, formatCount(p.count), formatUs(p.p50Us), formatUs(p.p99Us), formatUs(p.p999Us), formatUs(p.maxUs)];
}

/** Mean CPU of each service over the intervals of one phase (the timeline labels every interval with its phase). */
function servicesCpuIn(summary: RunSummary, phase: string): string {
  const intervals = summary.timeline.filter((t) => t.phase === phase);
  if (!intervals.length || !summary.resources?.length) return '-';
  const fromMs = intervals[0]!.tMs;
  const toMs = intervals[intervals.length - 1]!.tMs + intervals[intervals.length - 1]!.lengthMs;
  const means = summary.resources.flatMap((r) => {
    const inside = r.points.filter((p) => p.tMs >= fromMs && p.tMs < toMs);
    return inside.length ? [`${r.service} ${Math.round(inside.reduce((sum, p) => sum + p.cpuPercent, 0) / inside.length)}%`] : [];
  });
  return means.join(', ') || '-';
}

/** The generator's CPU per phase beside the services': it shares their cores, so its cost is part of the result. */
function cpuTable(summary: RunSummary): string {
  const phases = summary.phases.filter((p) => p.generator);
  if (!phases.length) return '';
  const rows = phases.map((p) => [
    p.name,
    formatCount(p.sent),
    (p.generator!.cpuMs / 1000).toFixed(2),
    formatPercent(p.generator!.cpuShare),
    p.generator!.cpuMsPer1kRequests.toFixed(1),
    p.generator!.threads ? threadsText(p.generator!.threads) : '1 thread',
    servicesCpuIn(summary, p.name),
  ]);
  const columns = [
    { head: 'phase' },
    ...['requests sent', 'generator CPU s', 'of one core', 'CPU ms per 1,000 requests'].map((head) => ({ head, numeric: true })),
    { head: 'engine threads' },
    { head: 'CPU of each service (mean, of one core)' },
  ];
  return table(columns, rows);
}

export function generatorSection(summary: RunSummary): string {
  const g = summary.generator;
  if (!g) return notRecorded('generator', 'Load generator health');
  const verdict = g.warnings.length
    ? `<ul class="bad">${g.warnings.map((w) => `<li>${esc(w)}</li>`).join('')}</ul>`
    : '<p class="sentence good">No sign that the generator limited the result.</p>';
  const phasesWithLag = summary.phases.filter((p) => p.model === 'open' && p.sendLag.count > 0);
  const rows = [
    row('event-loop delay', g.eventLoopDelay),
    row('GC pauses', g.gcPauseStats),
    ...(g.intervalEnds ? [row('interval ends', g.intervalEnds)] : []),
    ...phasesWithLag.map((p) => row(`send lag, phase ${p.name}`, p.sendLag)),
  ];
  const load = generatorLoadCpu(summary);
  const body = [
    verdict,
    `<p class="sentence">CPU: ${Math.round(g.cpuShare * 100)}% of one core over the run${
      load ? `; ${(load.cpuMs / 1000).toFixed(2)} s over the load, ${load.cpuMsPer1kRequests.toFixed(1)} ms per 1,000 requests` : ''
    }.</p>`,
    table([{ head: 'hopscope itself' }, ...['samples', 'p50', 'p99', 'p99.9', 'max'].map((head) => ({ head, numeric: true }))], rows),
    note(
      'Event-loop delay and GC pauses of the Node.js process that sends the load; interval ends are the moments, once a second, when it wrote the figures of the second past on the thread that sends; send lag is how late open-loop requests left compared with their schedule.',
    ),
    cpuTable(summary),
  ];
  return section('generator', 'Load generator health', body.join('\n'));
}
