/** Which hop the slowest requests spent their time in: pure arithmetic over recorded breakdowns. */

import type { TailAttribution } from './types.js';
import { formatUs } from '../report/units.js';

/** One slow request: its client latency and its own time per hop (the residual under OUTSIDE). */
export interface TailSample {
  latencyUs: number;
  hopsUs: Map<string, number>;
}

export const OUTSIDE = 'outside';

/**
 * @param thresholdUs the tail's percentile as reported (for the sentence)
 * @param floorUs the smallest latency that belongs to the tail (the percentile's bucket floor)
 */
export function attributeTail(tail: string, thresholdUs: number, samples: readonly TailSample[], floorUs = thresholdUs): TailAttribution {
  const selected = samples.filter((s) => s.latencyUs >= floorUs);
  const sums = new Map<string, number>();
  const dominated = new Map<string, number>();
  for (const s of selected) {
    let top = '';
    let topUs = -1;
    for (const [name, us] of s.hopsUs) {
      sums.set(name, (sums.get(name) ?? 0) + us);
      if (us > topUs) {
        top = name;
        topUs = us;
      }
    }
    if (top) dominated.set(top, (dominated.get(top) ?? 0) + 1);
  }
  const total = [...sums.values()].reduce((a, b) => a + b, 0);
  const hops = [...sums]
    .map(([name, sum]) => ({
      name,
      meanUs: selected.length ? sum / selected.length : 0,
      share: total > 0 ? sum / total : 0,
      dominatedCount: dominated.get(name) ?? 0,
    }))
    .sort((a, b) => b.meanUs - a.meanUs);
  const meanLatencyUs = selected.length ? selected.reduce((sum, s) => sum + s.latencyUs, 0) / selected.length : 0;
  return { tail, thresholdUs, requests: selected.length, hops, sentence: describe(tail, thresholdUs, selected.length, meanLatencyUs, hops) };
}

/**
 * The tail holds every request at or above the percentile, so its mean is above the percentile itself:
 * the sentence gives both, so that the hop figures (means over the tail) add up to something visible.
 */
function describe(tail: string, thresholdUs: number, count: number, meanLatencyUs: number, hops: TailAttribution['hops']): string {
  if (count === 0) return `${tail} ${formatUs(thresholdUs)}: no request with hop timings in this tail`;
  const parts = hops.map((h, i) => {
    const where = h.name === OUTSIDE ? 'outside' : `in ${h.name}`;
    const share = i === 0 ? ` (${Math.round(h.share * 100)}%)` : '';
    return `${formatUs(h.meanUs)} ${where}${share}`;
  });
  return `${tail} ${formatUs(thresholdUs)}; the ${count} requests at or above it took ${formatUs(meanLatencyUs)} on average: ${parts.join(', ')}`;
}
