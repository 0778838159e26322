/**
 * The gate as GitHub-flavoured Markdown, fit for $GITHUB_STEP_SUMMARY: the verdict, a table of checks and the
 * key percentiles of the candidate (and baseline) runs.
 */

import { basename } from 'node:path';
import { verdict } from '../gate/check.js';
import type { GateReport } from '../gate/gate.js';
import type { RequestStats } from '../record/stats.js';
import type { RunSet } from '../run-folder/run-set.js';
import { describeMethod } from './gate-table.js';
import { statsRow } from './terminal-table.js';

/** Table cells: a pipe would end the cell, a newline the row. */
export function escapeCell(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

function row(cells: readonly string[]): string {
  return `| ${cells.map(escapeCell).join(' | ')} |`;
}

export function markdownSummary(report: GateReport): string {
  const first = report.candidate.runs[0]!.summary;
  const lines = [
    `## hopscope gate: ${report.passed ? '✅' : '❌'} ${verdict(report.checks)}`,
    '',
    `Scenario **${escapeCell(first.scenario.name)}**, ${report.candidate.runs.length === 1 ? 'one run' : `${report.candidate.runs.length} trials`} in \`${report.candidate.dir}\`.`,
    '',
  ];
  if (report.checks.length === 0) lines.push('No thresholds and no baseline: nothing was checked.', '');
  else {
    lines.push(row(['', 'scope', 'check', 'actual', 'detail']), row(['---', '---', '---', '---:', '---']));
    for (const c of report.checks) lines.push(row([c.pass ? '✅' : '❌', c.scope, c.check, c.actualText, c.message]));
    lines.push('');
  }
  if (report.baseline) lines.push(`Baseline \`${report.baseline.dir}\`: ${describeMethod(report)}.`, '');
  lines.push('### Latency', '', row(['run', 'request', 'count', 'req/s', 'p50', 'p90', 'p99', 'p99.9', 'max', 'errors']));
  lines.push(row(['---', '---', ...Array<string>(8).fill('---:')]));
  for (const { label, stats } of latencyRows(report)) lines.push(row([label, ...statsRow(stats)]));
  return `${lines.join('\n')}\n`;
}

/** A single candidate run shows each request; trials and baselines show one overall row per run, to stay short. */
function latencyRows(report: GateReport): { label: string; stats: RequestStats }[] {
  const sets: [string, RunSet | undefined][] = [
    ['candidate', report.candidate],
    ['baseline', report.baseline],
  ];
  return sets.flatMap(([prefix, set]) =>
    (set?.runs ?? []).flatMap((run) => {
      const label = set!.runs.length === 1 ? prefix : `${prefix} ${basename(run.dir)}`;
      const s = run.summary;
      const detailed = prefix === 'candidate' && set!.runs.length === 1 && s.requests.length > 1;
      const rows = detailed ? [...s.requests, { ...s.overall, name: 'all' }] : [{ ...s.overall, name: s.requests.length === 1 ? s.requests[0]!.name : 'all' }];
      return rows.map((stats) => ({ label, stats }));
    }),
  );
}
