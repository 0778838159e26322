/**
 * Open-loop arrival schedule: the intended send time of every request of a phase, decided in advance of
 * and independently from the responses. Latency is measured from these times (as wrk2 does), so a stalled
 * server shows up as the queueing delay real users would see, instead of vanishing (coordinated omission).
 */

import type { Arrival } from '../scenario/types.js';
import { exponential, type Random } from './random.js';

export interface ArrivalPlan {
  fromRps: number;
  toRps: number;
  arrival: Arrival;
  durationMs: number;
}

/** Rate at `tMs` into the phase: linear from fromRps to toRps. */
export function rateAt(plan: ArrivalPlan, tMs: number): number {
  return plan.fromRps + ((plan.toRps - plan.fromRps) * Math.min(tMs, plan.durationMs)) / plan.durationMs;
}

/**
 * Above 1 / COALESCE_MS (4,000 req/s for one engine) a wake-up per request costs more than the request:
 * measured on a 2-core VM at 20,000 req/s, 29 CPU-ms per 1,000 requests against oha's 13, the loop woken for
 * nearly every response and the server for nearly every request. There an engine gathers its sends: after
 * a wake-up that sent, the next that sends comes at least COALESCE_MS later, and what fell due meanwhile
 * leaves together (19 CPU-ms per 1,000). Such a request leaves at most COALESCE_MS late; its latency runs
 * from its due time and the send lag shows the delay, so nothing is hidden. Slower engines send every
 * request at its due time.
 */
export const COALESCE_MS = 0.25;

/**
 * How long after a wake-up that sent, `tMs` into the phase, the next may send: COALESCE_MS or 0.
 * @param sharers how many engines share the plan's rate (shared-schedule.ts)
 */
export function coalescingMs(plan: ArrivalPlan, tMs: number, sharers = 1): number {
  return (rateAt(plan, tMs) / sharers) * COALESCE_MS > 1000 ? COALESCE_MS : 0;
}

/**
 * Returns a generator of intended times (ms from the phase start), strictly within [0, durationMs).
 * After the last one it returns Infinity.
 * @param firstGapShare constant arrivals: the first request is due this share (0..1) of a gap after the
 *   start, so that N schedulers at rate/N with shares 0, 1/N, .. interleave into one even stream.
 */
export function arrivalTimes(plan: ArrivalPlan, random: Random, firstGapShare = 0): () => number {
  let t = plan.arrival === 'constant' ? (firstGapShare * 1000) / rateAt(plan, 0) : 0;
  let first = true;
  return () => {
    if (!first) {
      const meanGapMs = 1000 / rateAt(plan, t);
      t += plan.arrival === 'poisson' ? exponential(random, meanGapMs) : meanGapMs;
    }
    first = false;
    return t < plan.durationMs ? t : Infinity;
  };
}

/** How many requests a plan intends: the integral of the rate over the phase (for progress and checks). */
export function expectedCount(plan: ArrivalPlan): number {
  return ((plan.fromRps + plan.toRps) / 2) * (plan.durationMs / 1000);
}
