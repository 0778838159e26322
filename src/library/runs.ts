/** Saved runs: read one back (validated), gate it, compare several, (re)write a report. None runs load. */

import { resolve } from 'node:path';
import { parseTolerance } from '../gate/baseline.js';
import { runGate, type GateReport } from '../gate/gate.js';
import { parseThresholdFlag } from '../gate/threshold-parser.js';
import { compareRuns, type Comparison } from '../report/comparison.js';
import { writeHtmlReport } from '../report/html/write-report.js';
import { loadRunSet, type RunSet } from '../run-folder/run-set.js';
import { DEFAULT_TOLERANCE } from '../scenario/defaults.js';
import type { RunSummary } from '../run-folder/summary.js';

/** A run folder, or a `--repeat` folder of trials; summary.json validated (UsageError, exit 2, naming file and field). */
export function readRun(dir: string): RunSet {
  return loadRunSet(resolve(dir), 'run folder');
}

export interface GateOptions {
  /** Threshold expressions added to the scenario's, e.g. "p99 < 5ms", "item: p99.9 < 20ms", "hop:origin: p99 < 2ms". */
  thresholds?: readonly string[];
  /** A previous run folder: percentiles may not be slower than it by more than the tolerance. */
  baseline?: string;
  /** "10%" by default. */
  tolerance?: string;
}

/** The verdicts of a saved run's (or a fresh result's) thresholds and baseline; `passed` is the gate. */
export function gate(target: string | { outDir: string; summary: RunSummary }, options: GateOptions = {}): GateReport {
  const candidate: RunSet = typeof target === 'string' ? readRun(target) : { dir: target.outDir, runs: [{ dir: target.outDir, summary: target.summary }] };
  return runGate({
    candidate,
    flagThresholds: (options.thresholds ?? []).map(parseThresholdFlag),
    baseline: options.baseline === undefined ? undefined : loadRunSet(resolve(options.baseline), 'baseline'),
    toleranceRatio: parseTolerance(options.tolerance ?? DEFAULT_TOLERANCE),
  });
}

/** Percentiles, rate and errors of each run against the first, overall and per request; a --repeat folder counts each trial. */
export function compare(dirs: readonly string[]): Comparison {
  return compareRuns(dirs.flatMap((dir) => readRun(dir).runs.map((r) => ({ label: r.dir, summary: r.summary }))));
}

/** Writes DIR/report.html from DIR/summary.json; returns its path. */
export function writeReport(dir: string): string {
  return writeHtmlReport(dir);
}
