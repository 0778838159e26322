/** Per-interval figures for the whole run: the "latency over time" that summary.json and the HTML report show. */

import type { IntervalSnapshot } from './recorder.js';

export interface TimelinePoint {
  /** Interval start, from the run's start. */
  tMs: number;
  lengthMs: number;
  phase: string;
  rateRps: number;
  errors: number;
  p50Us: number;
  p99Us: number;
  maxUs: number;
  /** Open loop: p99 of how late requests left (0 in closed loop). */
  sendLagP99Us: number;
}

export class Timeline {
  readonly points: TimelinePoint[] = [];

  readonly interval = (s: IntervalSnapshot): void => {
    let errors = 0;
    for (const series of s.requests) errors += series.failed.totalCount;
    this.points.push({
      tMs: Math.round(s.startMs),
      lengthMs: Math.round(s.lengthMs),
      phase: s.phase,
      rateRps: Math.round((s.overall.totalCount / s.lengthMs) * 1000 * 10) / 10,
      errors,
      p50Us: s.overall.getValueAtPercentile(50),
      p99Us: s.overall.getValueAtPercentile(99),
      maxUs: s.overall.maxValue,
      sendLagP99Us: s.sendLag.getValueAtPercentile(99),
    });
  };
}
