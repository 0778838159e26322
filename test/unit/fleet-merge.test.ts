/**
 * The fleet's exact merge: runs recorded apart (each generator its own Recorder, clock and interval cuts)
 * merged through histograms.json must give what one Recorder given the union of all their values gives.
 */

import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { ExactCollector, type ExactRecord } from '../../src/run-folder/histograms.js';
import { alignIntervals, checkCompatible, replay } from '../../src/fleet/merge.js';
import { seededRandom, type Random } from '../../src/load/random.js';
import { decodeHistogram, encodeHistogram, percentiles, type Histogram } from '../../src/record/histogram.js';
import { Recorder, type IntervalSnapshot } from '../../src/record/recorder.js';
import { combine } from '../../src/record/stats.js';

const NAMES = ['get', 'post'];

function shape(h: Histogram) {
  return { ...percentiles(h), encoded: encodeHistogram(h) };
}

/** Wide latencies (20 us to 250 ms), so that buckets wider than 1 us are exercised. */
function latencyUs(random: Random): number {
  return 20 + Math.floor(random() ** 3 * 250_000);
}

interface Part {
  /** The generator's own epoch at its run's zero, and what its clock must be corrected by. */
  epochMs: number;
  offsetMs: number;
  /** Interval cut times (ms from the part's zero) per phase: [warm-up cuts, main cuts]. */
  cuts: [number[], number[]];
  seed: number;
}

interface Value {
  request: number;
  latencyUs: number;
  /** timeout, 503, or 200; and whether a send lag goes with it. */
  outcome: 'timeout' | 503 | 200;
  lag: boolean;
}

/** The values a part records: per phase, per interval. */
function valuesOf(part: Part): Value[][][] {
  const random = seededRandom(part.seed);
  return part.cuts.map((cuts) =>
    cuts.map(() =>
      Array.from({ length: 200 + Math.floor(random() * 300) }, (): Value => {
        const u = random();
        return { request: random() < 0.5 ? 0 : 1, latencyUs: latencyUs(random), outcome: u < 0.05 ? 'timeout' : u < 0.08 ? 503 : 200, lag: u > 0.5 };
      }),
    ),
  );
}

function feed(recorder: Recorder, values: readonly Value[]): void {
  for (const v of values) {
    if (v.outcome === 'timeout') recorder.failure(v.request, 'timeout', v.latencyUs);
    else recorder.response(v.request, v.latencyUs, v.outcome, undefined, 0);
    if (v.lag) recorder.sendLag(v.latencyUs / 100);
  }
}

const PHASES = ['warm', 'main'] as const;

/** Records one part as a generator would: a warm-up, then a recorded phase, cut where `cuts` says. */
function recordPart(part: Part): ExactRecord {
  const values = valuesOf(part);
  const recorder = new Recorder(NAMES, 0);
  const exact = new ExactCollector(recorder);
  let t = 0;
  PHASES.forEach((phase, p) => {
    recorder.beginPhase(phase, phase === 'main', t);
    part.cuts[p]!.forEach((cut, k) => {
      feed(recorder, values[p]![k]!);
      recorder.flush(cut);
      t = cut;
    });
  });
  return exact.finish(part.epochMs, part.offsetMs);
}

/** One recorder given every value of every part, phase by phase: what the merge must equal. */
function unionOf(parts: readonly Part[]): Recorder {
  const union = new Recorder(NAMES, 0);
  const values = parts.map(valuesOf);
  PHASES.forEach((phase, p) => {
    union.beginPhase(phase, phase === 'main', p * 10_000);
    for (const v of values) for (const interval of v[p]!) feed(union, interval);
    union.flush(p * 10_000 + 9_000);
  });
  return union;
}

const CUTS_A: [number[], number[]] = [
  [1000, 2000],
  [3000, 4000, 5000, 6000, 6500],
];
/** Cut at other phases of the second than A, and a short last interval: the misalignment a fleet has. */
const CUTS_B: [number[], number[]] = [
  [1000, 2000],
  [3000, 4000, 5000, 6000, 6200],
];

