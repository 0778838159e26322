/**
 * Sleeps the engine's thread to a due time with sub-millisecond precision and without holding a core.
 *
 * `Atomics.wait` sleeps in the kernel, but a timed sleep wakes late: Linux gives a thread 50 us of timer
 * slack, and a VM adds its own wake-up latency (on the 2-core VM this was built on, about 95 us at p50 and
 * p90 alike). Sleeping the whole wait put that delay on every open-loop send, and so on every latency,
 * which runs from the due time. The sleeper learns how late its sleeps wake, aims that much early, and
 * spins the few microseconds that are left: never early, rarely late, and the spin is bounded by what the
 * machine's oversleep is (at most MAX_AIM_EARLY_MS), not by the gap between requests.
 */

import { performance } from 'node:perf_hooks';

/** The aim never moves more than this before the due time: the most one sleep can spin. */
const MAX_AIM_EARLY_MS = 0.3;
/** Where the estimate starts, before any sleep was measured: a typical VM's oversleep. */
const INITIAL_AIM_EARLY_MS = 0.08;
/**
 * Each measured sleep moves the aim by this much, up when it overslept the aim and down when it did not: the
 * aim settles on the median oversleep. A mean would be pulled up by the rare long oversleep (a descheduled
 * VM), and every ordinary sleep would then spin the difference.
 */
const AIM_STEP_MS = 0.002;

export class PreciseSleeper {
  private aimEarlyMs = INITIAL_AIM_EARLY_MS;
  private readonly cell = new Int32Array(new SharedArrayBuffer(4));

  /** How early sleeps are aimed now: the median oversleep measured so far. */
  get aimEarlyUs(): number {
    return this.aimEarlyMs * 1000;
  }

  /** Returns at `dueMs` (performance.now() time) or just after; never before. */
  sleepUntil(dueMs: number): void {
    const sleepMs = dueMs - this.aimEarlyMs - performance.now();
    if (sleepMs > 0) {
      const before = performance.now();
      Atomics.wait(this.cell, 0, 0, sleepMs);
      const overMs = performance.now() - before - sleepMs;
      const aim = this.aimEarlyMs + (overMs > this.aimEarlyMs ? AIM_STEP_MS : -AIM_STEP_MS);
      this.aimEarlyMs = aim < 0 ? 0 : aim > MAX_AIM_EARLY_MS ? MAX_AIM_EARLY_MS : aim;
    }
    while (performance.now() < dueMs) {
      // the last microseconds: a sleep this short would wake a whole oversleep late
    }
  }
}
