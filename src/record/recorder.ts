/**
 * Receives every sample of a run and keeps it as HDR histograms: one per request per interval (reset each
 * interval, after the writers have seen it) and running totals per phase. Successes and errors never share a
 * histogram, so a fast 503 cannot flatter the percentiles.
 */

import type { ErrorKind, SampleSink } from '../load/sample.js';
import { addHistogram, addPackedHistogram, encodeHistogram, newHistogram, packHistogram, recordUs, type Encode, type Histogram, type PackedHistogram } from './histogram.js';
import { HopRecorder, type HopPart } from './hop-recorder.js';
import { RequestLog, type LogPart } from './request-log.js';
import { performance } from 'node:perf_hooks';

/** Failure kinds plus HTTP status classes that count as errors. */
export type ErrorLabel = ErrorKind | 'http_4xx' | 'http_5xx';
export type Counts = Partial<Record<string, number>>;

/** One request's figures over some span (an interval or a phase). */
export class RequestSeries {
  readonly ok = newHistogram();
  readonly failed = newHistogram();
  errors: Counts = {};
  statuses: Counts = {};

  get attempts(): number {
    return this.ok.totalCount + this.failed.totalCount;
  }

  add(other: RequestSeries): void {
    addHistogram(this.ok, other.ok);
    addHistogram(this.failed, other.failed);
    addCounts(this.errors, other.errors);
    addCounts(this.statuses, other.statuses);
  }

  reset(): void {
    this.ok.reset();
    this.failed.reset();
    // New objects, not the old ones' keys deleted: a deleted key changed the counts' hidden class at each
    // interval's end, and the optimized response path that counts statuses was thrown away with it.
    this.errors = {};
    this.statuses = {};
  }

  pack(encode?: Encode): SeriesPart {
    return { ok: packHistogram(this.ok, encode), failed: packHistogram(this.failed, encode), errors: { ...this.errors }, statuses: { ...this.statuses } };
  }

  addPacked(part: SeriesPart): void {
    addPackedHistogram(this.ok, part.ok);
    addPackedHistogram(this.failed, part.failed);
    addCounts(this.errors, part.errors);
    addCounts(this.statuses, part.statuses);
  }
}

/** A RequestSeries that can cross a thread boundary. */
export interface SeriesPart {
  ok: PackedHistogram;
  failed: PackedHistogram;
  errors: Counts;
  statuses: Counts;
}

/**
 * What one recorder saw since its previous hand-over, in a form postMessage can carry: a worker thread's
 * recorder hands this over each interval, and the main recorder absorbs it into its own current interval.
 */
export interface RecorderPart {
  /** Indexed like the scenario's requests; null for a request without attempts. */
  requests: (SeriesPart | null)[];
  sendLag: PackedHistogram;
  connect: PackedHistogram;
  handshake: PackedHistogram;
  hops: HopPart;
  log: LogPart;
}

export function addCounts(into: Counts, from: Counts): void {
  for (const [k, v] of Object.entries(from)) into[k] = (into[k] ?? 0) + (v ?? 0);
}

export interface IntervalSnapshot {
  /** 0, 1, 2, ... over the whole run. */
  index: number;
  /** From the run's start. */
  startMs: number;
  lengthMs: number;
  phase: string;
  /** Indexed like the scenario's requests; writers skip the ones with no attempts. */
  requests: readonly RequestSeries[];
  /** Successes of all requests together. */
  overall: Histogram;
  /** Open loop: how late requests left compared to their intended time. */
  sendLag: Histogram;
  /**
   * encodeHistogram of one of this interval's histograms, each encoded once: the hlog and histograms.json
   * write the same ones, and with one request its successes are the overall's. Compressing is most of an
   * interval's end, which happens on the thread that sends.
   */
  encode: Encode;
}

