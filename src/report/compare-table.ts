/** `hopscope compare` in the terminal: each run's percentiles, and their change against the first run. */

import Table from 'cli-table3';
import type { Percentiles } from '../record/histogram.js';
import type { RunSummary } from '../run-folder/summary.js';
import { formatChange, formatPercent, formatRate, formatUs } from '../units.js';

export interface LabelledRun {
  label: string;
  summary: RunSummary;
}

const ROWS: [string, keyof Percentiles][] = [
  ['p50', 'p50Us'],
  ['p90', 'p90Us'],
  ['p99', 'p99Us'],
  ['p99.9', 'p999Us'],
  ['p99.99', 'p9999Us'],
  ['max', 'maxUs'],
];

export function compareTable(runs: readonly LabelledRun[], color: boolean): string {
  const table = new Table({
    head: ['', ...runs.map((r) => r.label)],
    style: { head: color ? ['cyan'] : [], border: color ? ['grey'] : [] },
    colAligns: ['left', ...runs.map(() => 'right' as const)],
  });
  const first = runs[0]!.summary.overall;
  const withChange = (value: number, base: number, text: string, i: number) => (i === 0 || base === 0 ? text : `${text} (${formatChange(value / base)})`);
  for (const [name, field] of ROWS) {
    table.push([name, ...runs.map((r, i) => withChange(r.summary.overall.latency[field], first.latency[field], formatUs(r.summary.overall.latency[field]), i))]);
  }
  table.push(['req/s', ...runs.map((r, i) => withChange(r.summary.overall.rateRps, first.rateRps, formatRate(r.summary.overall.rateRps), i))]);
  table.push(['errors', ...runs.map((r) => formatPercent(r.summary.overall.errorRate))]);
  return `${table.toString()}\nall requests, successful responses, recorded phases; changes are against ${runs[0]!.label}`;
}
