/** A merged run's parts: each generator's own figures beside the merged result, so a lagging one shows. */

import type { RunSummary } from '../../../run-folder/summary.js';
import { formatCount, formatRate, formatUs } from '../../../units.js';
import { note, section, table } from '../elements.js';

/** Beyond this a generator's clock offset is large enough to blur 1-second intervals; the merge warns too. */
const OFFSET_NOTE_MS = 100;

export function fleetSection(summary: RunSummary): string {
  const fleet = summary.fleet;
  if (!fleet) return '';
  const rows = fleet.generators.map((g) => [
    g.name,
    g.where,
    formatRate(g.achievedRps),
    formatCount(g.sent),
    formatCount(g.unsent),
    formatUs(g.sendLagP99Us),
    (g.cpuMs / 1000).toFixed(2),
    g.clockOffsetMs.toFixed(2),
  ]);
  const columns = [
    { head: 'generator' },
    { head: 'where' },
    ...['achieved req/s', 'sent', 'unsent', 'send lag p99', 'CPU s', 'clock offset ms'].map((head) => ({ head, numeric: true })),
  ];
  const how =
    fleet.kind === 'folders'
      ? 'Merged by hopscope merge from run folders made elsewhere; their clocks were not measured against each other.'
      : `Generators on ${fleet.kind}; each measured its clock offset against the coordinator when it started, and the merge placed its intervals by the coordinator's clock (offsets above ${OFFSET_NOTE_MS} ms are warnings).`;
  return section('fleet', `Generators (${fleet.generators.length}, merged exactly)`, `${table(columns, rows)}\n${note(`${how} Every figure above this section is of the merged histograms, not an average of the generators'.`)}`);
}