export interface PhaseTotals {
  phase: string;
  recorded: boolean;
  durationMs: number;
  requests: RequestSeries[];
  sendLag: Histogram;
  /** Connections made (TCP connect time) and, over TLS, their handshakes. */
  connect: Histogram;
  handshake: Histogram;
}

/** Receives every interval as it closes; histograms are reset right after, so use or copy them in the call. */
export type IntervalListener = (snapshot: IntervalSnapshot) => void;

/** What one interval records into: the recorder swaps a whole set out when a cut closes the interval later. */
class IntervalBuffers {
  readonly series: RequestSeries[];
  readonly lag = newHistogram();
  readonly connectTimes = newHistogram();
  readonly handshakeTimes = newHistogram();
  /** The successes of all requests together, summed when the interval closes. */
  readonly overall = newHistogram();

  constructor(requests: number) {
    this.series = Array.from({ length: requests }, () => new RequestSeries());
  }

  reset(): void {
    this.series.forEach((series) => series.reset());
    this.lag.reset();
    this.connectTimes.reset();
    this.handshakeTimes.reset();
  }
}

/** An interval cut and not yet closed: the steps left of its close, each run on a turn of the event loop of its own. */
interface Closing {
  steps: (() => void)[];
  /** The longest step so far, in ms: how long the close held the thread at once. */
  longestMs: number;
  closed: ((longestStepMs: number) => void) | undefined;
}

export class Recorder implements SampleSink {
  private buffers: IntervalBuffers;
  /** The other set: the interval being closed, or, once closed and reset, the next cut's. */
  private other: IntervalBuffers;
  private closing: Closing | undefined;
  private closeScheduled = false;
  private readonly phases: PhaseTotals[] = [];
  private readonly listeners: IntervalListener[] = [];
  private intervalIndex = 0;
  private recording = false;
  /** Per-hop times from Server-Timing, over the recorded phases only. */
  readonly hops = new HopRecorder();
  /** Start and latency of each response of the recorded phases, to line up with GC pauses and faults. */
  readonly requests = new RequestLog();
  private intervalStartMs = 0;

  /**
   * @param originMs performance.now() at the run's start: the zero of every timestamp.
   */
  constructor(
    readonly requestNames: readonly string[],
    readonly originMs = performance.now(),
  ) {
    this.buffers = new IntervalBuffers(requestNames.length);
    this.other = new IntervalBuffers(requestNames.length);
  }

  onInterval(listener: IntervalListener): void {
    this.listeners.push(listener);
  }

  response(requestIndex: number, latencyUs: number, status: number, serverTiming: string | undefined, startMs: number): void {
    if (this.recording) {
      this.hops.response(latencyUs, serverTiming);
      this.requests.add(startMs - this.originMs, latencyUs);
    }
    const series = this.buffers.series[requestIndex]!;
    const statusClass = status < 200 ? '1xx' : status < 300 ? '2xx' : status < 400 ? '3xx' : status < 500 ? '4xx' : '5xx';
    series.statuses[statusClass] = (series.statuses[statusClass] ?? 0) + 1;
    if (status < 400) recordUs(series.ok, latencyUs);
    else {
      const label: ErrorLabel = status < 500 ? 'http_4xx' : 'http_5xx';
      series.errors[label] = (series.errors[label] ?? 0) + 1;
      recordUs(series.failed, latencyUs);
    }
  }

  failure(requestIndex: number, kind: ErrorKind, latencyUs: number): void {
    const series = this.buffers.series[requestIndex]!;
    series.errors[kind] = (series.errors[kind] ?? 0) + 1;
    recordUs(series.failed, latencyUs);
  }

  sendLag(lagUs: number): void {
    recordUs(this.buffers.lag, lagUs);
  }

  connected(connectUs: number, handshakeUs: number | undefined): void {
    recordUs(this.buffers.connectTimes, connectUs);
    if (handshakeUs !== undefined) recordUs(this.buffers.handshakeTimes, handshakeUs);
  }

