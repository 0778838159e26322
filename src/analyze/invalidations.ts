/**
 * The cache cluster's invalidation traffic over a phase, from the Go service's counters (their deltas):
 * what was fanned out, applied by the peers, coalesced or dropped by the bounded queues, and the mean lag
 * from the owner's write to a peer applying it. Pure.
 */

import type { Amplification } from './types.js';

export interface InvalidationStats {
  sent: number;
  applied: number;
  coalesced: number;
  dropped: number;
  failed: number;
  /** Mean over the applied invalidations; undefined when none was applied. */
  meanLagUs: number | undefined;
}

/** undefined when no service of the phase sent or applied an invalidation. */
export function invalidationStats(amplification: Amplification | undefined): InvalidationStats | undefined {
  const total = (name: string) => (amplification?.perService ?? []).reduce((sum, s) => sum + (s.counters[name] ?? 0), 0);
  const stats = {
    sent: total('rcs_invalidations_sent_total'),
    applied: total('rcs_invalidations_applied_total'),
    coalesced: total('rcs_invalidations_coalesced_total'),
    dropped: total('rcs_invalidations_dropped_total'),
    failed: total('rcs_invalidations_failed_total'),
  };
  if (stats.sent === 0 && stats.applied === 0) return undefined;
  const lagCount = total('rcs_invalidation_lag_seconds_count');
  return { ...stats, meanLagUs: lagCount > 0 ? (total('rcs_invalidation_lag_seconds_sum') / lagCount) * 1e6 : undefined };
}

/** One sentence per phase that had invalidation traffic, `phase: what happened`, in run order. */
export function invalidationsByPhase(phases: readonly { name: string; amplification?: Amplification }[], formatUs: (us: number) => string): string[] {
  return phases.flatMap((p) => {
    const stats = invalidationStats(p.amplification);
    return stats ? [`${p.name}: ${describeInvalidations(stats, formatUs)}`] : [];
  });
}

export function describeInvalidations(s: InvalidationStats, formatUs: (us: number) => string): string {
  const lag = s.meanLagUs === undefined ? 'no lag measured' : `mean lag ${formatUs(s.meanLagUs)} from write to peer`;
  return `${s.sent} sent, ${s.applied} applied, ${s.coalesced} coalesced, ${s.dropped} dropped, ${s.failed} failed; ${lag}`;
}
