/** Latency and throughput over time, with GC pauses, faults and phases on the same time axis. */

import type { RunSummary } from '../../../run-folder/summary.js';
import { chart, note, notRecorded, section, table } from '../elements.js';

export function timelineSection(summary: RunSummary): string {
  if (summary.timeline.length === 0) return notRecorded('timeline', 'Latency over time');
  const faults = summary.faults ?? [];
  const goPauses = (summary.gc ?? []).filter((g) => g.pauses.length).map((g) => g.service);
  const markers = [
    goPauses.length ? `triangles are GC pauses of ${goPauses.join(', ')} (height and size: the pause's length)` : '',
    faults.length ? 'dashed red lines are injected faults' : '',
  ].filter(Boolean);
  const body = [
    chart('timeline', 340),
    note(`Per ${Number((summary.timeline[0]!.lengthMs / 1000).toFixed(1))}s interval, all phases (warm-ups shaded)${markers.length ? `; ${markers.join('; ')}` : ''}.`),
    faults.length
      ? `<h3>Faults</h3>${table(
          [{ head: 'at', numeric: true }, { head: 'fault' }, { head: 'service' }, { head: 'detail' }],
          faults.map((f) => [`${(f.tMs / 1000).toFixed(1)}s`, f.kind, f.service, f.detail]),
        )}`
      : '',
  ];
  return section('timeline', 'Latency over time', body.join('\n'));
}
