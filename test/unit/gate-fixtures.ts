/**
 * Run folders for the gate tests, made of known latencies: the samples are replayed through the real recording
 * stage and written by the real writers (test/fixtures/runs/replay.ts), so summary.json, latency.hlog, the .hgrm
 * files and histograms.json agree the way a real run's do.
 */

import { Writable } from 'node:stream';
import type { CliIO } from '../../src/cli/io.js';
import { generatorHealth } from '../../src/analyze/generator-health.js';
import { hopAnalysis } from '../../src/analyze/hops.js';
import type { SavedRun } from '../../src/run-folder/run-set.js';
import { seededRandom } from '../../src/load/random.js';
import { newHistogram, percentiles } from '../../src/record/histogram.js';
import { scenarioFromObject } from '../../src/scenario/load.js';
import { ReplayedRun } from '../fixtures/runs/replay.js';

/** One second of a run: per request name, the latencies (us) of its successful responses. */
export type Interval = Record<string, number[]>;

export interface RunSpec {
  intervals: Interval[];
  /** Seconds of an unrecorded warm-up before `intervals`. */
  warmUp?: Interval[];
  /** Per request name: failed attempts (connection refused, as autocannon reports it), added to the first recorded second. */
  failures?: Record<string, number>;
  thresholds?: { expression: string; scope?: string }[];
  /** Per request name: the Server-Timing headers of its first recorded responses, in order; the others carry none. */
  serverTiming?: Record<string, string[]>;
}

const INTERVAL_MS = 1000;
const TARGET = 'http://127.0.0.1:1';

/** The scenario such a run would have come from: one closed-loop connection to a URL, no services. */
function scenarioOf(names: string[], spec: RunSpec) {
  const phase = (name: string, seconds: number, record: boolean) => ({ name, target: TARGET, duration: `${seconds}s`, record, load: { model: 'closed', connections: 1 } });
  return scenarioFromObject(
    {
      name: 'fixture',
      requests: names.map((name) => ({ name, path: '/' })),
      phases: [...(spec.warmUp ? [phase('warm-up', spec.warmUp.length, false)] : []), phase('main', spec.intervals.length, true)],
      thresholds: (spec.thresholds ?? []).map(({ expression, scope }) =>
        scope === undefined ? expression : scope.startsWith('hop:') ? { expr: expression, hop: scope.slice('hop:'.length) } : { expr: expression, request: scope },
      ),
    },
    'fixture',
    import.meta.dirname,
  );
}

export async function writeRun(dir: string, spec: RunSpec): Promise<SavedRun> {
  const names = [...new Set([...(spec.warmUp ?? []), ...spec.intervals].flatMap((i) => Object.keys(i)))];
  const scenario = scenarioOf(names, spec);
  const run = new ReplayedRun(scenario, new Date(Date.UTC(2026, 0, 1)), dir);
  const timings = new Map(Object.entries(spec.serverTiming ?? {}).map(([name, headers]) => [name, [...headers]]));
  for (const phase of scenario.phases) {
    run.beginPhase(phase);
    const startMs = run.nowMs;
    let sent = 0;
    (phase.record ? spec.intervals : spec.warmUp!).forEach((interval, s) => {
      for (const [name, latencies] of Object.entries(interval)) {
        latencies.forEach((us, k) => {
          // Spread over the second, so that each response ends inside it.
          run.advanceTo(startMs + s * INTERVAL_MS + ((k + 0.5) / latencies.length) * INTERVAL_MS);
          run.recorder.response(names.indexOf(name), us, 200, phase.record ? timings.get(name)?.shift() : undefined, run.nowMs - us / 1000);
          sent++;
        });
      }
      if (phase.record && s === 0) for (const [name, n] of Object.entries(spec.failures ?? {})) for (let k = 0; k < n; k++) run.recorder.failure(names.indexOf(name), 'connect', 1000);
    });
    run.endPhase(phase, { sent, intended: 0, unsent: 0, maxBacklog: 0, connectFailures: 0 }, 0);
  }
  const hops = hopAnalysis(run.recorder.hops.recording);
  const quiet = { eventLoopDelay: percentiles(newHistogram()), gcPauses: [], cpuShare: 0 };
  const summary = run.summary({
    runtime: 'none (no services in the scenario)',
    services: [],
    engine: 'hopscope',
    analysis: { hops, faults: [], generator: generatorHealth(quiet, 0) },
  });
  await run.writeFolder(summary);
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
