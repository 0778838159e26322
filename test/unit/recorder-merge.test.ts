/**
 * `--workers`: each worker thread records into its own Recorder and hands its figures over every interval;
 * the main Recorder absorbs them. Recording samples split over two recorders and merging them must give
 * exactly what one recorder recording them all gives: same counts, same buckets, same min/max/percentiles.
 */

import { hopAnalysis } from '../../src/analyze/hops.js';
import { describe, expect, it } from 'vitest';
import { seededRandom, type Random } from '../../src/load/random.js';
import { encodeHistogram, newHistogram, packHistogram, percentiles, recordUs, unpackHistogram, type Histogram } from '../../src/record/histogram.js';
import { HopRecorder } from '../../src/record/hop-recorder.js';
import { Recorder, type IntervalSnapshot } from '../../src/record/recorder.js';
import { RequestLog } from '../../src/record/request-log.js';
import { Timeline } from '../../src/record/timeline.js';

/** Everything a histogram says, as plain data. */
function shape(h: Histogram) {
  return { ...percentiles(h), encoded: encodeHistogram(h), stdDeviation: h.stdDeviation };
}

/** Latencies over several decades, so that values fall in buckets wider than 1 us (where rounding would show). */
function latencyUs(random: Random): number {
  return 20 + Math.floor(random() ** 3 * 250_000) + random();
}

type Sample =
  | { kind: 'response'; request: number; latencyUs: number; status: number; serverTiming: string | undefined }
  | { kind: 'failure'; request: number; latencyUs: number }
  | { kind: 'lag'; lagUs: number };

function samples(random: Random, count: number): Sample[] {
  return Array.from({ length: count }, (): Sample => {
    const u = random();
    const latency = latencyUs(random);
    if (u < 0.05) return { kind: 'failure', request: 1, latencyUs: latency };
    if (u < 0.1) return { kind: 'lag', lagUs: latency / 10 };
    const apiMs = Math.floor(latency / 2000);
    const serverTiming = u < 0.8 ? `api;dur=${apiMs}, origin;dur=${Math.floor(apiMs / 2)}` : undefined;
    return { kind: 'response', request: u < 0.5 ? 0 : 1, latencyUs: latency, status: u > 0.97 ? 503 : 200, serverTiming };
  });
}

function feed(recorder: Recorder, s: Sample, startMs: number): void {
  if (s.kind === 'response') recorder.response(s.request, s.latencyUs, s.status, s.serverTiming, startMs);
  else if (s.kind === 'failure') recorder.failure(s.request, 'timeout', s.latencyUs);
  else recorder.sendLag(s.lagUs);
}

/** What listeners see of an interval, as plain data (they must copy: histograms are reset after the call). */
function snapshotOf(s: IntervalSnapshot) {
  return {
    overall: shape(s.overall),
    sendLag: shape(s.sendLag),
    requests: s.requests.map((r) => ({ ok: shape(r.ok), failed: shape(r.failed), errors: { ...r.errors }, statuses: { ...r.statuses } })),
  };
}

/** A recorder in its phase 'main', and what its listener saw of each interval. */
function watched(names: string[]): { recorder: Recorder; seen: ReturnType<typeof snapshotOf>[] } {
  const recorder = new Recorder(names, 0);
  const seen: ReturnType<typeof snapshotOf>[] = [];
  recorder.onInterval((s) => seen.push(snapshotOf(s)));
  recorder.beginPhase('main', true, 0);
  return { recorder, seen };
}

/** Tail means and shares sum fractional microseconds in arrival order, which differs once merged: compare to 12 digits. */
function to12Digits<T>(value: T): T {
  return JSON.parse(JSON.stringify(value, (_, v: unknown) => (typeof v === 'number' ? Number(v.toPrecision(12)) : v))) as T;
}

function logOf(log: RequestLog): number[] {
  const latencies: number[] = [];
  log.forEach((_, latency) => latencies.push(latency));
  return latencies.sort((a, b) => a - b);
}

describe('packHistogram / unpackHistogram', () => {
  it('round-trips counts and the exact min and max (the compressed form alone rounds them to bucket edges)', () => {
    const random = seededRandom(7);
    const h = newHistogram();
    for (let i = 0; i < 5000; i++) recordUs(h, latencyUs(random));
    recordUs(h, 123_457); // well inside a 64-us-wide bucket: max must stay 123457, not the bucket's edge
    const back = unpackHistogram(packHistogram(h));
    expect(shape(back)).toEqual(shape(h));
  });

  it('keeps an empty histogram empty', () => {
    const into = newHistogram();
    recordUs(into, 250);
    const before = shape(into);
    into.add(unpackHistogram(packHistogram(newHistogram())));
    expect(shape(into)).toEqual(before);
  });
});

