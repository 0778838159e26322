/**
 * Sleeps the engine's thread to a due time with sub-millisecond precision and without holding a core.
 *
 * `Atomics.wait` sleeps in the kernel, but a timed sleep wakes late: Linux gives a thread 50 us of timer
 * slack, and a VM adds its own wake-up latency (95 us at p50 on the gVisor VM this was built on). Sleeping
 * the whole wait put that delay on every open-loop send, and so on every latency, which runs from the due
 * time. The sleeper learns how late its sleeps wake, aims that much early, and spins whatever is left:
 * never early, and the spin is bounded by the machine's oversleep (at most MAX_AIM_EARLY_MS), not by the
 * gap between requests. It aims by a low quantile of the oversleep (AIM_QUANTILE), not the median: a spin
 * is CPU taken from the services, a few microseconds of lag are not (2,000 req/s, 15 s, against oha in the
 * same rounds: median aim 1.04-1.09x oha's CPU, send lag p50 1 us; tenth percentile 1.03x, p50 4-5 us).
 */

import { performance } from 'node:perf_hooks';

/** The aim never moves more than this before the due time: the most one sleep can spin. */
const MAX_AIM_EARLY_MS = 0.3;
/** Where the estimate starts, before any sleep was measured: a typical VM's oversleep. */
const INITIAL_AIM_EARLY_MS = 0.08;
/**
 * The aim settles where this share of sleeps oversleep less than it (those spin the rest) and the others
 * more (those wake a little late). A quantile, not a mean: the rare long oversleep (a descheduled VM) would
 * pull a mean up, and every ordinary sleep would then spin the difference.
 */
const AIM_QUANTILE = 0.1;
/** Each measured sleep moves the aim up by AIM_STEP_MS * AIM_QUANTILE or down by AIM_STEP_MS * (1 - AIM_QUANTILE). */
const AIM_STEP_MS = 0.004;

export class PreciseSleeper {
  private aimEarlyMs = INITIAL_AIM_EARLY_MS;
  private readonly cell = new Int32Array(new SharedArrayBuffer(4));
  /** Time slept in the kernel so far: the engine's loop counts it as busy, and it is not (the spin is). */
  sleptMs = 0;

  /** How early sleeps are aimed now: the AIM_QUANTILE of the oversleeps measured so far. */
  get aimEarlyUs(): number {
    return this.aimEarlyMs * 1000;
  }

  /**
   * Returns at `dueMs` (performance.now() time) or just after, never before, with its last reading of the
   * clock (at or after `dueMs`). `nowMs`: the caller's reading of performance.now() a moment ago, if it has
   * one (at 2,000 req/s a sleep a request, each read counts).
   */
  sleepUntil(dueMs: number, nowMs = performance.now()): number {
    let now = nowMs;
    const sleepMs = dueMs - this.aimEarlyMs - now;
    if (sleepMs > 0) {
      Atomics.wait(this.cell, 0, 0, sleepMs);
      const wokeMs = performance.now();
      const sleptMs = wokeMs - now;
      now = wokeMs;
      this.sleptMs += sleptMs;
      const overMs = sleptMs - sleepMs;
      const aim = this.aimEarlyMs + (overMs > this.aimEarlyMs ? AIM_STEP_MS * AIM_QUANTILE : -AIM_STEP_MS * (1 - AIM_QUANTILE));
      this.aimEarlyMs = aim < 0 ? 0 : aim > MAX_AIM_EARLY_MS ? MAX_AIM_EARLY_MS : aim;
    }
    // The last microseconds: a sleep this short would wake a whole oversleep late.
    while (now < dueMs) now = performance.now();
    return now;
  }
}
