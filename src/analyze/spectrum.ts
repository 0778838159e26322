/** The percentile spectrum of a histogram at HdrHistogram's "nines" ticks, for the log-scale plot. */

import { percentileTicks, type Histogram } from '../record/histogram.js';
import type { SpectrumPoint } from './types.js';

const TICKS_PER_HALF_DISTANCE = 5;

/**
 * The ticks of HdrHistogram's own percentile iteration (outputPercentileDistribution's, which its plotter
 * reads), taken from the iterator rather than from that text: formatting and parsing it back, with the mean
 * and deviation the text ends with, cost more than the rest of a short run's analysis. The percentile is
 * rounded as the text prints it (12 decimals of the fraction), so the points are the text's.
 */
export function spectrumOf(histogram: Histogram): SpectrumPoint[] {
  if (histogram.totalCount === 0) return [];
  return percentileTicks(histogram, TICKS_PER_HALF_DISTANCE).map((tick) => ({
    percentile: Number((tick.percentileLevel / 100).toFixed(12)) * 100,
    valueUs: tick.valueUs,
  }));
}