describe('Recorder.handOver / absorb', () => {
  it('two recorders merged each interval equal one recorder: intervals, phase totals, hops, tails, request log', () => {
    const intervals = Array.from({ length: 4 }, (_, i) => samples(seededRandom(100 + i), 3000));
    const names = ['get item', 'post order'];

    const { recorder: single, seen: singleSeen } = watched(names);
    const { recorder: main, seen: mainSeen } = watched(names);
    const workers = [new Recorder(names, 0), new Recorder(names, 0)];
    for (const w of workers) w.beginPhase('main', true, 0);

    const pick = seededRandom(9);
    intervals.forEach((batch, i) => {
      for (const w of workers) w.hops.followTailBar(main.hops.tailBarUs);
      for (const s of batch) {
        feed(single, s, i * 1000);
        feed(workers[pick() < 0.5 ? 0 : 1]!, s, i * 1000);
      }
      for (const w of workers) main.absorb(w.handOver());
      single.flush((i + 1) * 1000);
      main.flush((i + 1) * 1000);
    });

    expect(mainSeen).toHaveLength(4);
    expect(mainSeen).toEqual(singleSeen);
    const totals = (r: Recorder) => r.phaseTotals.map((p) => ({ ...p, requests: p.requests.map((s) => [shape(s.ok), shape(s.failed), s.errors, s.statuses]), sendLag: shape(p.sendLag) }));
    expect(totals(main)).toEqual(totals(single));
    // The tail bar rose past the first interval, so tails were selected, and selected alike.
    expect(single.hops.tailBarUs).toBeGreaterThan(0);
    expect(main.hops.tailBarUs).toBe(single.hops.tailBarUs);
    const analysis = hopAnalysis(single.hops.recording);
    expect(analysis!.tails[0]!.requests).toBeGreaterThan(0);
    const merged = hopAnalysis(main.hops.recording);
    expect({ ...merged, tails: undefined }).toEqual({ ...analysis, tails: undefined });
    expect(to12Digits(merged!.tails)).toEqual(to12Digits(analysis!.tails));
    expect(logOf(main.requests)).toEqual(logOf(single.requests));
    expect(main.requests.keptShare).toBe(1);
  });
});

describe('Recorder.cutLater', () => {
  const names = ['get item', 'post order'];
  const totals = (r: Recorder) => r.phaseTotals.map((p) => ({ ...p, requests: p.requests.map((s) => [shape(s.ok), shape(s.failed), s.errors, s.statuses]), sendLag: shape(p.sendLag) }));
  const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

  it('closes each interval over later turns of the event loop, while the next records, as flush would at once', async () => {
    const intervals = Array.from({ length: 3 }, (_, i) => samples(seededRandom(200 + i), 3000));
    const { recorder: now, seen: nowSeen } = watched(names);
    const { recorder: later, seen: laterSeen } = watched(names);

    const longest: number[] = [];
    for (const [i, batch] of intervals.entries()) {
      // Half the interval's samples before the previous close has ended, half after.
      batch.slice(0, 1500).forEach((s) => feed(later, s, i * 1000));
      while (longest.length < i) await turn();
      batch.slice(1500).forEach((s) => feed(later, s, i * 1000));
      batch.forEach((s) => feed(now, s, i * 1000));
      now.flush((i + 1) * 1000);
      later.cutLater((i + 1) * 1000, (ms) => longest.push(ms));
      expect(laterSeen).toHaveLength(i);
      await turn();
      // One step a turn: the sum, then the encodings, then the listener.
      expect(laterSeen).toHaveLength(i);
    }
    while (longest.length < 3) await turn();
    expect(laterSeen).toEqual(nowSeen);
    expect(totals(later)).toEqual(totals(now));
    for (const ms of longest) expect(ms).toBeGreaterThan(0);
  });

  it('is finished first by whatever reads or closes intervals: the phase totals, the phase end, the next cut', () => {
    const batch = samples(seededRandom(300), 2000);
    const r = new Recorder(names, 0);
    const seen: number[] = [];
    r.onInterval((s) => seen.push(s.index));
    r.beginPhase('main', true, 0);
    batch.forEach((s) => feed(r, s, 0));
    let closedWith: number | undefined;
    r.cutLater(1000, (ms) => (closedWith = ms));
    expect(seen).toEqual([]);
    expect(r.phaseTotals[0]!.durationMs).toBe(1000);
    expect(seen).toEqual([0]);
    expect(closedWith).toBeGreaterThan(0);
    batch.forEach((s) => feed(r, s, 1000));
    r.cutLater(2000, () => {});
    batch.forEach((s) => feed(r, s, 2000));
    r.cutLater(3000, () => {});
    expect(seen).toEqual([0, 1]);
    r.endPhase(3000, 3000);
    expect(seen).toEqual([0, 1, 2]);
    expect(r.phaseTotals[0]!.requests.reduce((n, s) => n + s.attempts, 0)).toBe(3 * batch.filter((s) => s.kind !== 'lag').length);
  });
});

