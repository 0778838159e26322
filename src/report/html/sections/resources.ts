/** CPU and memory per service over the run, on the same time axis as the latency chart. */

import type { RunSummary } from '../../../run-folder/summary.js';
import { chart, note, notRecorded, section } from '../elements.js';

export function resourcesSection(summary: RunSummary): string {
  if (!summary.resources?.some((r) => r.points.length)) return notRecorded('resources', 'CPU and memory per service');
  const faults = summary.faults?.length ? note('Dashed red lines are the injected faults listed above.') : '';
  return section('resources', 'CPU and memory per service', `<div class="grid2">${chart('cpu', 240)}${chart('memory', 240)}</div>${faults}`);
}
