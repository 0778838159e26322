/** `hopscope run [SCENARIO]`: a scenario file, or ad-hoc flags against a loopback URL. */

import { resolve } from 'node:path';
import { ExitCode, UsageError } from '../../errors.js';
import { defaultOutDir, runScenario, type EngineKind } from '../../pipeline/run-scenario.js';
import { ProgressLine } from '../../pipeline/progress.js';
import { summaryTable } from '../../report/terminal-table.js';
import { installSignalHandlers, parseRuntimeChoice } from '../../runtime/index.js';
import { adhocScenario, type AdhocFlags } from '../../scenario/adhoc.js';
import { loadScenarioFile } from '../../scenario/load.js';
import type { CliIO } from '../io.js';

export interface RunFlags extends Partial<AdhocFlags> {
  out?: string;
  runtime: string;
  engine: string;
  json?: boolean;
  quiet?: boolean;
}

const ENGINES = ['hopscope', 'autocannon'];

export function oneOf<T extends string>(value: string, allowed: readonly string[], flag: string): T {
  if (!allowed.includes(value)) throw new UsageError(`${flag}: "${value}" is not one of ${allowed.join(', ')}`);
  return value as T;
}

export async function runCommand(file: string | undefined, flags: RunFlags, io: CliIO): Promise<number> {
  const runtime = parseRuntimeChoice(flags.runtime);
  const engine = oneOf<EngineKind>(flags.engine, ENGINES, '--engine');
  if (file && flags.target) throw new UsageError('give a scenario file or --target, not both');
  if (!file && !flags.target) {
    throw new UsageError('nothing to run: give a scenario file (e.g. scenarios/quickstart.yaml) or --target URL with --rate or --connections');
  }
  const scenario = file
    ? loadScenarioFile(resolve(io.cwd, file))
    : adhocScenario({ ...flags, target: flags.target!, duration: flags.duration ?? '10s' });
  const outDir = resolve(io.cwd, flags.out ?? defaultOutDir(scenario.name));
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
    log(`scenario ${scenario.name} (${scenario.source}) -> ${outDir}`);
    const run = runScenario({
      scenario,
      outDir,
      runtime,
      engine,
      log,
      progress: new ProgressLine(io.stderr, flags.quiet),
      signal: controller.signal,
    });
    running = run;
    const result = await run;
    if (flags.json) io.stdout.write(`${JSON.stringify(result.summary, null, 2)}\n`);
    else {
      io.stdout.write(`${summaryTable(result.summary, Boolean(io.stdout.isTTY))}\n`);
      io.stdout.write(`run folder: ${outDir}\n`);
    }
    return result.interrupted ? ExitCode.interrupted : ExitCode.ok;
  } finally {
    removeHandlers();
  }
}
