/** The percentile spectrum on HdrHistogram's "nines" axis, one line per request name plus all requests. */

import type { RunSummary } from '../../../run-folder/summary.js';
import { chart, note, notRecorded, section } from '../elements.js';

export const NINES_NOTE =
  'x: percentile on a logarithmic "nines" scale, as HdrHistogram plots it (each of 90%, 99%, 99.9%, ... gets the same width); y: latency. The 100th percentile (max) is in the table.';

export function spectrumSection(summary: RunSummary): string {
  if (summary.spectrum.overall.length === 0) return notRecorded('spectrum', 'Percentile spectrum', 'no successful response was recorded: no spectrum to draw');
  return section('spectrum', 'Percentile spectrum', `${chart('spectrum-requests', 320)}\n${note(NINES_NOTE)}`);
}
