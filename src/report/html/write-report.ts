/** Writes DIR/report.html from DIR/summary.json: what `hopscope report` and the end of every run call. */

import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { InfraError } from '../../errors.js';
import { runFile } from '../../run-folder/layout.js';
import { readRunSummary } from '../../run-folder/read.js';
import { renderReport } from './report-page.js';

export function writeHtmlReport(runDir: string): string {
  const dir = resolve(runDir);
  const html = renderReport(readRunSummary(dir));
  const path = runFile(dir, 'report');
  try {
    writeFileSync(path, html);
  } catch (error) {
    throw new InfraError(`cannot write ${path}: ${(error as Error).message}`);
  }
  return path;
}
