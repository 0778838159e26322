/** Lines up GC pauses with the requests that were in flight while they happened. Pure. */

import { newHistogram, percentiles, recordUs } from '../record/histogram.js';
import type { GcPause } from '../record/observers/types.js';
import type { GcAnalysis } from './types.js';

export interface RequestTimes {
  /** Visits (start from the run's start in ms, latency in us) of each recorded request. */
  forEach(visit: (startMs: number, latencyUs: number) => void): void;
}

/** Pause intervals sorted by start: [startMs, endMs] with endMs = the pause's end on the run's clock. */
function intervals(pauses: GcPause[]): Float64Array[] {
  const sorted = [...pauses].sort((a, b) => a.tMs - b.tMs);
  return [Float64Array.from(sorted, (p) => p.tMs), Float64Array.from(sorted, (p) => p.tMs + p.durationUs / 1000)];
}

/**
 * A request was in flight during a pause when [start, start + latency] overlaps [pause start, pause end].
 * GC pauses of one process never overlap each other, so the last pause starting before the request ended
 * is the only candidate (binary search).
 */
export function correlatePauses(pauses: GcPause[], requests: RequestTimes): GcAnalysis['correlation'] {
  if (pauses.length === 0) return undefined;
  const [starts, ends] = intervals(pauses) as [Float64Array, Float64Array];
  const during = newHistogram();
  const otherwise = newHistogram();
  requests.forEach((startMs, latencyUs) => {
    const endMs = startMs + latencyUs / 1000;
    let lo = 0;
    let hi = starts.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (starts[mid]! <= endMs) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    recordUs(found >= 0 && ends[found]! >= startMs ? during : otherwise, latencyUs);
  });
  return { duringPause: percentiles(during), otherwise: percentiles(otherwise), requestsDuringPause: during.totalCount };
}

export function pauseStats(pauses: GcPause[]): GcAnalysis['pauseStats'] {
  const h = newHistogram();
  for (const p of pauses) recordUs(h, p.durationUs);
  return percentiles(h);
}
