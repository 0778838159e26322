/** Writes the run folder's files that are made once at the end: summary.json and the .hgrm distributions. */

import { writeFileSync } from 'node:fs';
import type { PhaseTotals } from '../record/recorder.js';
import { distributionText } from '../record/histogram.js';
import { combine } from '../record/stats.js';
import type { RunSummary } from './summary.js';
import { requestDistributionFile, runFile } from './layout.js';
import { hlogTag } from '../record/hlog-writer.js';

/** The .hgrm's scaling: values are microseconds, the file shows milliseconds. */
const HGRM_UNIT_RATIO = 1000;
const HGRM_TICKS_PER_HALF_DISTANCE = 5;

export function writeRunFolder(outDir: string, summary: RunSummary, phases: readonly PhaseTotals[], names: readonly string[]): void {
  writeFileSync(runFile(outDir, 'summary'), `${JSON.stringify(summary, null, 2)}\n`);
  const totals = combine(phases.filter((p) => p.recorded), names);
  writeFileSync(runFile(outDir, 'distribution'), distributionText(totals.all.ok, HGRM_TICKS_PER_HALF_DISTANCE, HGRM_UNIT_RATIO));
  totals.perRequest.forEach((series, i) => {
    if (series.ok.totalCount > 0 && names.length > 1) {
      writeFileSync(
        requestDistributionFile(outDir, hlogTag(names[i]!)),
        distributionText(series.ok, HGRM_TICKS_PER_HALF_DISTANCE, HGRM_UNIT_RATIO),
      );
    }
  });
}
