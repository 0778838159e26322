/**
 * Run folders read back: a gate, a baseline or a comparison never runs load again. A folder is either one
 * run (it holds summary.json) or the trials of `run --repeat N` (trial-1/, trial-2/, ... each a run).
 */

import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../errors.js';
import { RUN_FILES, runFile, TRIAL_FOLDER } from './layout.js';
import { readRunSummary } from './read.js';
import type { RunSummary } from './summary.js';

export interface SavedRun {
  dir: string;
  summary: RunSummary;
}

export interface RunSet {
  dir: string;
  runs: SavedRun[];
}

/** `what` names the argument for messages: "baseline", "run folder". */
export function loadRunSet(dir: string, what: string): RunSet {
  if (!statSync(dir, { throwIfNoEntry: false })?.isDirectory()) throw new UsageError(`${what} ${dir}: no such folder`);
  if (existsSync(runFile(dir, 'summary'))) return { dir, runs: [{ dir, summary: readRunSummary(dir) }] };
  const trials = readdirSync(dir)
    .map((name) => ({ name, n: Number(TRIAL_FOLDER.exec(name)?.[1]) }))
    .filter((t) => Number.isInteger(t.n) && existsSync(runFile(join(dir, t.name), 'summary')))
    .sort((a, b) => a.n - b.n);
  if (trials.length === 0) {
    throw new UsageError(`${what} ${dir}: not a run folder (no ${RUN_FILES.summary}, nor trial-N/${RUN_FILES.summary})`, 'give a folder written by hopscope run');
  }
  return { dir, runs: trials.map((t) => ({ dir: join(dir, t.name), summary: readRunSummary(join(dir, t.name)) })) };
}
