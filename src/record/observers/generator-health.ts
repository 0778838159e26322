/**
 * The load generator's own health: Node's event-loop delay, its GC pauses and its CPU use. A busy or
 * pausing generator delays sends and reads, and that delay lands in the target's latencies; this is
 * how a result says whether the generator, not the target, set the limit.
 */

import { monitorEventLoopDelay, PerformanceObserver, performance, type IntervalHistogram } from 'node:perf_hooks';
import type { GcPause, GeneratorHealth } from '../../analyze/types.js';
import { pauseStats } from '../../analyze/gc-correlation.js';
import type { Percentiles } from '../histogram.js';

/** Beyond these the generator itself adds visible latency. */
const LOOP_DELAY_P99_WARN_US = 5_000;
const CPU_SHARE_WARN = 0.9;
const SEND_LAG_P99_WARN_US = 1_000;

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
      this.gc.push({ tMs: entry.startTime - this.originMs, durationUs: entry.duration * 1000 });
    }
  });
  private cpuAtStart = process.cpuUsage();
  private wallAtStart = performance.now();

  constructor(private readonly originMs: number) {}

  start(): void {
    this.loop.enable();
    this.observer.observe({ entryTypes: ['gc'] });
    this.cpuAtStart = process.cpuUsage();
    this.wallAtStart = performance.now();
  }

  /** @param sendLagP99Us open loop's worst p99 send lag over the phases (0 for closed loop only). */
  stop(sendLagP99Us: number): GeneratorHealth {
    this.loop.disable();
    this.observer.disconnect();
    const cpu = process.cpuUsage(this.cpuAtStart);
    const cpuShare = (cpu.user + cpu.system) / 1000 / (performance.now() - this.wallAtStart);
    const eventLoopDelay = fromLoopDelay(this.loop);
    const warnings: string[] = [];
    if (cpuShare >= CPU_SHARE_WARN) {
      warnings.push(
        `the generator used ${Math.round(cpuShare * 100)}% of a core: throughput and latency may be limited by hopscope, not the target (try --workers or fewer connections)`,
      );
    }
    if (eventLoopDelay.p99Us > LOOP_DELAY_P99_WARN_US) {
      warnings.push(`the generator's event loop was late by ${(eventLoopDelay.p99Us / 1000).toFixed(1)} ms at p99: latencies include that delay`);
    }
    if (sendLagP99Us > SEND_LAG_P99_WARN_US) {
      warnings.push(
        `open-loop requests left ${(sendLagP99Us / 1000).toFixed(1)} ms after their intended time at p99, waiting for a free connection or the event loop; ` +
          'latencies count that wait (they run from the intended time), but unless the target was stalled, raise connections',
      );
    }
    return { eventLoopDelay, gcPauses: this.gc, gcPauseStats: pauseStats(this.gc), cpuShare, warnings };
  }
}
