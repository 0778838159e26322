/** The percentile spectrum of a histogram at HdrHistogram's "nines" ticks, for the log-scale plot. */

import type { Histogram } from '../record/histogram.js';
import type { SpectrumPoint } from './types.js';

const TICKS_PER_HALF_DISTANCE = 5;

/**
 * hdr-histogram-js exposes its percentile iteration only through outputPercentileDistribution's text;
 * reading that text back keeps exactly the ticks HdrHistogram's own plotter uses.
 */
export function spectrumOf(histogram: Histogram): SpectrumPoint[] {
  if (histogram.totalCount === 0) return [];
  const text = histogram.outputPercentileDistribution(TICKS_PER_HALF_DISTANCE, 1);
  const points: SpectrumPoint[] = [];
  for (const line of text.split('\n')) {
    const cols = line.trim().split(/\s+/);
    if (cols.length < 3 || !/^\d/.test(cols[0]!)) continue;
    const percentile = Number(cols[1]) * 100;
    const valueUs = Number(cols[0]);
    if (Number.isFinite(percentile) && Number.isFinite(valueUs)) points.push({ percentile, valueUs });
  }
  return points;
}
