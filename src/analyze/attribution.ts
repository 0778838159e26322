/** Which hop the slowest requests spent their time in: pure arithmetic over recorded breakdowns. */

import type { TailSample } from '../record/hop-recorder.js';
import type { TailAttribution } from './types.js';

/**
 * @param thresholdUs the tail's percentile as reported
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
  return { tail, thresholdUs, requests: selected.length, meanLatencyUs, hops };
}
