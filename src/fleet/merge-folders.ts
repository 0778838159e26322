/**
 * Run folders in, one merged run folder out: what `hopscope merge DIR...` does, and what the fleet
 * coordinator does with the folders its generators send back. The merged folder is a run folder like any
 * other (summary.json, latency.hlog, histograms.json, report.html), so gate, report, compare and a further
 * merge read it as they read a single run.
 */

import { hopAnalysis } from '../analyze/hops.js';
import { mkdirSync } from 'node:fs';
import { HlogWriter } from '../record/hlog-writer.js';
import { Recorder } from '../record/recorder.js';
import { runFile } from '../run-folder/layout.js';
import { writeRunFolder } from '../run-folder/write.js';
import { buildSummary, type RunSummary } from '../run-folder/summary.js';
import { Timeline } from '../record/timeline.js';
import { readRunSummary } from '../run-folder/read.js';
import { writeHtmlReport } from '../report/html/write-report.js';
import { ExactCollector, readExactRecord, writeExactRecord, type ExactRecord } from '../run-folder/histograms.js';
import type { MergedRunView, ServiceObservations } from './load-window.js';
import { alignIntervals, checkCompatible, generatorRow, mergedOutcomes, replay } from './merge.js';

/** Beyond this, a generator's clock differed enough from the coordinator's to be worth a look. */
export const CLOCK_OFFSET_WARN_MS = 100;

export interface MergeSource {
  dir: string;
  /** "generator 2 of 3", or the folder's name. */
  name: string;
  /** Where it ran: an engine address, a node, a folder. */
  where: string;
}

export interface MergeOptions {
  kind: string;
  /** summary.run.runtime of the merged run. */
  runtime: string;
  /** A fleet whose coordinator ran the scenario's services: what it saw of them. */
  observed?: (view: MergedRunView) => ServiceObservations;
}

export async function mergeRunFolders(sources: readonly MergeSource[], outDir: string, options: MergeOptions): Promise<RunSummary> {
  const parts = sources.map((source) => ({ source, summary: readRunSummary(source.dir), record: readExactRecord(source.dir), label: source.dir }));
  checkCompatible(parts);
  const records: ExactRecord[] = parts.map((p) => p.record);
  const aligned = alignIntervals(records);
  const names = records[0]!.requestNames;
  mkdirSync(outDir, { recursive: true });

  const recorder = new Recorder(names, 0);
  const timeline = new Timeline();
  const hlog = new HlogWriter(runFile(outDir, 'intervalLog'), aligned.originEpochMs, names);
  recorder.onInterval(hlog.interval);
  recorder.onInterval(timeline.interval);
  const exact = new ExactCollector(recorder);
  replay(aligned, records, recorder);
  hlog.close();
  const hops = hopAnalysis(recorder.hops.recording);

  const first = parts[0]!.summary;
  const outcomes = mergedOutcomes(aligned, parts.map((p) => p.summary));
  const observed = options.observed?.({ originEpochMs: aligned.originEpochMs, hops, phases: aligned.phases, sent: outcomes.reduce((sum, o) => sum + o.outcome.sent, 0) });
  const summary = buildSummary({
    scenario: { ...first.scenario, requests: names.map((name) => ({ name })) },
    startedAt: new Date(aligned.originEpochMs),
    runtime: observed ? `${options.runtime}; services: ${observed.runtime}` : options.runtime,
    services: observed?.services ?? [],
    phases: recorder.phaseTotals,
    outcomes,
    timeline: timeline.points,
    engine: first.hopscope.engine,
    interrupted: parts.some((p) => p.summary.run.interrupted),
    analysis: { ...(hops ? { hops } : {}), ...observed?.analysis },
  });
  summary.warnings.push(...(observed?.warnings ?? []));
  summary.fleet = { kind: options.kind, generators: parts.map((p) => generatorRow(p.source.name, p.source.where, p.summary, p.record)) };
  for (const p of parts) {
    for (const warning of p.summary.warnings) summary.warnings.push(`${p.source.name}: ${warning}`);
    if (Math.abs(p.record.clockOffsetMs) > CLOCK_OFFSET_WARN_MS) {
      summary.warnings.push(
        `${p.source.name}: its clock was ${p.record.clockOffsetMs.toFixed(1)} ms off the coordinator's (bound ${CLOCK_OFFSET_WARN_MS} ms); its intervals were aligned by the coordinator's clock`,
      );
    }
  }
  writeRunFolder(outDir, summary, recorder.phaseTotals, names);
  // On the coordinator's clock already: a merge of merged folders needs no further offset.
  writeExactRecord(outDir, exact.finish(aligned.originEpochMs, 0));
  writeHtmlReport(outDir, summary);
  return summary;
}
