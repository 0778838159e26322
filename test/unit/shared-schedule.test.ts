/** One open-loop schedule carried by several engines: what each sends, and who decides how many carry it. */

import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../src/load/random.js';
import { arrivalTimes, coalescingMs, type ArrivalPlan } from '../../src/load/schedule.js';
import { decideSlices, SharedArrivals, SLICE_MS, sliceTable } from '../../src/load/shared-schedule.js';
import { enginesNeeded, enginesToStart, GATHER_UNDER, SPREAD_ABOVE, START_RPS_PER_ENGINE } from '../../src/pipeline/workers/share.js';

function stream(plan: ArrivalPlan, seed = 3): () => number {
  return arrivalTimes(plan, seededRandom(seed));
}

function drain(next: () => number): number[] {
  const times: number[] = [];
  for (let t = next(); t !== Infinity; t = next()) times.push(t);
  return times;
}

/**
 * Engines that share a table, stepped through the phase 1 ms at a time as their loops would be: each sends
 * what fell due (a moment to look again is not a request) and asks for the next, each running behind by up
 * to 40 ms at random, as threads do. `decide(nowMs)` plays the main thread before each step.
 */
function carry(plan: ArrivalPlan, engines: number, random: () => number, decide: (slices: Int32Array, nowMs: number) => void): number[][] {
  const slices = sliceTable(plan.durationMs);
  const arrivals = Array.from({ length: engines }, (_, index) => new SharedArrivals(stream(plan), { slices, index, seed: 3 }));
  const next = arrivals.map((a) => a.next());
  const sent: number[][] = arrivals.map(() => []);
  for (let now = 0; now <= plan.durationMs + 41; now++) {
    decide(slices, now);
    arrivals.forEach((a, i) => {
      const until = now > plan.durationMs ? now : now - random() * 40;
      while (next[i]! <= until) {
        if (!a.check) sent[i]!.push(next[i]!);
        next[i] = a.next();
      }
    });
  }
  return sent;
}

describe('a schedule shared by several engines', () => {
  const plans: ArrivalPlan[] = [
    { fromRps: 3000, toRps: 3000, arrival: 'constant', durationMs: 3000 },
    { fromRps: 500, toRps: 8000, arrival: 'poisson', durationMs: 3000 },
  ];

  it.each(plans)('sends the one stream exactly, however many engines carry it and whenever that changes ($arrival)', (plan) => {
    const whole = drain(stream(plan));
    for (let seed = 1; seed <= 20; seed++) {
      const random = seededRandom(seed);
      let sharers = 4;
      const sent = carry(plan, 4, random, (slices, now) => {
        // The main thread writes a change into the next slices (pool.ts), some of which an engine running
        // ahead of it may have decided already; the engines decide the open slices after them.
        if (random() < 0.01) {
          sharers = 1 + Math.floor(random() * 4);
          decideSlices(slices, now, now + 2 * SLICE_MS, sharers);
        }
      });
      expect(sent.flat().sort((a, b) => a - b)).toEqual(whole);
    }
  });

  it('an engine outside the sharers sends nothing, and looks again only where the slices are still open', () => {
    const plan = plans[0]!;
    const slices = sliceTable(plan.durationMs);
    decideSlices(slices, 0, 2.5 * SLICE_MS, 1);
    const idle = new SharedArrivals(stream(plan), { slices, index: 1, seed: 3 });
    // The first arrival of slice 3, the first open one.
    expect(idle.next()).toBeCloseTo(3 * SLICE_MS, 6);
    expect(idle.check).toBe(true);
    decideSlices(slices, 3 * SLICE_MS, plan.durationMs, 1);
    expect(idle.next()).toBe(Infinity);
  });

  it('a slice still open when its time comes is decided as the one before it, once for all', () => {
    // 0.25 ms apart: exact in binary, so that slice 0 holds exactly SLICE_MS * 4 arrivals.
    const plan: ArrivalPlan = { fromRps: 4000, toRps: 4000, arrival: 'constant', durationMs: 1000 };
    const slices = sliceTable(plan.durationMs);
    decideSlices(slices, 0, 0, 2);
    const first = new SharedArrivals(stream(plan), { slices, index: 0, seed: 3 });
    const times = Array.from({ length: SLICE_MS * 2 + 1 }, () => first.next());
    // Slice 0 shared by 2: every other arrival; then the open slice 1 is looked at, at its first arrival.
    expect(times[SLICE_MS * 2 - 1]).toBe(SLICE_MS - 0.5);
    expect(times[SLICE_MS * 2]).toBe(SLICE_MS);
    expect(first.check).toBe(true);
    // Called again once that time has come: it decides slice 1 as slice 0 was, and a later decision loses.
    expect(first.next()).toBe(SLICE_MS);
    expect(first.check).toBe(false);
    expect(slices[1]).toBe(2);
    decideSlices(slices, SLICE_MS, 2 * SLICE_MS - 1, 1);
    expect(slices[1]).toBe(2);
    expect(first.sharers).toBe(2);
    expect(first.next()).toBe(SLICE_MS + 0.5);
  });

  it('gathers its sends by the rate each engine carries', () => {
    const plan: ArrivalPlan = { fromRps: 6000, toRps: 6000, arrival: 'poisson', durationMs: 1000 };
    expect(coalescingMs(plan, 500, 1)).toBeGreaterThan(0);
    expect(coalescingMs(plan, 500, 2)).toBe(0);
  });
});

