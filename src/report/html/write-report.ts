/** Writes DIR/report.html from the run's summary: what `hopscope report` and the end of every run call. */

import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { InfraError } from '../../errors.js';
import { runFile } from '../../run-folder/layout.js';
import { readRunSummary } from '../../run-folder/read.js';
import type { RunSummary } from '../../run-folder/summary.js';
import { renderReport } from './report-page.js';

/**
 * A run that just wrote its summary passes it in: reading it back would validate it against the schema, whose
 * compilation costs a few hundred CPU milliseconds on the machine under test.
 */
export function writeHtmlReport(runDir: string, summary?: RunSummary): string {
  const dir = resolve(runDir);
  const html = renderReport(summary ?? readRunSummary(dir));
  const path = runFile(dir, 'report');
  try {
    writeFileSync(path, html);
  } catch (error) {
    throw new InfraError(`cannot write ${path}: ${(error as Error).message}`);
  }
  return path;
}
