/** The tail attribution in one sentence, for the terminal and the HTML report. */

import type { TailAttribution } from '../analyze/types.js';
import { OUTSIDE } from '../record/hop-recorder.js';
import { formatUs } from '../units.js';

/**
 * The tail holds every request at or above the percentile, so its mean is above the percentile itself:
 * the sentence gives both, so that the hop figures (means over the tail) add up to something visible.
 */
export function tailSentence({ tail, thresholdUs, requests, meanLatencyUs, hops }: TailAttribution): string {
  if (requests === 0) return `${tail} ${formatUs(thresholdUs)}: no request with hop timings in this tail`;
  const parts = hops.map((h, i) => {
    const where = h.name === OUTSIDE ? 'outside' : `in ${h.name}`;
    const share = i === 0 ? ` (${Math.round(h.share * 100)}%)` : '';
    return `${formatUs(h.meanUs)} ${where}${share}`;
  });
  return `${tail} ${formatUs(thresholdUs)}; the ${requests} requests at or above it took ${formatUs(meanLatencyUs)} on average: ${parts.join(', ')}`;
}
