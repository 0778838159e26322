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

export class Recorder implements SampleSink {
  private readonly interval: RequestSeries[];
  private readonly overall = newHistogram();
  private readonly lag = newHistogram();
  private readonly connectTimes = newHistogram();
  private readonly handshakeTimes = newHistogram();
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
    this.interval = requestNames.map(() => new RequestSeries());
  }

  onInterval(listener: IntervalListener): void {
    this.listeners.push(listener);
  }

  response(requestIndex: number, latencyUs: number, status: number, serverTiming: string | undefined, startMs: number): void {
    if (this.recording) {
      this.hops.response(latencyUs, serverTiming);
      this.requests.add(startMs - this.originMs, latencyUs);
    }
    const series = this.interval[requestIndex]!;
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
    const series = this.interval[requestIndex]!;
    series.errors[kind] = (series.errors[kind] ?? 0) + 1;
    recordUs(series.failed, latencyUs);
  }

  sendLag(lagUs: number): void {
    recordUs(this.lag, lagUs);
  }

  connected(connectUs: number, handshakeUs: number | undefined): void {
    recordUs(this.connectTimes, connectUs);
    if (handshakeUs !== undefined) recordUs(this.handshakeTimes, handshakeUs);
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
    if (this.interval.some((series) => series.attempts > 0)) this.flush(nowMs);
  }

  /** Closes the current interval at `nowMs` (ms from the run's start), hands it to listeners, folds it into the phase. */
  flush(nowMs: number): void {
    const current = this.phases[this.phases.length - 1];
    const lengthMs = nowMs - this.intervalStartMs;
    if (current && lengthMs > 0) {
      this.overall.reset();
      for (const series of this.interval) addHistogram(this.overall, series.ok);
      const answered = this.interval.filter((series) => series.ok.totalCount > 0);
      const encodings = new Map<Histogram, string>();
      const snapshot: IntervalSnapshot = {
        index: this.intervalIndex++,
        startMs: this.intervalStartMs,
        lengthMs,
        phase: current.phase,
        requests: this.interval,
        overall: this.overall,
        sendLag: this.lag,
        encode: (h) => {
          // The sum of one histogram has its counts and extremes: the same encoding.
          const same = h === this.overall && answered.length === 1 ? answered[0]!.ok : h;
          let encoded = encodings.get(same);
          if (encoded === undefined) encodings.set(same, (encoded = encodeHistogram(same)));
          return encoded;
        },
      };
      for (const listener of this.listeners) listener(snapshot);
      this.interval.forEach((series, i) => current.requests[i]!.add(series));
      addHistogram(current.sendLag, this.lag);
      addHistogram(current.connect, this.connectTimes);
      addHistogram(current.handshake, this.handshakeTimes);
      current.durationMs += lengthMs;
    }
    this.interval.forEach((series) => series.reset());
    this.resetSmall();
    this.hops.interval();
    this.intervalStartMs = nowMs;
  }

  /**
   * Worker side: everything recorded since the previous hand-over (the current interval's series, send lag,
   * hop times, request log), which then starts afresh. The worker's own phases and intervals are not used.
   */
  handOver(): RecorderPart {
    const part: RecorderPart = {
      requests: this.interval.map((series) => (series.attempts > 0 ? series.pack() : null)),
      sendLag: packHistogram(this.lag),
      connect: packHistogram(this.connectTimes),
      handshake: packHistogram(this.handshakeTimes),
      hops: this.hops.handOver(),
      log: this.requests.handOver(),
    };
    this.interval.forEach((series) => series.reset());
    this.resetSmall();
    return part;
  }

  /** The histograms that are not per request: send lag and connection set-up. */
  private resetSmall(): void {
    this.lag.reset();
    this.connectTimes.reset();
    this.handshakeTimes.reset();
  }

  /**
   * Main side: adds another recorder's hand-over to the current interval, exactly (HDR add), as if its
   * samples had been recorded here; the next flush() then writes and totals them like any other.
   */
  absorb(part: RecorderPart): void {
    part.requests.forEach((series, i) => series && this.interval[i]!.addPacked(series));
    addPackedHistogram(this.lag, part.sendLag);
    addPackedHistogram(this.connectTimes, part.connect);
    addPackedHistogram(this.handshakeTimes, part.handshake);
    this.hops.absorb(part.hops);
    this.requests.absorb(part.log);
  }

  /** Every phase's totals, in run order. Call after the last flush. */
  get phaseTotals(): readonly PhaseTotals[] {
    return this.phases;
  }
}
