/**
 * One open-loop schedule carried by several engines (`--workers N`), by as many of them as the rate needs.
 *
 * Every engine draws the same arrival stream (the phase's full rate, one seed), and arrival k belongs to
 * engine k mod n, where n, how many engines share the arrivals, is decided per SLICE_MS of the phase in a
 * table the threads share. The union of what the engines send is then exactly the one stream, whatever n
 * is and whenever it changes: nothing sent twice, nothing skipped. An engine outside the first n sends
 * nothing and sleeps, and one engine carrying a rate costs less than two carrying half of it each (two
 * engine threads at 1,000 req/s cost 1.28x one at 2,000: docs/generator-cost.md).
 *
 * A slice is decided once, by whoever writes it first (compare-and-exchange), and an open slice can be
 * decided at any time, since no engine has read it. The main thread decides slices ahead of time, or leaves
 * them open (pool.ts says when), and writes a change into the next open ones; an engine that reaches a slice
 * still open looks again when the slice's first arrival is due, and decides it then as the slice before it
 * was. So all engines read the same n for every slice, without locks or messages.
 */

/**
 * The time step at which the number of sharing engines can change: short, because requests that fall due
 * on too few engines before a change wait (pool.ts, Carriers). The table holds 40 numbers a second of the
 * phase: 576 kB for an hour.
 */
export const SLICE_MS = 25;

export interface ScheduleShare {
  /** One Int32 per SLICE_MS of the phase (on a SharedArrayBuffer): how many engines share it; 0: open. */
  slices: Int32Array;
  /** This engine's place among the sharers, from 0. */
  index: number;
  /** The schedule's seed: the same in every engine, so that they all draw one stream. */
  seed: number;
  /** Called when requests this engine had due were left waiting for a connection. */
  onShortfall?: () => void;
}

/** A table for a phase of `durationMs`, shared by the engines that carry it. */
export function sliceTable(durationMs: number): Int32Array {
  return new Int32Array(new SharedArrayBuffer(4 * (Math.ceil(durationMs / SLICE_MS) + 1)));
}

/** Decides the slices from `fromMs` to `toMs` of the phase that are still open: `sharers` engines share each. */
export function decideSlices(slices: Int32Array, fromMs: number, toMs: number, sharers: number): void {
  const last = Math.min(slices.length - 1, Math.floor(toMs / SLICE_MS));
  for (let s = Math.max(0, Math.floor(fromMs / SLICE_MS)); s <= last; s++) Atomics.compareExchange(slices, s, 0, sharers);
}

/** How many engines share slice `s`, deciding it as the latest decided slice before it when it is open. */
function decide(slices: Int32Array, s: number): number {
  let before = s - 1;
  while (before >= 0 && Atomics.load(slices, before) === 0) before--;
  const carried = before >= 0 ? Atomics.load(slices, before) : 1;
  const was = Atomics.compareExchange(slices, s, 0, carried);
  return was === 0 ? carried : was;
}

/**
 * The arrivals of one engine: `next()` returns, in ms from the phase's start, either its next request's due
 * time or, when the slice of the next arrival is still open, that arrival's time as a moment to look again
 * (`check` is then true). An engine that calls `next()` again once that time has come decides the slice
 * itself, so a stalled main thread delays no request. Infinity after the phase's last arrival.
 */
export class SharedArrivals {
  private k = 0;
  private pending: number;
  /** The pending arrival's slice was open when last looked at. */
  private looked = false;
  check = false;
  /** How many engines share the slice of the arrival next() last returned. */
  sharers = 1;

  constructor(
    private readonly stream: () => number,
    private readonly share: ScheduleShare,
  ) {
    this.pending = stream();
  }

  next(): number {
    const { slices, index } = this.share;
    for (;;) {
      const t = this.pending;
      if (t === Infinity) {
        this.check = false;
        return Infinity;
      }
      const s = Math.floor(t / SLICE_MS);
      let sharers = Atomics.load(slices, s);
      if (sharers === 0) {
        if (!this.looked) {
          this.looked = true;
          this.check = true;
          return t;
        }
        sharers = decide(slices, s);
      }
      this.looked = false;
      this.pending = this.stream();
      if (this.k++ % sharers === index) {
        this.check = false;
        this.sharers = sharers;
        return t;
      }
    }
  }
}
