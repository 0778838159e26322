/**
 * A millisecond timer that the open loop arms at nearly every wait and that should fire only when the loop
 * has not armed it for that long.
 *
 * Each firing costs the engine's thread ~17 us: Node's timer lists, the async context it pushes and pops
 * (the pop truncates an array through V8's slow path), the callback, a new `setTimeout`. The engine's
 * timers fired 375-510 times a second at 2,000 req/s against nginx, nearly all of them for nothing: the
 * backstop behind waits that count on an answer, set 3 ms after one and moved on each time it fired, and
 * the millisecond timer of a guard after a miss, armed at a wait whose answer then came first (`perf` at
 * 4 kHz, 10 s: 342 samples under libuv's timers, 5.6 % of the thread's, 9 of them sending anything). A
 * pending timer about to fire is moved on instead when it is armed again (`refresh()`, ~1 us: Node
 * re-inserts it at its list's end), and fires only once the loop has stopped arming it.
 *
 * Never later than asked: a pending timer fires no later than the time an earlier arming asked for, and is
 * moved on only by its own duration, only when that is no longer than what the arming asks. Early is
 * harmless (the callback looks again), and the engine's callers ask for times that only move later.
 */

/**
 * A pending timer due within this of an arming (by this module's estimate) is moved on. libuv's clock, which
 * Node's timers run on, counts whole milliseconds and is read at the start of the loop's turn, so a timer
 * can fire up to ~1.5 ms before the estimate; at 2,000 req/s the loop arms it every ~0.5 ms.
 */
const MOVE_WITHIN_MS = 2;

export class Alarm {
  private timer: NodeJS.Timeout | undefined;
  /** The pending timer's duration, in whole milliseconds as Node's timer lists keep it. */
  private durationMs = 0;
  /** When the pending timer is due, by performance.now() when it was last set: an estimate (MOVE_WITHIN_MS). */
  private dueMs = -Infinity;

  constructor(private readonly onFire: () => void) {}

  /** Fires `delayMs` from `nowMs` (performance.now()), at least 1 ms and in whole ms as Node's timers do, unless a pending timer fires sooner. */
  arm(delayMs: number, nowMs: number): void {
    const ms = Math.max(1, Math.trunc(delayMs));
    if (this.timer === undefined) {
      this.timer = setTimeout(this.fire, ms);
      this.durationMs = ms;
      this.dueMs = nowMs + ms;
    } else if (this.dueMs - nowMs < MOVE_WITHIN_MS && this.durationMs <= ms) {
      this.timer.refresh();
      this.dueMs = nowMs + this.durationMs;
    }
  }

  clear(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private readonly fire = (): void => {
    this.timer = undefined;
    this.onFire();
  };
}
