/**
 * Per-hop recording from Server-Timing: each hop's own time in an HDR histogram, the residual outside
 * the services, and the breakdowns of slow requests kept for tail attribution. Every response that
 * carries the header is parsed (no sampling: parsing costs about a microsecond, see bench/engine.ts).
 */

import { addPackedHistogram, newHistogram, packHistogram, recordUs, type Histogram, type PackedHistogram } from './histogram.js';
import { breakdown, parseServerTiming } from './server-timing.js';

/** The residual's name: the time of a request spent outside every hop that reported itself. */
export const OUTSIDE = 'outside';

/** One slow request: its client latency and its own time per hop (the residual under OUTSIDE). */
export interface TailSample {
  latencyUs: number;
  hopsUs: Map<string, number>;
}

/** What the recorder holds, for the analysis stage to read (never to change). */
export interface HopRecording {
  responses: number;
  /** Responses whose Server-Timing was parsed. */
  parsed: number;
  hops: ReadonlyMap<string, Histogram>;
  outside: Histogram;
  /** Client latency of every parsed response: the tail thresholds come from it. */
  latency: Histogram;
  tail: readonly TailSample[];
}

/**
 * Breakdowns are kept only for requests at or above this percentile of the latencies seen so far, so that
 * memory follows the tail, not the run; the final p99 and p99.9 are always above it.
 */
const KEEP_ABOVE_PERCENTILE = 98;
const MAX_TAIL_SAMPLES = 200_000;

/** A HopRecorder's data since its previous hand-over, in a form postMessage can carry (Maps survive it). */
export interface HopPart {
  hops: [string, PackedHistogram][];
  outside: PackedHistogram;
  latency: PackedHistogram;
  tail: TailSample[];
  responses: number;
  parsed: number;
}

export class HopRecorder {
  private readonly hops = new Map<string, Histogram>();
  private readonly outside = newHistogram();
  /** Client latency of every response that had timings: the tail thresholds come from it. */
  private readonly latency = newHistogram();
  private tail: TailSample[] = [];
  private keepAboveUs = 0;
  private responses = 0;
  private parsed = 0;

  response(latencyUs: number, header: string | undefined): void {
    this.responses++;
    if (header === undefined) return;
    const entries = parseServerTiming(header);
    if (entries.length === 0) return;
    this.parsed++;
    const { selfUs, outsideUs } = breakdown(latencyUs, entries);
    for (const [name, us] of selfUs) {
      let h = this.hops.get(name);
      if (!h) this.hops.set(name, (h = newHistogram()));
      recordUs(h, us);
    }
    recordUs(this.outside, outsideUs);
    recordUs(this.latency, latencyUs);
    if (latencyUs >= this.keepAboveUs) {
      selfUs.set(OUTSIDE, outsideUs);
      this.tail.push({ latencyUs, hopsUs: selfUs });
    }
  }

  /** Called once per interval: raises the bar for keeping breakdowns as the distribution fills in. */
  interval(): void {
    if (this.latency.totalCount < 1000) return;
    this.keepAboveUs = this.latency.getValueAtPercentile(KEEP_ABOVE_PERCENTILE);
    if (this.tail.length > MAX_TAIL_SAMPLES) {
      const bar = this.latency.getValueAtPercentile(99);
      this.tail = this.tail.filter((s) => s.latencyUs >= bar);
    }
  }

  /** The latency from which breakdowns are kept: a worker's recorder follows the main recorder's. */
  get tailBarUs(): number {
    return this.keepAboveUs;
  }

  /**
   * Worker side: keep breakdowns from this latency on, the bar the main recorder drew from everyone's
   * latencies, so that the merged tail holds exactly the samples one recorder would have kept.
   */
  followTailBar(us: number): void {
    this.keepAboveUs = us;
  }

  /** Worker side: everything since the previous hand-over; this recorder then starts afresh. */
  handOver(): HopPart {
    const part: HopPart = {
      hops: [...this.hops].map(([name, h]) => [name, packHistogram(h)]),
      outside: packHistogram(this.outside),
      latency: packHistogram(this.latency),
      tail: this.tail,
      responses: this.responses,
      parsed: this.parsed,
    };
    this.hops.clear();
    this.outside.reset();
    this.latency.reset();
    this.tail = [];
    this.responses = 0;
    this.parsed = 0;
    return part;
  }

  /** Main side: adds another recorder's hand-over exactly (HDR add, tail samples appended). */
  absorb(part: HopPart): void {
    for (const [name, packed] of part.hops) {
      let h = this.hops.get(name);
      if (!h) this.hops.set(name, (h = newHistogram()));
      addPackedHistogram(h, packed);
    }
    addPackedHistogram(this.outside, part.outside);
    addPackedHistogram(this.latency, part.latency);
    for (const sample of part.tail) this.tail.push(sample);
    this.responses += part.responses;
    this.parsed += part.parsed;
  }

  get recording(): HopRecording {
    return { responses: this.responses, parsed: this.parsed, hops: this.hops, outside: this.outside, latency: this.latency, tail: this.tail };
  }
}
