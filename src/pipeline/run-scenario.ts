/**
 * The whole pipeline for one run: scenario -> runtime (services up) -> load, phase by phase -> record ->
 * run folder (summary.json, latency.hlog, latency.hgrm) -> services down. Every stage is in its own folder;
 * this file only sequences them and guarantees teardown.
 */

import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { LoadEngine, type EngineStatus, type PhaseOutcome } from '../load/engine.js';
import { runAutocannonPhase } from '../load/autocannon-engine.js';
import { compileMix } from '../load/request-mix.js';
import { HlogWriter } from '../record/hlog-writer.js';
import { Recorder } from '../record/recorder.js';
import { Timeline } from '../record/timeline.js';
import { writeRunFolder } from '../record/run-folder.js';
import type { StartedService } from '../runtime/types.js';
import { resolveTarget, resolveTopology } from '../scenario/topology.js';
import type { PhaseDecl, Scenario } from '../scenario/types.js';
import type { RunSummary } from '../record/summary.js';
import { buildSummary } from '../record/summary.js';
import type { RuntimeChoice } from '../runtime/index.js';
import { startServices } from './services.js';
import { ProgressLine } from './progress.js';

export type EngineKind = 'hopscope' | 'autocannon';

export interface RunOptions {
  scenario: Scenario;
  outDir: string;
  runtime: RuntimeChoice;
  engine: EngineKind;
  /** Progress and notices; never the machine output. */
  log: (line: string) => void;
  progress: ProgressLine;
  /** Aborted on Ctrl-C: the current phase ends at once and the run writes what it has. */
  signal: AbortSignal;
}

export interface RunResult {
  summary: RunSummary;
  outDir: string;
  interrupted: boolean;
}

const INTERVAL_MS = 1000;

export async function runScenario(options: RunOptions): Promise<RunResult> {
  const { scenario, outDir, log } = options;
  mkdirSync(outDir, { recursive: true });
  const specs = resolveTopology(scenario);
  const names = scenario.requests.map((r) => r.name);
  const startedAt = new Date();

  const services = await startServices(specs, options.runtime, { outDir, log });
  try {
    const recorder = new Recorder(names);
    const timeline = new Timeline();
    const hlog = new HlogWriter(join(outDir, 'latency.hlog'), startedAt.getTime(), names);
    recorder.onInterval(hlog.interval);
    recorder.onInterval(timeline.interval);
    const runStart = performance.now();
    const sinceStart = () => performance.now() - runStart;

    const outcomes: { phase: PhaseDecl; outcome: PhaseOutcome }[] = [];
    for (const phase of scenario.phases) {
      if (options.signal.aborted) break;
      recorder.beginPhase(phase.name, phase.record, sinceStart());
      const outcome = await runPhase(phase, options, services.started, recorder, (status) => {
        recorder.flush(sinceStart());
        options.progress.tick(phase, status, timeline.points[timeline.points.length - 1]);
      });
      outcomes.push({ phase, outcome });
      options.progress.phaseDone(phase, outcome);
    }
    recorder.flush(sinceStart());
    await hlog.close();

    const summary = buildSummary({
      scenario,
      startedAt,
      runtime: services.description,
      services: services.started.map((s) => ({ name: s.spec.name, kind: s.spec.kind, url: s.url, args: s.spec.args, describe: s.describe })),
      phases: recorder.phaseTotals,
      outcomes,
      timeline: timeline.points,
      engine: options.engine,
      interrupted: options.signal.aborted,
    });
    writeRunFolder(outDir, summary, recorder.phaseTotals, names);
    return { summary, outDir, interrupted: options.signal.aborted };
  } finally {
    await services.down();
  }
}

/** Runs one phase's load; `everyInterval` is called each second with the engine's live status. */
async function runPhase(
  phase: PhaseDecl,
  options: RunOptions,
  started: StartedService[],
  sink: Recorder,
  everyInterval: (status: EngineStatus | undefined) => void,
): Promise<PhaseOutcome> {
  const { scenario } = options;
  const target = resolveTarget(phase.target, started.map((s) => s.spec));
  let engine: LoadEngine | undefined;
  const ticker = setInterval(() => everyInterval(engine?.status), INTERVAL_MS);
  const abort = () => engine?.stop();
  options.signal.addEventListener('abort', abort, { once: true });
  try {
    if (options.engine === 'autocannon') {
      return await runAutocannonPhase({ phase, target, scenario, sink, signal: options.signal });
    }
    const mix = compileMix(
      scenario.requests,
      phase.mix.map((m) => ({ requestIndex: scenario.requests.findIndex((r) => r.name === m.request), weight: m.weight })),
      `${target.host}:${target.port}`,
      scenario.seed,
    );
    engine = new LoadEngine(
      { host: target.host, port: target.port, mix, load: phase.load, durationMs: phase.durationMs, timeoutMs: scenario.requestTimeoutMs, seed: scenario.seed },
      sink,
    );
    return await engine.execute();
  } finally {
    clearInterval(ticker);
    options.signal.removeEventListener('abort', abort);
  }
}

export function defaultOutDir(scenarioName: string, now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\..*$/, '').replace('T', '-');
  return join('reports', `${scenarioName}-${stamp}`);
}
