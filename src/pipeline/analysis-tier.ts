/**
 * A run's end (the percentiles and spectra of every histogram, the run folder, the report) runs once, and
 * V8 optimizing its loops on the way cost more CPU than the optimized code saved: TurboFan compiled 17
 * functions there, ~16 ms of compiler time in a 15-s run at 2,000 req/s (`--trace-opt`), for work that then
 * took milliseconds. While it runs, TurboFan takes no new work and that code stays in V8's baseline tiers:
 * from the load's end to the process's, 9.7-15.6 CPU-ms against 23.1-29.8 (1-s runs against nginx, 8
 * alternating pairs, the optimizer stopped at the same place by --max-opt=1). Code optimized during the load
 * keeps its optimized code.
 *
 * The switch is the process's (V8 has one set of flags): runs that overlap in one process count in and out,
 * and the last one out turns the optimizer back on; meanwhile another run's load may tier up later. It is set
 * back with --turbofan itself, which also makes V8's flag hash what it was (cli/start.cts's code cache is checked
 * against it; an exit in between leaves it off, and the start turns it back on before it makes the cache). A
 * process started with optimizer flags of its own keeps them.
 */

import { setFlagsFromString } from 'node:v8';
import { startedWith } from '../node-flags.js';

const OWN_OPTIMIZER_FLAGS = /--(?:no-)?(?:opt|turbofan|jitless)\b|--max-opt\b/;
let holders = 0;

export async function withoutOptimizer<T>(work: () => Promise<T>): Promise<T> {
  if (startedWith(OWN_OPTIMIZER_FLAGS)) return work();
  if (holders++ === 0) setFlagsFromString('--no-turbofan');
  try {
    return await work();
  } finally {
    if (--holders === 0) setFlagsFromString('--turbofan');
  }
}
