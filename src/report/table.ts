/** The terminal's tables: cli-table3, in hopscope's one style (cyan heads and grey borders on a terminal). */

import { createRequire } from 'node:module';
import type CliTable from 'cli-table3';

// Loaded at the first table drawn: cli-table3 and the packages it loads (string-width, emoji-regex) took
// 5-9 ms of CPU at every start of `run`, whose --json output draws none, and a run's start-up is part of the
// generator's measured CPU.
const require = createRequire(import.meta.url);
let Table: CliTable | undefined;

/** A table with these column heads; the columns after the first are right-aligned if `alignNumbers`. */
export function newTable(head: string[], color: boolean, alignNumbers = true): CliTable.Table {
  Table ??= require('cli-table3') as CliTable;
  return new Table({
    head,
    style: { head: color ? ['cyan'] : [], border: color ? ['grey'] : [] },
    ...(alignNumbers ? { colAligns: head.map((_, i) => (i === 0 ? 'left' : 'right')) } : {}),
  });
}
