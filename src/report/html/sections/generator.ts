/** The load generator's own health: if its event loop or GC stalled, the latencies include its delay. */

import type { Percentiles } from '../../../record/histogram.js';
import type { RunSummary } from '../../../record/summary.js';
import { formatUs } from '../../units.js';
import { note, notRecorded, section, table } from '../elements.js';
import { esc } from '../escape.js';

function row(label: string, p: Percentiles): string[] {
  return [label, p.count.toLocaleString('en-US'), formatUs(p.p50Us), formatUs(p.p99Us), formatUs(p.p999Us), formatUs(p.maxUs)];
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
    ...phasesWithLag.map((p) => row(`send lag, phase ${p.name}`, p.sendLag)),
  ];
  const body = [
    verdict,
    `<p class="sentence">CPU: ${Math.round(g.cpuShare * 100)}% of one core over the run.</p>`,
    table([{ head: 'hopscope itself' }, ...['samples', 'p50', 'p99', 'p99.9', 'max'].map((head) => ({ head, numeric: true }))], rows),
    note('Event-loop delay and GC pauses of the Node.js process that sends the load; send lag is how late open-loop requests left compared with their schedule.'),
  ];
  return section('generator', 'Load generator health', body.join('\n'));
}
