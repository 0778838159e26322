/** `hopscope run [SCENARIO]`: a scenario file, or ad-hoc flags against a loopback URL. */

import { rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { ExitCode, UsageError } from '../../errors.js';
import { runGate } from '../../gate/gate.js';
import { assertSomeSuccess } from '../../gate/no-success.js';
import { parseDeclared, parseThresholdFlag } from '../../gate/threshold-parser.js';
import { run } from '../../library/run.js';
import type { EngineKind } from '../../load/engines.js';
import { checkBeforeStart } from '../../pipeline/preflight.js';
import { defaultOutDir } from '../../pipeline/run-scenario.js';
import { MAX_WORKERS } from '../../pipeline/workers/share.js';
import { trialDir } from '../../run-folder/layout.js';
import type { SavedRun } from '../../run-folder/run-set.js';
import { terminalReport } from '../../report/terminal-report.js';
import type { RuntimeChoice } from '../../runtime/index.js';
import { DEFAULT_WORKERS } from '../../scenario/defaults.js';
import type { CliIO } from '../io.js';
import { ProgressLine } from '../progress-line.js';
import { installSignalHandlers } from '../signals.js';
import { emitResultFrames, fleetPlan, framesRunDir, generatorSegment, runFleet } from './fleet.js';
import { gateSettings, publishGate } from './gate.js';
import type { RunFlags } from './run-flags.js';
import { scenarioOf } from './scenario-input.js';

const MAX_REPEAT = 100;

export async function runCommand(file: string | undefined, flags: RunFlags, io: CliIO): Promise<number> {
  const scenario = await scenarioOf(file, flags, io);
  // A generator that sends its results back through its log only passes them through a folder of its own
  // making, removed when the frames are out (the stand-in's pods, processes of one host, left one per run).
  const transit = flags.out === undefined && Boolean(flags.resultFrames);
  const outDir = resolve(io.cwd, flags.out ?? (transit ? framesRunDir() : defaultOutDir(scenario.name)));
  const workers = parseWorkers(flags.workers);
  // Thresholds, engine limits, tolerance and baseline fail now, not after the load ran (and before a fleet
  // starts); the CLI gates the trials itself below, so run() gets no thresholds to judge again.
  const thresholds = flags.threshold ?? [];
  checkBeforeStart({ scenario, engine: flags.engine, workers, thresholds: [...parseDeclared(scenario.thresholds), ...thresholds.map(parseThresholdFlag)] });
  const gate = gateSettings(flags, io);
  const repeat = parseRepeat(flags.repeat);
  const fleet = fleetPlan(flags, scenario, io.env);
  if (fleet && repeat > 1) throw new UsageError('--generators with --repeat is not supported');
  const segment = await generatorSegment(flags, io.env);
  const log = (line: string) => {
    if (!flags.quiet) io.stderr.write(`${line}\n`);
  };
  const controller = new AbortController();
  let running: Promise<unknown> = Promise.resolve();
  // On Ctrl-C the run ends its phase, writes what it measured and stops its services; the handler gives it
  // a bounded time to do so before it tears down whatever is left and exits 130.
  const removeHandlers = installSignalHandlers(async (signal) => {
    log(`\n${signal}: stopping the load, writing the results, stopping the services`);
    controller.abort();
    await running.catch(() => undefined);
  });
  try {
    const runs: SavedRun[] = [];
    for (let trial = 1; trial <= repeat; trial++) {
      const dir = repeat === 1 ? outDir : trialDir(outDir, trial);
      log(`scenario ${scenario.name} (${scenario.source})${repeat === 1 ? '' : ` trial ${trial} of ${repeat}`} -> ${dir}`);
      const result = fleet
        ? runFleet(fleet, flags, dir, log, controller.signal)
        : run(scenario, {
            outDir: dir,
            runtime: flags.runtime as RuntimeChoice,
            engine: flags.engine as EngineKind,
            workers,
            onNotice: log,
            onProgress: new ProgressLine(io.stderr, flags.quiet).onProgress,
            signal: controller.signal,
            ...(segment ? { segment } : {}),
          });
      running = result;
      const { summary, interrupted } = await result;
      runs.push({ dir, summary });
      emitResultFrames(flags, dir, io);
      if (!flags.json) {
        io.stdout.write(`${terminalReport(summary, Boolean(io.stdout.isTTY))}\n`);
        if (!transit) io.stdout.write(`run folder: ${dir} (open report.html in it)\n`);
      }
      if (interrupted) return ExitCode.interrupted;
    }
    if (flags.json) io.stdout.write(`${JSON.stringify(repeat === 1 ? runs[0]!.summary : runs.map((r) => r.summary), null, 2)}\n`);
    // A generator's segment is not the run: the coordinator gates on the merge.
    const gating = !segment && (scenario.thresholds.length > 0 || gate.thresholds.length > 0 || gate.baseline || flags.junit || flags.markdown);
    let code: number = ExitCode.ok;
    if (gating) {
      const report = runGate({ candidate: { dir: outDir, runs }, flagThresholds: gate.thresholds, baseline: gate.baseline, toleranceRatio: gate.toleranceRatio });
      code = publishGate(report, flags, io, flags.json ? io.stderr : io.stdout);
    }
    assertSomeSuccess(runs);
    return code;
  } finally {
    removeHandlers();
    if (transit) rmSync(outDir, { recursive: true, force: true });
  }
}

function parseRepeat(text: string | undefined): number {
  if (text === undefined) return 1;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > MAX_REPEAT) throw new UsageError(`--repeat: expected a whole number from 1 to ${MAX_REPEAT}, got "${text}"`);
  return n;
}

/** A number for the library's check, which says what is allowed. */
function parseWorkers(text: string | undefined): number {
  if (text === undefined) return DEFAULT_WORKERS;
  const n = Number(text);
  if (text.trim() === '' || Number.isNaN(n)) throw new UsageError(`--workers: expected a whole number from 1 to ${MAX_WORKERS}, got "${text}"`);
  return n;
}
