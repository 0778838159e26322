/** The machine's load average (/proc/loadavg), and a bounded wait for a quiet machine. */

import { readFileSync } from 'node:fs';
import { sleep } from './util.js';

export interface LoadAvg {
  one: number;
  five: number;
  fifteen: number;
  /** "running/total" scheduling entities, as in /proc/loadavg. */
  tasks: string;
}

export function readLoadAvg(): LoadAvg {
  const [one, five, fifteen, tasks] = readFileSync('/proc/loadavg', 'utf8').trim().split(/\s+/);
  return { one: Number(one), five: Number(five), fifteen: Number(fifteen), tasks: tasks ?? '' };
}

export const formatLoadAvg = (l: LoadAvg): string => `${l.one.toFixed(2)} ${l.five.toFixed(2)} ${l.fifteen.toFixed(2)} (1/5/15 min)`;

export interface QuietWait {
  /** True when the 1-minute load average went below the threshold before the time limit. */
  quiet: boolean;
  waitedMs: number;
  /** Every reading taken, first to last. */
  samples: LoadAvg[];
}

export interface QuietOptions {
  /** Wait until the 1-minute load average is below this. */
  below: number;
  pollMs: number;
  /** Then give up and return `quiet: false`. */
  maxWaitMs: number;
  log?: (line: string) => void;
}

/** Polls /proc/loadavg every `pollMs` until the 1-minute average is below `below`, at most `maxWaitMs`. */
export async function waitForQuiet(opts: QuietOptions): Promise<QuietWait> {
  const started = performance.now();
  const samples: LoadAvg[] = [];
  for (;;) {
    const load = readLoadAvg();
    samples.push(load);
    const waitedMs = performance.now() - started;
    if (load.one < opts.below) return { quiet: true, waitedMs, samples };
    if (waitedMs + opts.pollMs > opts.maxWaitMs) return { quiet: false, waitedMs, samples };
    opts.log?.(`load average ${formatLoadAvg(load)}: waiting for the 1-minute figure to drop below ${opts.below} (${Math.round(waitedMs / 1000)} s of at most ${Math.round(opts.maxWaitMs / 1000)} s)`);
    await sleep(opts.pollMs);
  }
}