describe('enginesNeeded', () => {
  const p = (busy: number, connections = 0.05) => ({ busy, connections });

  it('gathers a light open loop onto one thread', () => {
    // 2,000 req/s on two engine threads, measured: each busy 13-21 % of the time.
    expect(enginesNeeded(2, [p(0.08), p(0.08)], 2)).toBe(1);
    expect(enginesNeeded(2, [p(0.21), p(0.17)], 2)).toBe(1);
    expect(enginesNeeded(4, [p(0.15), p(0.15), p(0.15), p(0.15)], 4)).toBe(2);
    expect(enginesNeeded(4, [p(0), p(0), p(0), p(0)], 4)).toBe(1);
  });

  it('adds a thread when one is pressed, by CPU or by connections, never past the most there are', () => {
    expect(enginesNeeded(1, [p(SPREAD_ABOVE + 0.1), p(0)], 2)).toBe(2);
    // Its requests waited for a connection (1.5x what it has): they need 1.5 / GATHER_UNDER.connections threads' worth.
    const idle = p(0, 0);
    expect(enginesNeeded(1, [p(0.1, 1.5), idle, idle, idle], 4)).toBe(4);
    expect(enginesNeeded(1, [p(0.1, 0.65), idle, idle, idle], 4)).toBe(2);
    expect(enginesNeeded(2, [p(0.9), p(0.9), p(0), p(0)], 4)).toBe(4);
    expect(enginesNeeded(2, [p(0.9), p(0.9)], 2)).toBe(2);
  });

  it('holds between the two bounds, so that it does not swing back and forth', () => {
    expect(enginesNeeded(1, [p(0.5), p(0)], 2)).toBe(1);
    expect(enginesNeeded(2, [p(GATHER_UNDER.busy), p(GATHER_UNDER.busy)], 2)).toBe(2);
    // Connections taken add up as they are, unlike busy time: gathered, these would be 40 % taken.
    expect(enginesNeeded(2, [p(0.05, 0.2), p(0.05, 0.2)], 2)).toBe(2);
    expect(enginesNeeded(2, [p(0.2, 0.05), p(0.2, 0.05)], 2)).toBe(1);
    // Gathered, their connections would be too full: two threads stay.
    expect(enginesNeeded(2, [p(0.05, 0.3), p(0.05, 0.3)], 2)).toBe(2);
  });
});

describe('enginesToStart', () => {
  const open = (fromRps: number, toRps = fromRps) => ({ model: 'open', arrival: 'poisson', fromRps, toRps, connections: 64, pipelining: 1 }) as const;

  it('starts a light open loop on one thread, and a heavier one on as many as carry START_RPS_PER_ENGINE each', () => {
    expect(enginesToStart(open(2000), 2)).toBe(1);
    expect(enginesToStart(open(START_RPS_PER_ENGINE), 4)).toBe(1);
    expect(enginesToStart(open(START_RPS_PER_ENGINE + 1), 4)).toBe(2);
    expect(enginesToStart(open(20_000), 2)).toBe(2);
    expect(enginesToStart(open(20_000), 8)).toBe(5);
  });

  it('goes by the rate a ramp starts at, and starts at least one thread', () => {
    expect(enginesToStart(open(100, 20_000), 4)).toBe(1);
    expect(enginesToStart(open(0, 1000), 4)).toBe(1);
  });
});
