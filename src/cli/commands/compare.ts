/** `hopscope compare A B [C ...]`: percentile deltas against the first run, and compare.html. */

import { writeFileSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { ExitCode, InfraError, UsageError } from '../../errors.js';
import { loadRunSet } from '../../run-folder/run-set.js';
import { compareTable } from '../../report/compare-table.js';
import type { LabelledRun } from '../../report/comparison.js';
import { renderComparePage } from '../../report/html/compare-page.js';
import type { CliIO } from '../io.js';

export interface CompareFlags {
  out: string;
}

export function compareCommand(dirs: readonly string[], flags: CompareFlags, io: CliIO): number {
  // A --repeat folder stands for its trials, each a column of its own.
  const runs: LabelledRun[] = dirs.flatMap((dir) =>
    loadRunSet(resolve(io.cwd, dir), 'run folder').runs.map((r) => ({ label: relative(io.cwd, r.dir) || '.', summary: r.summary })),
  );
  if (runs.length < 2) throw new UsageError(`compare needs at least two runs, got ${runs.length}`, 'hopscope compare reports/before reports/after');
  io.stdout.write(`${compareTable(runs, Boolean(io.stdout.isTTY))}\n`);
  const path = resolve(io.cwd, flags.out);
  try {
    writeFileSync(path, renderComparePage(runs));
  } catch (error) {
    throw new InfraError(`cannot write ${path}: ${(error as Error).message}`);
  }
  io.stdout.write(`compare page: ${path}\n`);
  return ExitCode.ok;
}
