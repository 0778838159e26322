/** `hopscope report DIR`: (re)writes DIR/report.html from DIR/summary.json, without running load again. */

import { resolve } from 'node:path';
import { ExitCode } from '../../errors.js';
import { writeHtmlReport } from '../../report/html/write-report.js';
import type { CliIO } from '../io.js';

export function reportCommand(dir: string, io: CliIO): number {
  io.stdout.write(`${writeHtmlReport(resolve(io.cwd, dir))}\n`);
  return ExitCode.ok;
}