describe('fleet merge', () => {
  it('gives the percentiles, counts and max of the union of the raw values, per request and overall', () => {
    const parts: Part[] = [
      { epochMs: 1_000_000, offsetMs: 0, cuts: CUTS_A, seed: 1 },
      { epochMs: 1_000_400, offsetMs: 0, cuts: CUTS_B, seed: 2 },
      // A clock 5 s fast, corrected by its offset: lands on the same grid as the others.
      { epochMs: 1_005_250, offsetMs: -5000, cuts: CUTS_A, seed: 3 },
    ];
    const union = unionOf(parts);
    const records = parts.map(recordPart);

    const merged = new Recorder(NAMES, 0);
    replay(alignIntervals(records), records, merged);

    const expected = combine(union.phaseTotals.filter((p) => p.recorded), NAMES);
    const actual = combine(merged.phaseTotals.filter((p) => p.recorded), NAMES);
    expect(shape(actual.all.ok)).toEqual(shape(expected.all.ok));
    expect(shape(actual.all.failed)).toEqual(shape(expected.all.failed));
    expect(actual.all.errors).toEqual(expected.all.errors);
    expect(actual.all.statuses).toEqual(expected.all.statuses);
    NAMES.forEach((_, i) => {
      expect(shape(actual.perRequest[i]!.ok)).toEqual(shape(expected.perRequest[i]!.ok));
      expect(shape(actual.perRequest[i]!.failed)).toEqual(shape(expected.perRequest[i]!.failed));
    });
    expect(shape(merged.phaseTotals[1]!.sendLag)).toEqual(shape(union.phaseTotals[1]!.sendLag));
    // The warm-up merged too, and stays out of the recorded totals.
    expect(merged.phaseTotals[0]!.recorded).toBe(false);
    expect(combine([merged.phaseTotals[0]!], NAMES).all.attempts).toBe(combine([union.phaseTotals[0]!], NAMES).all.attempts);
    // Counts and max add up across parts, explicitly.
    const perPart = records.map((r) => {
      const alone = new Recorder(NAMES, 0);
      replay(alignIntervals([r]), [r], alone);
      return combine(alone.phaseTotals.filter((p) => p.recorded), NAMES).all.ok;
    });
    expect(actual.all.ok.totalCount).toBe(perPart.reduce((n, h) => n + h.totalCount, 0));
    expect(actual.all.ok.maxValue).toBe(Math.max(...perPart.map((h) => h.maxValue)));
  });

  it('aligns misaligned intervals by the coordinator clock onto one grid, dropping none', () => {
    const records = [
      recordPart({ epochMs: 2_000_000, offsetMs: 0, cuts: CUTS_A, seed: 4 }),
      recordPart({ epochMs: 2_000_400, offsetMs: 0, cuts: CUTS_B, seed: 5 }),
      recordPart({ epochMs: 1_990_700, offsetMs: 10_000, cuts: CUTS_A, seed: 6 }),
    ];
    const aligned = alignIntervals(records);
    expect(aligned.originEpochMs).toBe(2_000_000);
    const main = aligned.phases[1]!;
    // On the coordinator's clock the warm-ups end at 2000 (A), 2400 (B) and 2700 (C); the main phase
    // starts after the last of them (phases follow one another), and ends with C at 7200. A's first main
    // interval (2000..3000) starts before that: it is aligned into the first step, not dropped.
    expect(aligned.phases[0]!.endMs).toBe(2700);
    expect(main.startMs).toBe(2700);
    expect(main.endMs).toBe(7200);
    expect(main.slots.map((s) => [s.startMs, s.endMs])).toEqual([
      [2700, 3700],
      [3700, 4700],
      [4700, 5700],
      [5700, 6700],
      [6700, 7200],
    ]);
    const mainIntervals = records.reduce((n, r) => n + r.intervals.filter((i) => i.phase === 'main').length, 0);
    expect(main.slots.reduce((n, s) => n + s.parts.length, 0)).toBe(mainIntervals);

    const seen: IntervalSnapshot[] = [];
    const merged = new Recorder(NAMES, 0);
    let attemptsInIntervals = 0;
    merged.onInterval((s) => {
      seen.push(s);
      attemptsInIntervals += s.requests.reduce((n, r) => n + r.attempts, 0);
    });
    replay(aligned, records, merged);
    const attemptsInRecords = records.flatMap((r) => r.intervals).reduce((n, i) => n + i.requests.reduce((m, s) => m + (s ? countOf(s.ok.encoded) + countOf(s.failed.encoded) : 0), 0), 0);
    expect(attemptsInIntervals).toBe(attemptsInRecords);
    // Merged interval lengths follow the grid, and the recorded phase's duration is the union's span.
    expect(merged.phaseTotals[1]!.durationMs).toBe(4500);
  });

  it('refuses runs of different requests or phases, naming both', () => {
    const a = recordPart({ epochMs: 0, offsetMs: 0, cuts: CUTS_A, seed: 7 });
    const b: ExactRecord = { ...a, requestNames: ['get', 'put'] };
    const c: ExactRecord = { ...a, phases: a.phases.slice(1) };
    expect(() => checkCompatible([{ record: a, label: 'A' }, { record: b, label: 'B' }])).toThrow(UsageError);
    expect(() => checkCompatible([{ record: a, label: 'A' }, { record: b, label: 'B' }])).toThrow(/B has the requests \[get, put\], A has \[get, post\]/);
    expect(() => checkCompatible([{ record: a, label: 'A' }, { record: c, label: 'C' }])).toThrow(/C has the phases \[main\], A has \[warm, main\]/);
  });
});

function countOf(encoded: string): number {
  return decodeHistogram(encoded).totalCount;
}