  /** Starts a phase: intervals flushed from now on belong to it. */
  beginPhase(phase: string, recorded: boolean, nowMs: number): void {
    // The gap between two phases (counters scraped, faults cleared) carries no load: it is no interval of
    // either, or the timeline would draw a point of zero latency and zero rate at every phase boundary.
    this.flushPending(nowMs);
    this.intervalStartMs = nowMs;
    this.recording = recorded;
    this.phases.push({
      phase,
      recorded,
      durationMs: 0,
      requests: this.requestNames.map(() => new RequestSeries()),
      sendLag: newHistogram(),
      connect: newHistogram(),
      handshake: newHistogram(),
    });
  }

  /**
   * The phase's load starts at `nowMs`: its first interval starts there too. The time before (the pool's
   * set-up, worker threads' start) carried no requests; counted in, it read as a first interval of a lower
   * rate (`--workers 2` at 2,000 req/s: 1,808-1,877 req/s) and lengthened the phase its rates divide by.
   */
  loadStarted(nowMs: number): void {
    this.flushPending(nowMs);
    this.intervalStartMs = nowMs;
  }

  /**
   * Closes the phase's last interval where its load ended (`endMs`: its last answer), not where the caller
   * got to: the connections' closing and the worker threads' end (5-30 ms) carried none of it. At `nowMs`
   * when an interval was cut after `endMs` (figures handed over after that cut are still to close), and
   * at most `nowMs`: with `--workers`, `endMs` adds a thread's span to this thread's start, and the
   * threads' clocks start milliseconds apart.
   */
  endPhase(endMs: number, nowMs: number): void {
    this.flush(endMs > this.intervalStartMs ? Math.min(endMs, nowMs) : nowMs);
  }

  /** Closes the current interval at `nowMs` if anything was recorded in it since the last flush; an idle gap is no interval. */
  flushPending(nowMs: number): void {
    this.finishClosing();
    if (this.buffers.series.some((series) => series.attempts > 0)) this.flush(nowMs);
  }

  /** Closes the current interval at `nowMs` (ms from the run's start), hands it to listeners, folds it into the phase. */
  flush(nowMs: number): void {
    this.cut(nowMs);
    this.finishClosing();
  }

  /**
   * Ends the current interval at `nowMs` (ms from the run's start) and closes it over the next turns of the
   * event loop, a step a turn: summing its requests, each listener, folding it into the phase. The sends
   * due meanwhile go out between the steps. Closed at once (0.6-1.1 ms at p50 on this 2-core VM, 1.7-3.8 ms
   * the first time, cold each second: bench/cold-cost.ts), it held up every send due in it: at 20,000 req/s
   * 774-923 of a 15-s run's ~4,300 sends later than 300 us fell due in an interval's first 100 ms, where any
   * 100 ms held ~23. Every other call, and the next cut, finishes a pending close first. `closed` gets the
   * longest step, in ms, once the interval is closed.
   */
  cutLater(nowMs: number, closed: (longestStepMs: number) => void): void {
    this.cut(nowMs);
    if (!this.closing) {
      closed(0);
      return;
    }
    this.closing.closed = closed;
    this.scheduleStep();
  }

  private cut(nowMs: number): void {
    this.finishClosing();
    const current = this.phases[this.phases.length - 1];
    const lengthMs = nowMs - this.intervalStartMs;
    // The other set's close was finished above, which reset it.
    const done = this.buffers;
    this.buffers = this.other;
    this.other = done;
    this.hops.interval();
    const startMs = this.intervalStartMs;
    this.intervalStartMs = nowMs;
    if (!current || lengthMs <= 0) {
      done.reset();
      return;
    }
    const index = this.intervalIndex++;
    let snapshot: IntervalSnapshot | undefined;
    // Compressing is most of a close: each histogram the writers encode (the hlog and histograms.json ask for
    // these) is a step of its own before them, and they find it encoded.
    const written = [done.overall, ...done.series.flatMap((series) => [series.ok, series.failed]), done.lag];
    const encodings = this.listeners.length > 0 ? written.map((h) => () => h.totalCount > 0 && snapshot!.encode(h)) : [];
    const steps = [
      () => (snapshot = this.snapshotOf(done, index, startMs, lengthMs, current.phase)),
      ...encodings,
      ...this.listeners.map((listener) => () => listener(snapshot!)),
      () => {
        done.series.forEach((series, i) => current.requests[i]!.add(series));
        addHistogram(current.sendLag, done.lag);
        addHistogram(current.connect, done.connectTimes);
        addHistogram(current.handshake, done.handshakeTimes);
        current.durationMs += lengthMs;
        done.reset();
      },
    ];
    this.closing = { steps, longestMs: 0, closed: undefined };
  }

