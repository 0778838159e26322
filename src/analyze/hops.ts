/** Per-hop figures and tail attribution out of what the HopRecorder kept. */

import { OUTSIDE, type HopRecording } from '../record/hop-recorder.js';
import { percentileFloorUs, percentiles, type Histogram } from '../record/histogram.js';
import { attributeTail } from './attribution.js';
import { spectrumOf } from './spectrum.js';
import type { HopAnalysis, HopStats } from './types.js';

/** undefined when no response carried Server-Timing. */
export function hopAnalysis(recording: HopRecording): HopAnalysis | undefined {
  if (recording.parsed === 0) return undefined;
  const stats = (name: string, h: Histogram): HopStats => ({ name, count: h.totalCount, selfTime: percentiles(h), spectrum: spectrumOf(h) });
  const { latency, tail } = recording;
  return {
    sampledShare: recording.parsed / recording.responses,
    hops: [...recording.hops].map(([name, h]) => stats(name, h)),
    residual: stats(OUTSIDE, recording.outside),
    tails: [
      attributeTail('p99', latency.getValueAtPercentile(99), tail, percentileFloorUs(latency, 99)),
      attributeTail('p99.9', latency.getValueAtPercentile(99.9), tail, percentileFloorUs(latency, 99.9)),
    ],
  };
}
