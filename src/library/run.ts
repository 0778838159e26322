/**
 * run: one scenario, start to finish: services up, every phase's load, the run folder written, services
 * down. It installs no signal handlers and writes nothing to the terminal: cancellation is the caller's
 * AbortSignal (the current phase ends, the results so far are written, the services stop), and progress
 * and notices are callbacks. If the caller's process dies instead, service processes die with it (their
 * death signal) and containers are removed by the reaper.
 */

import { resolve } from 'node:path';
import type { GateReport } from '../gate/gate.js';
import { parseDeclared, parseThresholdFlag } from '../gate/threshold-parser.js';
import { checkBeforeStart } from '../pipeline/preflight.js';
import type { ProgressEvent } from '../pipeline/progress.js';
import { defaultOutDir, runScenario } from '../pipeline/run-scenario.js';
import type { GeneratorSegment } from '../pipeline/segment.js';
import type { RunSummary } from '../run-folder/summary.js';
import { parseRuntimeChoice, type RuntimeChoice } from '../runtime/choice.js';
import { DEFAULT_ENGINE, DEFAULT_RUNTIME, DEFAULT_WORKERS } from '../scenario/defaults.js';
import type { Scenario } from '../scenario/types.js';
import type { EngineKind } from '../load/engines.js';
import { gate } from './runs.js';

export interface RunOptions {
  /** The run folder (created). Default: reports/<scenario>-<timestamp> under the working directory. */
  outDir?: string;
  /** Where services run: "auto" (Docker when an engine answers), "docker" or "process". */
  runtime?: RuntimeChoice;
  /** "hopscope" (default) or "autocannon" (closed loop only). */
  engine?: EngineKind;
  /** Threads of the hopscope engine (1 to 64; default 1): the main thread runs one share of the load, N-1 worker threads the others. */
  workers?: number;
  /** Threshold expressions added to the scenario's, e.g. "p99 < 5ms", "item: p99.9 < 20ms": checked before the run, judged after it. */
  thresholds?: readonly string[];
  /** Abort to stop early: the run still writes what it measured and stops its services. */
  signal?: AbortSignal;
  /** Live figures once a second, and each phase's outcome at its end. */
  onProgress?: (event: ProgressEvent) => void;
  /** Notices for a human (the runtime chosen, warnings), one line each. */
  onNotice?: (line: string) => void;
  /** @internal A fleet generator's share of the load. */
  segment?: GeneratorSegment;
}

export interface RunResult {
  summary: RunSummary;
  /** The run folder, absolute. */
  outDir: string;
  /** True when the signal stopped the run early. */
  interrupted: boolean;
  /** The thresholds' verdicts, when the scenario or the options have thresholds. */
  gate: GateReport | undefined;
}

export async function run(scenario: Scenario, options: RunOptions = {}): Promise<RunResult> {
  const thresholds = [...parseDeclared(scenario.thresholds), ...(options.thresholds ?? []).map(parseThresholdFlag)];
  const engine = checkBeforeStart({ scenario, engine: options.engine ?? DEFAULT_ENGINE, workers: options.workers ?? DEFAULT_WORKERS, thresholds });
  const runtime = parseRuntimeChoice(options.runtime ?? DEFAULT_RUNTIME);
  const outDir = resolve(options.outDir ?? defaultOutDir(scenario.name));
  const result = await runScenario({
    scenario,
    outDir,
    runtime,
    engine,
    workers: options.workers ?? DEFAULT_WORKERS,
    log: options.onNotice ?? (() => {}),
    signal: options.signal ?? new AbortController().signal,
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    ...(options.segment ? { segment: options.segment } : {}),
  });
  return { ...result, gate: thresholds.length > 0 ? gate(result, { thresholds: options.thresholds ?? [] }) : undefined };
}
