/** The gate's verdict in the terminal: one row per check, then why each failure failed. */

import { DEFAULT_BOOTSTRAP } from '../analyze/statistics.js';
import { verdict } from '../gate/check.js';
import type { GateReport } from '../gate/gate.js';
import { formatChange } from '../units.js';
import { newTable } from './table.js';

export function gateTable(report: GateReport, color: boolean): string {
  if (report.checks.length === 0) return 'gate: no thresholds and no baseline: nothing to check';
  const table = newTable(['result', 'scope', 'check', 'actual'], color, false);
  const mark = (pass: boolean) => (pass ? 'pass' : color ? '\u001b[31mFAIL\u001b[39m' : 'FAIL');
  for (const c of report.checks) table.push([mark(c.pass), c.scope, c.check, c.actualText]);
  const lines = [table.toString()];
  if (report.baseline) lines.push(`baseline ${report.baseline.dir}: ${describeMethod(report)}`);
  for (const c of report.checks.filter((c) => !c.pass)) lines.push(`FAIL ${c.scope} ${c.check}: ${c.message}`);
  lines.push(`gate: ${verdict(report.checks)}`);
  return lines.join('\n');
}

/** One sentence on how the baseline was compared, shared by the terminal and Markdown outputs. */
export function describeMethod(report: GateReport): string {
  const allowed = formatChange(1 + report.toleranceRatio);
  return report.method === 'bootstrap'
    ? `a percentile fails when the ${Math.round(DEFAULT_BOOTSTRAP.confidence * 100)}% bootstrap confidence interval of candidate/baseline lies above ${allowed} (${report.baseline?.runs.length} vs ${report.candidate.runs.length} trials)`
    : `a percentile fails when it grew by more than ${allowed} (no latency.hlog to assess noise)`;
}
