/**
 * The load generator's own health as it is observed: Node's event-loop delay, its GC pauses and its CPU
 * use. A busy or pausing generator delays sends and reads, and that delay lands in the target's latencies.
 */

import { constants, monitorEventLoopDelay, PerformanceObserver, performance, type IntervalHistogram, type NodeGCPerformanceDetail } from 'node:perf_hooks';
import { newHistogram, percentiles, recordUs, type Percentiles } from '../histogram.js';
import type { GcPause } from './types.js';

/** What the monitor saw of the generator over the run; analyze/generator-health.ts judges it. */
export interface GeneratorObservation {
  eventLoopDelay: Percentiles;
  gcPauses: GcPause[];
  /** CPU time used by the generator over the run, as a share of one core. */
  cpuShare: number;
  /** How long each interval's end held the thread that sends at once, during the load (absent: none was timed). */
  intervalEnds?: Percentiles;
}

const RESOLUTION_MS = 10;

/** Node's histogram holds the timer's whole period (about RESOLUTION_MS when idle): the delay is what exceeds it. */
function fromLoopDelay(h: IntervalHistogram): Percentiles {
  const us = (ns: number) => Math.max(0, Math.round(ns / 1000) - RESOLUTION_MS * 1000);
  return {
    count: h.count,
    minUs: us(h.min),
    meanUs: us(h.mean),
    p50Us: us(h.percentile(50)),
    p90Us: us(h.percentile(90)),
    p99Us: us(h.percentile(99)),
    p999Us: us(h.percentile(99.9)),
    p9999Us: us(h.percentile(99.99)),
    maxUs: us(h.max),
  };
}

export class GeneratorMonitor {
  private readonly loop = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
  private readonly gc: GcPause[] = [];
  private readonly observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      // hopscope forces a collection only before a phase's clock starts (load/settle-heap.ts), when nothing
      // is in flight or due: a pause that delays no request is not the generator's delay.
      const flags = (entry as { detail?: NodeGCPerformanceDetail }).detail?.flags ?? 0;
      if (!(flags & constants.NODE_PERFORMANCE_GC_FLAGS_FORCED)) this.gc.push({ tMs: entry.startTime - this.originMs, durationUs: entry.duration * 1000 });
    }
  });
  private readonly intervalEnds = newHistogram();
  private cpuAtStart = process.cpuUsage();
  private wallAtStart = performance.now();

  constructor(private readonly originMs: number) {}

  start(): void {
    this.loop.enable();
    this.observer.observe({ entryTypes: ['gc'] });
    this.cpuAtStart = process.cpuUsage();
    this.wallAtStart = performance.now();
  }

  /**
   * An interval closed during the load, on the thread that sends, holding it for at most `durationMs` at a
   * time (the longest step of Recorder.cutLater): its hlog line, its histograms.json entry and its timeline
   * point are written then, and sends due in a step wait. Run once a second, that code and its memory are
   * cold each time: many times its cost in a loop on a shared VM (bench/cold-cost.ts).
   */
  intervalEnd(durationMs: number): void {
    recordUs(this.intervalEnds, Math.max(1, Math.round(durationMs * 1000)));
  }

  stop(): GeneratorObservation {
    this.loop.disable();
    this.observer.disconnect();
    const cpu = process.cpuUsage(this.cpuAtStart);
    const cpuShare = (cpu.user + cpu.system) / 1000 / (performance.now() - this.wallAtStart);
    const timed = this.intervalEnds.totalCount > 0 ? { intervalEnds: percentiles(this.intervalEnds) } : {};
    return { eventLoopDelay: fromLoopDelay(this.loop), gcPauses: this.gc, cpuShare, ...timed };
  }
}
