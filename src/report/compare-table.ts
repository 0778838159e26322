/** `hopscope compare` in the terminal: each run's percentiles and their change against the first run, overall and per request. */

import { formatChange, formatPercent, formatRate, formatUs } from '../units.js';
import { COMPARED_PERCENTILES, compareRuns, type ComparisonScope, type LabelledRun } from './comparison.js';
import { newTable } from './table.js';

export function compareTable(runs: readonly LabelledRun[], color: boolean): string {
  const comparison = compareRuns(runs);
  // One request is the whole run: its table would repeat the overall one.
  const scopes = comparison.requests.length > 1 ? [comparison.overall, ...comparison.requests] : [comparison.overall];
  const tables = scopes.map((s) => `${s === comparison.overall ? 'all requests' : `request ${s.name}`}\n${scopeTable(s, comparison.labels, color)}`);
  return `${tables.join('\n')}\nsuccessful responses, recorded phases; changes are against ${runs[0]!.label}`;
}

function scopeTable(scope: ComparisonScope, labels: string[], color: boolean): string {
  const table = newTable(['', ...labels], color);
  const base = scope.runs[0];
  const cell = (text: string | undefined, ratio: number | undefined, i: number) => (text === undefined ? '-' : i === 0 || ratio === undefined ? text : `${text} (${formatChange(ratio)})`);
  for (const [p] of COMPARED_PERCENTILES) {
    table.push([p, ...scope.runs.map((r, i) => cell(r && formatUs(r.latencyUs[p]!), scope.latencyRatios[p]![i], i))]);
  }
  table.push(['req/s', ...scope.runs.map((r, i) => cell(r && formatRate(r.rateRps), r && base && base.rateRps > 0 ? r.rateRps / base.rateRps : undefined, i))]);
  table.push(['errors', ...scope.runs.map((r) => (r ? formatPercent(r.errorRate) : '-'))]);
  return table.toString();
}
