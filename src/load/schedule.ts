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
 * From 1 / MAX_GATHER_LAG_MS (5,000 req/s for one engine) a wake-up per request costs more than the request:
 * measured on a 2-core VM at 20,000 req/s, 29 CPU-ms per 1,000 requests against oha's 13, the loop woken for
 * nearly every response and the server for nearly every request. There an engine gathers its sends: after a
 * wake-up that sent, the next that sends comes COALESCE_MS later, and what fell due meanwhile leaves
 * together. Its latency runs from its due time and the send lag shows the delay, so nothing is hidden.
 * Slower engines send every request at its due time.
 */
export const COALESCE_MS = 0.25;

/**
 * No gathered request waits longer than this: the next sending wake-up comes sooner than COALESCE_MS when
 * the next request falls due early in it. Where requests are dense that puts the wake-ups on due times: at
 * 20,000 req/s five requests a wake-up, sent 0, 50, .. 200 us late, as many wake-ups as COALESCE_MS alone
 * makes, which sent them 0-250 us late. Two rules measured before this one: a window always running this
 * long from the next due time held every lone request this long (at 5,000 req/s, Poisson, a send lag p50 of
 * 200 us against 111-130); spacing the wake-ups from the time each was due rather than when it came sent the
 * next request right after a late wake-up's burst, into its queue (20,000 req/s: latency p99 654-893 us
 * against 356-846). Below 1 / MAX_GATHER_LAG_MS requests would be gathered with nothing, only delayed, and a
 * late wake-up's lateness would carry into the next (constant arrivals at 4,000-4,500 req/s: send lag p50
 * 180-215 us, simulated).
 */
export const MAX_GATHER_LAG_MS = 0.2;

/**
 * Whether sends are gathered `tMs` into the phase: COALESCE_MS, or 0 if not.
 * @param sharers how many engines share the plan's rate (shared-schedule.ts)
 */
export function coalescingMs(plan: ArrivalPlan, tMs: number, sharers = 1): number {
  return (rateAt(plan, tMs) / sharers) * MAX_GATHER_LAG_MS >= 1000 ? COALESCE_MS : 0;
}

/**
 * After a wake-up that sent at `tMs` into the phase, the earliest the next may send (ms from the phase's
 * start), given the next request's due time.
 */
export function nextSendingMs(plan: ArrivalPlan, tMs: number, nextDueMs: number, sharers = 1): number {
  const quietMs = coalescingMs(plan, tMs, sharers);
  return quietMs > 0 ? Math.min(tMs + quietMs, nextDueMs + MAX_GATHER_LAG_MS) : tMs;
}

/**
 * Returns a generator of intended times (ms from the phase start), strictly within [0, durationMs).
 * After the last one it returns Infinity.
 * @param firstGapShare constant arrivals: the first request is due this share (0..1) of a gap after the
 *   start, so that N schedulers at rate/N with shares 0, 1/N, .. interleave into one even stream.
 */
export function arrivalTimes(plan: ArrivalPlan, random: Random, firstGapShare = 0): () => number {
  if (plan.arrival === 'constant') {
    // Each time from its own index, not by adding gaps: 300,000 gaps of 0.05 ms summed fall short of 15 s by
    // the rounding, and a 15-s phase at 20,000 req/s intended one request more than it should.
    let n = firstGapShare;
    return () => {
      const t = constantArrivalMs(plan, n++);
      return t < plan.durationMs ? t : Infinity;
    };
  }
  let t = 0;
  let first = true;
  return () => {
    if (!first) t += exponential(random, 1000 / rateAt(plan, t));
    first = false;
    return t < plan.durationMs ? t : Infinity;
  };
}

/**
 * When the rate's integral from the start reaches `n` requests: the linear rate a + b t integrates to
 * a t + b t^2 / 2, solved for t in the form that stays exact as b goes to 0 (a flat rate: n / a). Infinity
 * once a falling ramp's rate would reach 0 first.
 */
function constantArrivalMs(plan: ArrivalPlan, n: number): number {
  const a = plan.fromRps / 1000;
  const b = (plan.toRps - plan.fromRps) / 1000 / plan.durationMs;
  const discriminant = a * a + 2 * b * n;
  return discriminant < 0 ? Infinity : (2 * n) / (a + Math.sqrt(discriminant));
}

/** How many requests a plan intends: the integral of the rate over the phase (for progress and checks). */
export function expectedCount(plan: ArrivalPlan): number {
  return ((plan.fromRps + plan.toRps) / 2) * (plan.durationMs / 1000);
}
