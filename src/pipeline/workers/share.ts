/**
 * How a phase's load is divided over the threads of `--workers N` (the main thread runs the first share).
 * Connections are split as evenly as possible, and a thread never gets none (the thread count is capped at
 * the connection count). An open loop's rate is divided evenly: each thread schedules its own arrivals, and
 * N independent Poisson streams at rate r/N add up to one Poisson stream at rate r; constant streams are
 * offset (firstGapShare) to interleave evenly.
 */

import type { LoadModel } from '../../scenario/types.js';

export const MAX_WORKERS = 64;

export interface LoadShare {
  load: LoadModel;
  firstGapShare: number;
}

/** How many threads a phase really uses: at most one per connection. */
export function workersFor(load: LoadModel, requested: number): number {
  return Math.max(1, Math.min(requested, load.connections));
}

export function shareLoad(load: LoadModel, workers: number): LoadShare[] {
  const n = workersFor(load, workers);
  return Array.from({ length: n }, (_, i) => {
    const connections = Math.floor(load.connections / n) + (i < load.connections % n ? 1 : 0);
    const share: LoadModel =
      load.model === 'closed' ? { ...load, connections } : { ...load, connections, fromRps: load.fromRps / n, toRps: load.toRps / n };
    return { load: share, firstGapShare: i / n };
  });
}
