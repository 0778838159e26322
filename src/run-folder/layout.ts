/**
 * The run folder's layout, the one place that knows its file names: every stage that writes or reads a run
 * (the pipeline, the gates, report, compare, merge) asks here. docs/summary-json.md describes the folder.
 */

import { join } from 'node:path';

export const RUN_FILES = {
  /** The run's result: schema in summary.schema.json, versioned by its `schema` field. */
  summary: 'summary.json',
  /** Successful latencies per interval, HdrHistogram's log format (HistogramLogProcessor reads it). */
  intervalLog: 'latency.hlog',
  /** The recorded phases' distribution, HdrHistogram's percentile format. */
  distribution: 'latency.hgrm',
  /** Every histogram of the run, exact, so that runs can be merged. */
  histograms: 'histograms.json',
  report: 'report.html',
  /** Folder of the services' logs. */
  logs: 'logs',
} as const;

export type RunFile = keyof typeof RUN_FILES;

export function runFile(dir: string, file: RunFile): string {
  return join(dir, RUN_FILES[file]);
}

/** latency.<tag>.hgrm: one request's distribution (runs with more than one request). */
export function requestDistributionFile(dir: string, tag: string): string {
  return join(dir, `latency.${tag}.hgrm`);
}

/** `run --repeat N` writes DIR/trial-1 .. DIR/trial-N, each a run folder. */
export const TRIAL_FOLDER = /^trial-(\d+)$/;

export function trialDir(dir: string, trial: number): string {
  return join(dir, `trial-${trial}`);
}