describe('HopRecorder.handOver / absorb', () => {
  it('hands over only what came since the last hand-over', () => {
    const worker = new HopRecorder();
    worker.response(5000, 'api;dur=4');
    const first = worker.handOver();
    worker.response(7000, 'api;dur=6');
    const second = worker.handOver();
    expect([first.responses, second.responses, first.parsed]).toEqual([1, 1, 1]);
    expect(unpackHistogram(second.latency).totalCount).toBe(1);
    const main = new HopRecorder();
    main.absorb(first);
    main.absorb(second);
    const one = new HopRecorder();
    one.response(5000, 'api;dur=4');
    one.response(7000, 'api;dur=6');
    expect(hopAnalysis(main.recording)).toEqual(hopAnalysis(one.recording));
  });
});

describe('RequestLog.handOver / absorb', () => {
  it('merges entries exactly and keeps counting responses seen', () => {
    const one = new RequestLog();
    const parts = [new RequestLog(), new RequestLog()];
    const random = seededRandom(3);
    for (let i = 0; i < 10_000; i++) {
      const start = random() * 60_000;
      const latency = latencyUs(random);
      one.add(start, latency);
      parts[i % 2]!.add(start, latency);
    }
    const main = new RequestLog();
    for (const p of parts) main.absorb(p.handOver());
    const entries = (log: RequestLog) => {
      const all: [number, number][] = [];
      log.forEach((s, l) => all.push([s, l]));
      return all.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    };
    expect(entries(main)).toEqual(entries(one));
    expect(main.keptShare).toBe(one.keptShare);
    expect(entries(parts[0]!)).toEqual([]);
  });
});

describe('Recorder intervals at phase boundaries', () => {
  it('the idle gap between two phases is no interval: every point on the timeline has load in it', () => {
    const recorder = new Recorder(['get'], 0);
    const timeline = new Timeline();
    recorder.onInterval(timeline.interval);
    recorder.beginPhase('one', true, 0);
    recorder.response(0, 250, 200, undefined, 500);
    recorder.flush(1000); // the tick
    recorder.response(0, 300, 200, undefined, 1002);
    recorder.flush(1004); // the phase's end: a short last interval, with load
    recorder.beginPhase('two', true, 1010); // 6 ms between phases with nothing sent
    recorder.response(0, 400, 200, undefined, 1500);
    recorder.flush(2010);
    expect(timeline.points.map((p) => [p.phase, p.tMs, p.lengthMs, p.p50Us])).toEqual([
      ['one', 0, 1000, 250],
      ['one', 1000, 4, 300],
      ['two', 1010, 1000, 400],
    ]);
    expect(recorder.phaseTotals.map((p) => p.durationMs)).toEqual([1004, 1000]);
  });

  it("flushPending closes an interval only when something was recorded in it: the run's idle end is no point", () => {
    const recorder = new Recorder(['get'], 0);
    const timeline = new Timeline();
    recorder.onInterval(timeline.interval);
    recorder.beginPhase('one', true, 0);
    recorder.response(0, 250, 200, undefined, 500);
    recorder.flushPending(1000);
    recorder.flushPending(1003);
    expect(timeline.points.map((p) => [p.tMs, p.lengthMs])).toEqual([[0, 1000]]);
    expect(recorder.phaseTotals[0]!.durationMs).toBe(1000);
  });

  it("the phase's intervals span its load: from the engine's clock start to its last answer, not the set-up before or the teardown after", () => {
    const recorder = new Recorder(['get'], 0);
    const timeline = new Timeline();
    recorder.onInterval(timeline.interval);
    recorder.beginPhase('one', true, 0);
    recorder.connected(5000, undefined); // the pool's set-up, before the clock
    recorder.loadStarted(180); // worker threads and connections took 180 ms
    recorder.response(0, 250, 200, undefined, 500);
    recorder.flush(1180); // the first tick, a second after the clock's start
    recorder.response(0, 300, 200, undefined, 2182);
    recorder.endPhase(2183, 2210); // the last answer at 2183; the threads ended by 2210
    expect(timeline.points.map((p) => [p.tMs, p.lengthMs])).toEqual([
      [180, 1000],
      [1180, 1003],
    ]);
    expect(recorder.phaseTotals[0]!.durationMs).toBe(2003);
    expect(recorder.phaseTotals[0]!.connect.totalCount).toBe(1);
  });

  it('endPhase after a cut later than the load\'s end closes at the caller\'s time, keeping what was handed over after the cut', () => {
    const recorder = new Recorder(['get'], 0);
    recorder.beginPhase('one', true, 0);
    recorder.loadStarted(0);
    recorder.response(0, 250, 200, undefined, 500);
    recorder.flush(1000); // a cut just after the last answer (at 998)
    recorder.response(0, 300, 200, undefined, 997); // a worker's last figures, handed over after the cut
    recorder.endPhase(998, 1010);
    expect(recorder.phaseTotals[0]!.requests[0]!.ok.totalCount).toBe(2);
    expect(recorder.phaseTotals[0]!.durationMs).toBe(1010);
  });
});
