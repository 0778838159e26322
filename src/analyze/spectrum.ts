/** The percentile spectrum of a histogram at HdrHistogram's "nines" ticks, for the log-scale plot. */

import { isJsHistogram, type Histogram } from '../record/histogram.js';
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
  if (!isJsHistogram(histogram)) throw new Error('spectra are taken of the JavaScript implementation');
  const iterator = histogram.percentileIterator;
  iterator.reset(TICKS_PER_HALF_DISTANCE);
  const points: SpectrumPoint[] = [];
  while (iterator.hasNext()) {
    const tick = iterator.next();
    points.push({ percentile: Number((tick.percentileLevelIteratedTo / 100).toFixed(12)) * 100, valueUs: tick.valueIteratedTo });
  }
  return points;
}
