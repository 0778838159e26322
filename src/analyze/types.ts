/** What the analysis stage adds to summary.json. Pure data: every field is computed by src/analyze/*. */

import type { Percentiles } from '../record/histogram.js';
import type { GcPause } from '../record/observers/types.js';

/** One point of a percentile spectrum, as HdrHistogram's outputPercentileDistribution lists them. */
export interface SpectrumPoint {
  percentile: number;
  valueUs: number;
}

export interface HopStats {
  /** The hop's Server-Timing name (fastjson-api, rust-cache-server, origin, ...), or "outside" for the residual. */
  name: string;
  /** Responses that carried this hop's entry. */
  count: number;
  /** The hop's own time: its dur minus the next (inner) hop's dur. */
  selfTime: Percentiles;
  spectrum: SpectrumPoint[];
}

/** Which hop the slowest requests spent their time in. */
export interface TailAttribution {
  /** "p99" or "p99.9": the requests at or above this client latency. */
  tail: string;
  thresholdUs: number;
  requests: number;
  /** Mean client latency of those requests (above thresholdUs: the tail holds everything at or above it). */
  meanLatencyUs: number;
  /** Mean time per hop over those requests, the residual as "outside"; shares add up to 1. */
  hops: { name: string; meanUs: number; share: number; dominatedCount: number }[];
}

export interface HopAnalysis {
  /** Share of responses whose Server-Timing was parsed (1 = every response). */
  sampledShare: number;
  hops: HopStats[];
  residual: HopStats;
  tails: TailAttribution[];
}

export interface GcAnalysis {
  service: string;
  /**
   * "go": pauses were read (the reference service's /debug/gc or Go's expvar memstats); "none": the service
   * has no garbage collector (Rust); "unseen": it may have one, but hopscope could not read it (see note).
   */
  collector: 'go' | 'none' | 'unseen';
  note: string;
  pauses: GcPause[];
  lost: number;
  pauseStats: Percentiles;
  /** Latency of requests in flight during a pause vs the others. */
  correlation: { duringPause: Percentiles; otherwise: Percentiles; requestsDuringPause: number } | undefined;
}

export interface GeneratorHealth {
  eventLoopDelay: Percentiles;
  gcPauses: GcPause[];
  gcPauseStats: Percentiles;
  /**
   * How long each interval's end (its hlog line, histograms.json entry and timeline point, a step per turn of
   * the event loop) held the thread that sends at once, during the load: open-loop sends due in a step left
   * that late. Absent in older run folders.
   */
  intervalEnds?: Percentiles;
  /** CPU time used by the generator over the run, as a share of one core (1 = one core busy all the time). */
  cpuShare: number;
  /** Filled when the generator, not the target, may have limited the result. */
  warnings: string[];
}

export interface HopCounts {
  service: string;
  /** Counter deltas over the run from the service's /metrics. */
  requests: number;
  upstreamRequests: number;
  timeouts: number;
  retries: number;
  /** Every counter's delta, for what a scenario looks at beyond these (cache hits, invalidations, their lag). */
  counters: Record<string, number>;
}

export interface Amplification {
  perService: HopCounts[];
  /** Requests the deepest hop received per client request. */
  deepestPerClientRequest: number | undefined;
}
