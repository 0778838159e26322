/**
 * The one check no threshold can switch off: a run in which not a single request succeeded measured nothing
 * but the failure, so it fails (exit 1) whatever else the gate says. Otherwise a CI gate on, say, p99 would
 * pass a service that never answered, since a run without responses has no latency to exceed.
 */

import { GateFailure } from '../errors.js';
import type { RunSummary } from '../run-folder/summary.js';

export function assertSomeSuccess(runs: readonly { dir: string; summary: RunSummary }[]): void {
  const failed = runs.find((r) => r.summary.overall.count === 0);
  if (!failed) return;
  const { overall, connections } = failed.summary;
  const kinds = Object.entries(overall.errorsByKind)
    .filter(([, n]) => n)
    .map(([k, n]) => `${k} ${n}`)
    .join(', ');
  const parts = [`${overall.errors} failed requests${kinds ? ` (${kinds})` : ''}`];
  if (connections?.errors) parts.push(`${connections.errors} failed connection attempts`);
  throw new GateFailure(`no successful response in ${failed.dir}: ${parts.join(', ')}`);
}
