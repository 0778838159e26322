/**
 * Reads a run's latency.hlog back into per-interval distributions for the noise-aware comparison: the
 * untagged lines (all requests) and the `Tag=` lines (one request each), keeping only the intervals of
 * recorded phases, so warm-ups stay out of the gate as they stay out of summary.json.
 */

import { existsSync, readFileSync } from 'node:fs';
import type { Distribution, Trial } from '../analyze/statistics.js';
import { decodeHistogram, isJsHistogram, type Histogram } from '../record/histogram.js';
import { hlogTag } from '../record/hlog-writer.js';
import { runFile } from './layout.js';
import type { RunSummary } from './summary.js';

export interface RunIntervals {
  overall: Trial;
  /** By request name (as in summary.json, not the sanitized hlog tag). */
  requests: Map<string, Trial>;
}


/** undefined when the run folder has no latency.hlog (an older or hand-made folder). */
export function readRunIntervals(runDir: string, summary: RunSummary): RunIntervals | undefined {
  const path = runFile(runDir, 'intervalLog');
  if (!existsSync(path)) return undefined;
  const recorded = recordedStarts(summary);
  const byTag = new Map<string, Distribution[]>();
  const overall: Distribution[] = [];
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (line === '' || line.startsWith('#') || line.startsWith('"')) continue;
    const fields = line.split(',');
    const tag = fields[0]!.startsWith('Tag=') ? fields.shift()!.slice('Tag='.length) : undefined;
    const startMs = Math.round(Number(fields[0]) * 1000);
    const encoded = fields[3];
    if (!encoded || !Number.isFinite(startMs)) continue;
    // The log prints starts to 3 decimals and the timeline rounds them: allow the 1 ms the two may differ by.
    if (recorded && ![startMs - 1, startMs, startMs + 1].some((t) => recorded.has(t))) continue;
    const histogram = decodeHistogram(encoded);
    const distribution = distributionOf(histogram);
    histogram.destroy();
    if (tag === undefined) overall.push(distribution);
    else if (byTag.has(tag)) byTag.get(tag)!.push(distribution);
    else byTag.set(tag, [distribution]);
  }
  const requests = new Map(summary.requests.map((r) => [r.name, byTag.get(hlogTag(r.name)) ?? []]));
  return { overall, requests };
}

/** Interval starts (ms, rounded as the timeline rounds them) of recorded phases; undefined if unknown. */
function recordedStarts(summary: RunSummary): Set<number> | undefined {
  if (summary.timeline.length === 0) return undefined;
  const recordedPhases = new Set(summary.phases.filter((p) => p.recorded).map((p) => p.name));
  return new Set(summary.timeline.filter((p) => recordedPhases.has(p.phase)).map((p) => p.tMs));
}

export function distributionOf(histogram: Histogram): Distribution {
  const valuesUs: number[] = [];
  const counts: number[] = [];
  if (!isJsHistogram(histogram)) throw new Error('interval histograms are expected in the JavaScript implementation');
  const values = histogram.recordedValuesIterator;
  values.reset();
  while (values.hasNext()) {
    const v = values.next();
    valuesUs.push(v.valueIteratedTo);
    counts.push(v.countAtValueIteratedTo);
  }
  return { valuesUs, counts };
}