  private snapshotOf(done: IntervalBuffers, index: number, startMs: number, lengthMs: number, phase: string): IntervalSnapshot {
    done.overall.reset();
    for (const series of done.series) addHistogram(done.overall, series.ok);
    const answered = done.series.filter((series) => series.ok.totalCount > 0);
    const encodings = new Map<Histogram, string>();
    return {
      index,
      startMs,
      lengthMs,
      phase,
      requests: done.series,
      overall: done.overall,
      sendLag: done.lag,
      encode: (h) => {
        // The sum of one histogram has its counts and extremes: the same encoding.
        const same = h === done.overall && answered.length === 1 ? answered[0]!.ok : h;
        let encoded = encodings.get(same);
        if (encoded === undefined) encodings.set(same, (encoded = encodeHistogram(same)));
        return encoded;
      },
    };
  }

  private scheduleStep(): void {
    if (this.closeScheduled) return;
    this.closeScheduled = true;
    setImmediate(() => {
      this.closeScheduled = false;
      if (this.closing && this.runStep(this.closing)) this.scheduleStep();
    });
  }

  /** Runs the closing's next step; false once it is closed. */
  private runStep(closing: Closing): boolean {
    const startedMs = performance.now();
    closing.steps.shift()!();
    closing.longestMs = Math.max(closing.longestMs, performance.now() - startedMs);
    if (closing.steps.length > 0) return true;
    this.closing = undefined;
    closing.closed?.(closing.longestMs);
    return false;
  }

  /** The pending close's steps, all now: whatever reads or changes the intervals and phases goes after it. */
  private finishClosing(): void {
    const closing = this.closing;
    if (closing) while (this.runStep(closing));
  }

  /**
   * Worker side: everything recorded since the previous hand-over (the current interval's series, send lag,
   * hop times, request log), which then starts afresh. The worker's own phases and intervals are not used.
   */
  handOver(): RecorderPart {
    const b = this.buffers;
    const part: RecorderPart = {
      requests: b.series.map((series) => (series.attempts > 0 ? series.pack() : null)),
      sendLag: packHistogram(b.lag),
      connect: packHistogram(b.connectTimes),
      handshake: packHistogram(b.handshakeTimes),
      hops: this.hops.handOver(),
      log: this.requests.handOver(),
    };
    b.reset();
    return part;
  }

  /**
   * Main side: adds another recorder's hand-over to the current interval, exactly (HDR add), as if its
   * samples had been recorded here; the next flush() then writes and totals them like any other.
   */
  absorb(part: RecorderPart): void {
    const b = this.buffers;
    part.requests.forEach((series, i) => series && b.series[i]!.addPacked(series));
    addPackedHistogram(b.lag, part.sendLag);
    addPackedHistogram(b.connectTimes, part.connect);
    addPackedHistogram(b.handshakeTimes, part.handshake);
    this.hops.absorb(part.hops);
    this.requests.absorb(part.log);
  }

  /** Every phase's totals, in run order, a pending close finished first. Call after the last flush. */
  get phaseTotals(): readonly PhaseTotals[] {
    this.finishClosing();
    return this.phases;
  }
}
