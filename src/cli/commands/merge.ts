/** `hopscope merge DIR... --out DIR`: run folders made anywhere merged exactly into one, gated as one run. */

import { basename, resolve } from 'node:path';
import { ExitCode, UsageError } from '../../errors.js';
import { mergeRunFolders } from '../../fleet/merge-folders.js';
import { runGate } from '../../gate/gate.js';
import { assertSomeSuccess } from '../../gate/no-success.js';
import { terminalReport } from '../../report/terminal-report.js';
import type { CliIO } from '../io.js';
import { gateSettings, publishGate, type GateFlags } from './gate.js';

export interface MergeFlags extends GateFlags {
  out?: string;
  json?: boolean;
}

export async function mergeCommand(dirs: string[], flags: MergeFlags, io: CliIO): Promise<number> {
  if (dirs.length < 2) throw new UsageError(`merge: give two or more run folders, got ${dirs.length}`);
  if (!flags.out) throw new UsageError('merge: --out DIR is required: where to write the merged run folder');
  const outDir = resolve(io.cwd, flags.out);
  const inputs = dirs.map((d) => resolve(io.cwd, d));
  if (inputs.includes(outDir)) throw new UsageError(`merge: --out ${flags.out} is one of the folders merged; choose a new folder`);
  const settings = gateSettings(flags, io);
  const summary = await mergeRunFolders(
    inputs.map((dir) => ({ dir, name: basename(dir), where: dir })),
    outDir,
    { kind: 'folders', runtime: `merged from ${inputs.length} run folders` },
  );
  if (flags.json) io.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
  else io.stdout.write(`${terminalReport(summary, Boolean(io.stdout.isTTY))}\nmerged run folder: ${outDir} (open report.html in it)\n`);
  const runs = [{ dir: outDir, summary }];
  let code: number = ExitCode.ok;
  if (summary.scenario.thresholds.length > 0 || settings.thresholds.length > 0 || settings.baseline || flags.junit || flags.markdown) {
    const report = runGate({ candidate: { dir: outDir, runs }, flagThresholds: settings.thresholds, baseline: settings.baseline, toleranceRatio: settings.toleranceRatio });
    code = publishGate(report, flags, io, flags.json ? io.stderr : io.stdout);
  }
  assertSomeSuccess(runs);
  return code;
}
