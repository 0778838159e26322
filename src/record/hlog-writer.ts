/**
 * Writes interval histograms in HdrHistogram's log format 1.3, the way Java's HistogramLogWriter does with
 * a base time: a StartTime and a BaseTime header and timestamps relative to them. HistogramLogProcessor
 * reads such files; it does NOT read absolute timestamps without a base (hdr-histogram-js's own writer).
 * Values are microseconds; the Interval_Max column is in milliseconds (max / 1000), so pass
 * `-outputValueUnitRatio 1000` to HistogramLogProcessor to print milliseconds.
 */

import { closeSync, openSync, writeSync } from 'node:fs';
import { encodeHistogram, type Encode, type Histogram } from './histogram.js';
import type { IntervalSnapshot } from './recorder.js';

const MAX_VALUE_UNIT_RATIO = 1000;

/** Tags may not hold commas or white space in the format; anything else is kept. */
export function hlogTag(name: string): string {
  return name.replace(/[\s,]/g, '_');
}

export function hlogHeader(startEpochMs: number, comment: string): string {
  const startSec = (startEpochMs / 1000).toFixed(3);
  return [
    '#[Histogram log format version 1.3]',
    `#[${comment}]`,
    `#[StartTime: ${startSec} (seconds since epoch), ${new Date(startEpochMs).toString()}]`,
    `#[BaseTime: ${startSec} (seconds since epoch)]`,
    '"StartTimestamp","Interval_Length","Interval_Max","Interval_Compressed_Histogram"',
    '',
  ].join('\n');
}

export function hlogLine(tag: string | undefined, startMs: number, lengthMs: number, histogram: Histogram, encode: Encode = encodeHistogram): string {
  const prefix = tag === undefined ? '' : `Tag=${hlogTag(tag)},`;
  const max = (histogram.maxValue / MAX_VALUE_UNIT_RATIO).toFixed(3);
  return `${prefix}${(startMs / 1000).toFixed(3)},${(lengthMs / 1000).toFixed(3)},${max},${encode(histogram)}\n`;
}

/**
 * Writes one line per interval: the overall histogram untagged, then one tagged line per request that had
 * successes in it. Lines are written as intervals close, so a crash keeps everything up to the last second.
 * The writes are synchronous (a few KB a second to the page cache): a write stream's first write, on the
 * thread that sends, took ~3 ms at the first interval's end, and sends due meanwhile left that late.
 */
export class HlogWriter {
  private readonly fd: number;
  private closed = false;

  constructor(
    path: string,
    startEpochMs: number,
    private readonly requestNames: readonly string[],
  ) {
    this.fd = openSync(path, 'w');
    writeSync(this.fd, hlogHeader(startEpochMs, 'hopscope latency log: values in microseconds, Interval_Max in milliseconds'));
  }

  readonly interval = (s: IntervalSnapshot): void => {
    let text = hlogLine(undefined, s.startMs, s.lengthMs, s.overall, s.encode);
    s.requests.forEach((series, i) => {
      if (series.ok.totalCount > 0) text += hlogLine(this.requestNames[i], s.startMs, s.lengthMs, series.ok, s.encode);
    });
    writeSync(this.fd, text);
  };

  close(): void {
    if (this.closed) return;
    this.closed = true;
    closeSync(this.fd);
  }
}
