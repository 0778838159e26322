import { describe, expect, it } from 'vitest';
import { seededRandom, zipfInt } from '../../src/load/random.js';
import { arrivalTimes, COALESCE_MS, coalescingMs, expectedCount, MAX_GATHER_LAG_MS, nextSendingMs, rateAt, type ArrivalPlan } from '../../src/load/schedule.js';
import { TimeQueue } from '../../src/load/time-queue.js';

function all(next: () => number): number[] {
  const out: number[] = [];
  for (let t = next(); t !== Infinity; t = next()) out.push(t);
  return out;
}

describe('open-loop schedule', () => {
  it('gathers sends only from 1 / MAX_GATHER_LAG_MS, following a ramp through it', () => {
    const flat = (rps: number) => ({ fromRps: rps, toRps: rps, arrival: 'poisson' as const, durationMs: 1000 });
    expect(coalescingMs(flat(2000), 500)).toBe(0);
    expect(coalescingMs(flat(1000 / MAX_GATHER_LAG_MS - 1), 500)).toBe(0);
    expect(coalescingMs(flat(1000 / MAX_GATHER_LAG_MS), 500)).toBe(COALESCE_MS);
    expect(coalescingMs(flat(20_000), 500)).toBe(COALESCE_MS);
    const ramp = { fromRps: 1000, toRps: 9000, arrival: 'constant' as const, durationMs: 1000 };
    expect(coalescingMs(ramp, 100)).toBe(0);
    expect(coalescingMs(ramp, 900)).toBe(COALESCE_MS);
  });

  /**
   * The engine's pacing: each send's lateness and the wake-ups that sent, each wake-up up to `lateMs` after the
   * time it was due (the host's), the next spaced from when it came.
   */
  function gathered(plan: ArrivalPlan, lateMs = 0): { lagsMs: number[]; wakes: number } {
    const next = arrivalTimes(plan, seededRandom(7));
    const late = seededRandom(8);
    const lagsMs: number[] = [];
    let wakes = 0;
    let due = next();
    let quiet = 0;
    while (due !== Infinity) {
      const now = Math.max(due, quiet) + late() * lateMs;
      for (; due <= now; due = next()) lagsMs.push(now - due);
      wakes++;
      quiet = nextSendingMs(plan, now, due);
    }
    return { lagsMs, wakes };
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

  it('gathers sends into wake-ups COALESCE_MS apart, none more than MAX_GATHER_LAG_MS late', () => {
    const constant = gathered({ fromRps: 20_000, toRps: 20_000, arrival: 'constant', durationMs: 1000 });
    expect(constant.lagsMs).toHaveLength(20_000);
    // The first request alone at its due time, then five a wake-up on a due time, 0, 50, .. 200 us late.
    expect(constant.wakes).toBe(1 + Math.ceil(19_999 / 5));
    expect(new Set(constant.lagsMs.map((l) => Math.round(l * 1000)))).toEqual(new Set([0, 50, 100, 150, 200]));
    // Wake-ups up to 30 us late: still five a wake-up, none later than the cap and its own wake-up's lateness
    // (wake-ups spaced from the one before sent up to 280 us late).
    const late = gathered({ fromRps: 20_000, toRps: 20_000, arrival: 'constant', durationMs: 1000 }, 0.03);
    expect(late.wakes).toBe(constant.wakes);
    expect(Math.max(...late.lagsMs)).toBeLessThanOrEqual(MAX_GATHER_LAG_MS + 0.03);

    const poisson = gathered({ fromRps: 20_000, toRps: 20_000, arrival: 'poisson', durationMs: 1000 });
    expect(Math.max(...poisson.lagsMs)).toBeLessThanOrEqual(MAX_GATHER_LAG_MS + 1e-5);
    expect(poisson.lagsMs.length / poisson.wakes).toBeGreaterThan(4);

    const ten = gathered({ fromRps: 10_000, toRps: 10_000, arrival: 'constant', durationMs: 1000 });
    expect(ten.wakes).toBeLessThanOrEqual(1 + Math.ceil(9_999 / 2.5));

    // Where little else falls due, a request is not held back for nothing: a window that always ran the cap
    // from the next due time sent half of them 200 us late at 5,000 req/s.
    expect(median(gathered({ fromRps: 5000, toRps: 5000, arrival: 'poisson', durationMs: 1000 }).lagsMs)).toBeLessThan(0.15);
    // Constant arrivals at the window's own spacing, wake-ups late: the lateness does not pile up to the cap.
    expect(median(gathered({ fromRps: 5000, toRps: 5000, arrival: 'constant', durationMs: 1000 }, 0.03).lagsMs)).toBeLessThan(0.15);

    // Below 1 / MAX_GATHER_LAG_MS every request leaves at its due time, on its own wake-up.
    const slow = gathered({ fromRps: 4500, toRps: 4500, arrival: 'poisson', durationMs: 1000 });
    expect(slow.wakes).toBe(slow.lagsMs.length);
    expect(Math.max(...slow.lagsMs)).toBe(0);
  });

  it('spaces constant arrivals exactly 1/rate apart, all within the phase', () => {
    const times = all(arrivalTimes({ fromRps: 1000, toRps: 1000, arrival: 'constant', durationMs: 1000 }, seededRandom(1)));
    expect(times).toHaveLength(1000);
    expect(times[0]).toBe(0);
    expect(times[1]).toBeCloseTo(1, 9);
    expect(times[999]).toBeCloseTo(999, 6);
  });

  it('intends exactly rate x duration, where summed gaps fell short by their rounding', () => {
    const count = (plan: Parameters<typeof arrivalTimes>[0], share?: number) => all(arrivalTimes(plan, seededRandom(1), share)).length;
    expect(count({ fromRps: 20_000, toRps: 20_000, arrival: 'constant', durationMs: 15_000 })).toBe(300_000);
    for (const [fromRps, toRps] of [[100, 1000], [1000, 100], [10, 5000]] as const) {
      const plan = { fromRps, toRps, arrival: 'constant' as const, durationMs: 10_000 };
      expect(count(plan)).toBe(expectedCount(plan));
    }
    // Four generators at a quarter of the rate each, their first requests a quarter of a gap apart: one even stream.
    const quarter = { fromRps: 5000, toRps: 5000, arrival: 'constant' as const, durationMs: 1000 };
    const merged = [0, 0.25, 0.5, 0.75].flatMap((share) => all(arrivalTimes(quarter, seededRandom(1), share))).sort((x, y) => x - y);
    expect(merged).toHaveLength(20_000);
    expect(merged.slice(1).every((t, i) => Math.abs(t - merged[i]! - 0.05) < 1e-9)).toBe(true);
  });

  it('draws Poisson arrivals whose count and mean gap match the rate', () => {
    const times = all(arrivalTimes({ fromRps: 5000, toRps: 5000, arrival: 'poisson', durationMs: 10_000 }, seededRandom(7)));
    expect(times.length).toBeGreaterThan(49_000);
    expect(times.length).toBeLessThan(51_000);
    const gaps = times.slice(1).map((t, i) => t - times[i]!);
    const mean = gaps.reduce((a, b) => a + b, 0) / gaps.length;
    const variance = gaps.reduce((a, g) => a + (g - mean) ** 2, 0) / gaps.length;
    expect(mean).toBeCloseTo(0.2, 2);
    // Exponential gaps: the standard deviation equals the mean (a constant schedule would give 0).
    expect(Math.sqrt(variance) / mean).toBeGreaterThan(0.95);
    expect(Math.sqrt(variance) / mean).toBeLessThan(1.05);
  });

  it('ramps the rate linearly and sends the integral of it', () => {
    const plan = { fromRps: 100, toRps: 1900, arrival: 'constant' as const, durationMs: 10_000 };
    expect(rateAt(plan, 5000)).toBe(1000);
    const times = all(arrivalTimes(plan, seededRandom(1)));
    expect(times.length).toBe(expectedCount(plan));
    const firstSecond = times.filter((t) => t < 1000).length;
    const lastSecond = times.filter((t) => t >= 9000).length;
    expect(firstSecond).toBeGreaterThan(150);
    expect(firstSecond).toBeLessThan(250);
    expect(lastSecond).toBeGreaterThan(1750);
  });

  it('is the same schedule for the same seed', () => {
    const plan = { fromRps: 100, toRps: 100, arrival: 'poisson' as const, durationMs: 1000 };
    expect(all(arrivalTimes(plan, seededRandom(3)))).toEqual(all(arrivalTimes(plan, seededRandom(3))));
  });
});

describe('zipf draws', () => {
  it('makes rank 1 the most frequent, in proportion 1/k^s', () => {
    const draw = zipfInt(seededRandom(11), 100, 1);
    const counts = new Array(101).fill(0);
    for (let i = 0; i < 200_000; i++) counts[draw()]++;
    expect(counts[0]).toBe(0);
    expect(counts[1] / counts[2]).toBeGreaterThan(1.8);
    expect(counts[1] / counts[2]).toBeLessThan(2.2);
    expect(counts[100]).toBeGreaterThan(0);
  });
});

describe('TimeQueue', () => {
  it('keeps FIFO order across growth and wrap-around', () => {
    const q = new TimeQueue();
    for (let i = 0; i < 1000; i++) q.push(i);
    for (let i = 0; i < 600; i++) expect(q.shift()).toBe(i);
    for (let i = 1000; i < 5000; i++) q.push(i);
    const out: number[] = [];
    while (q.length) out.push(q.shift());
    expect(out).toEqual(Array.from({ length: 4400 }, (_, i) => i + 600));
  });
});
