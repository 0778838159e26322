/**
 * Run folders for the gate tests, made of known latencies: the samples go through the real Recorder,
 * HlogWriter and Timeline, so latency.hlog and summary.json agree the way a real run's do.
 */

import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { CliIO } from '../../src/cli/io.js';
import { spectrumOf } from '../../src/analyze/spectrum.js';
import type { HopAnalysis } from '../../src/analyze/types.js';
import type { SavedRun } from '../../src/run-folder/run-set.js';
import { seededRandom } from '../../src/load/random.js';
import { newHistogram, percentiles } from '../../src/record/histogram.js';
import { HlogWriter } from '../../src/record/hlog-writer.js';
import { Recorder } from '../../src/record/recorder.js';
import { combine, statsOf } from '../../src/record/stats.js';
import { SUMMARY_SCHEMA, type PhaseSummary, type RunSummary } from '../../src/run-folder/summary.js';
import { Timeline } from '../../src/record/timeline.js';

/** One second of a run: per request name, the latencies (us) of its successful responses. */
export type Interval = Record<string, number[]>;

export interface RunSpec {
  intervals: Interval[];
  /** Seconds of an unrecorded warm-up before `intervals`. */
  warmUp?: Interval[];
  /** Per request name: failed attempts (connection refused), added to the first recorded second. */
  failures?: Record<string, number>;
  thresholds?: { expression: string; scope?: string }[];
  hops?: HopAnalysis;
}

const INTERVAL_MS = 1000;

export async function writeRun(dir: string, spec: RunSpec): Promise<SavedRun> {
  mkdirSync(dir, { recursive: true });
  const names = [...new Set(spec.intervals.flatMap((i) => Object.keys(i)))];
  const recorder = new Recorder(names, 0);
  const hlog = new HlogWriter(join(dir, 'latency.hlog'), Date.UTC(2026, 0, 1), names);
  const timeline = new Timeline();
  recorder.onInterval(hlog.interval);
  recorder.onInterval(timeline.interval);
  let nowMs = 0;
  const play = (phase: string, recorded: boolean, intervals: readonly Interval[]) => {
    recorder.beginPhase(phase, recorded, nowMs);
    intervals.forEach((interval, i) => {
      for (const [name, latencies] of Object.entries(interval)) for (const us of latencies) recorder.response(names.indexOf(name), us, 200, undefined);
      if (recorded && i === 0) for (const [name, n] of Object.entries(spec.failures ?? {})) for (let k = 0; k < n; k++) recorder.failure(names.indexOf(name), 'connect', 1000);
      nowMs += INTERVAL_MS;
      recorder.flush(nowMs);
    });
  };
  if (spec.warmUp) play('warm-up', false, spec.warmUp);
  play('main', true, spec.intervals);
  await hlog.close();

  const totals = combine(recorder.phaseTotals.filter((p) => p.recorded), names);
  const requests = totals.perRequest.map((s, i) => statsOf(names[i]!, s, totals.durationMs));
  const overall = statsOf('overall', totals.all, totals.durationMs);
  const phases = recorder.phaseTotals.map((p): PhaseSummary => {
    const c = combine([p], names);
    return {
      name: p.phase,
      recorded: p.recorded,
      model: 'closed',
      target: 'http://127.0.0.1:1',
      durationMs: p.durationMs,
      connections: 1,
      targetRps: undefined,
      achievedRps: 0,
      sent: c.all.attempts,
      intended: 0,
      unsent: 0,
      maxBacklog: 0,
      connectFailures: 0,
      sendLag: percentiles(newHistogram()),
      overall: statsOf('overall', c.all, p.durationMs),
      requests: c.perRequest.map((s, i) => statsOf(names[i]!, s, p.durationMs)),
    };
  });
  const summary: RunSummary = {
    schema: SUMMARY_SCHEMA,
    units: { latency: 'us', rate: 'rps', duration: 'ms' },
    hopscope: { version: 'test', engine: 'hopscope' },
    scenario: { name: 'fixture', source: 'test', description: '', thresholds: spec.thresholds ?? [] },
    run: { startedAt: '2026-01-01T00:00:00.000Z', durationMs: nowMs, interrupted: false, runtime: 'none', machine: { cpus: 1, cpuModel: 'test', memoryBytes: 1, node: 'v20', platform: 'test' } },
    services: [],
    phases,
    requests,
    overall,
    timeline: timeline.points,
    spectrum: { overall: spectrumOf(totals.all.ok), requests: Object.fromEntries(names.map((n, i) => [n, spectrumOf(totals.perRequest[i]!.ok)])) },
    ...(spec.hops ? { hops: spec.hops } : {}),
    warnings: [],
  };
  writeFileSync(join(dir, 'summary.json'), JSON.stringify(summary));
  return { dir, summary };
}

/** `n` log-normal latencies around `medianUs` (service times have a long right tail), seeded. */
export function logNormalUs(seed: number, n: number, medianUs: number, sigma = 0.4): number[] {
  const random = seededRandom(seed);
  return Array.from({ length: n }, () => {
    const z = Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
    return Math.round(medianUs * Math.exp(sigma * z));
  });
}

/** `seconds` intervals of one request "item" whose latencies are log-normal around `medianUs`. */
export function steadyIntervals(seed: number, seconds: number, perSecond: number, medianUs: number): Interval[] {
  return Array.from({ length: seconds }, (_, s) => ({ item: logNormalUs(seed * 1000 + s, perSecond, medianUs) }));
}

/** A CliIO whose output lands in strings, for running whole commands in-process. */
export function capture(cwd: string, env: NodeJS.ProcessEnv = {}): { io: CliIO; out: { stdout: string; stderr: string } } {
  const out = { stdout: '', stderr: '' };
  const sink = (key: 'stdout' | 'stderr') =>
    new Writable({
      write(chunk, _encoding, done) {
        out[key] += String(chunk);
        done();
      },
    });
  return { io: { stdout: sink('stdout'), stderr: sink('stderr'), env, cwd }, out };
}
