/**
 * What a piece of work costs when it runs once in a while instead of in a loop: each piece is run back to
 * back (hot), then after sleeping 50, 200 and 1,000 ms before each run, and the process's CPU for the run
 * alone is printed (median, us). An interval's end runs once a second on the thread that sends
 * (summary.json `generator.intervalEnds`), so it pays the cold price every time; this bench shows how much
 * that price is on the machine it runs on. The pieces:
 *   - deflateSync of 300 bytes (node:zlib builds a stream and a compressor state per call);
 *   - encodeHistogram of a 2,000-sample interval histogram (what each interval's hlog line needs);
 *   - a JavaScript loop of 20,000 square roots (no allocation, no native call).
 * Prints figures; asserts nothing.
 *
 *   npm run bench:build && node dist-bench/bench/cold-cost.js [--samples 15]
 */

import Table from 'cli-table3';
import { setTimeout as sleep } from 'node:timers/promises';
import { deflateSync } from 'node:zlib';
import { encodeHistogram, newHistogram, recordUs } from '../src/record/histogram.js';
import { seededRandom } from '../src/load/random.js';
import { median } from './lib/util.js';

const samplesArg = process.argv.indexOf('--samples');
const SAMPLES = samplesArg >= 0 ? Number(process.argv[samplesArg + 1]) : 15;
const HOT_RUNS = 200;
const GAPS_MS = [50, 200, 1000];

const bytes = Buffer.alloc(300);
for (let i = 0; i < bytes.length; i += 7) bytes[i] = i & 0xff;
const interval = newHistogram();
const random = seededRandom(1);
// Loopback-like latencies: most near 50 us, a tail to a few ms.
for (let i = 0; i < 2000; i++) recordUs(interval, 30 + Math.floor(random() ** 6 * 5000));

const pieces: [string, () => unknown][] = [
  ['deflateSync, 300 bytes', () => deflateSync(bytes)],
  ['encodeHistogram, 2,000 samples', () => encodeHistogram(interval)],
  [
    'JS loop, 20,000 square roots',
    () => {
      let sum = 0;
      for (let i = 0; i < 20_000; i++) sum += Math.sqrt(i);
      return sum;
    },
  ],
];

function cpuUs(work: () => unknown): number {
  const before = process.cpuUsage();
  work();
  const used = process.cpuUsage(before);
  return used.user + used.system;
}

const table = new Table({ style: { head: [], border: [] }, head: ['CPU us, median', 'hot (back to back)', ...GAPS_MS.map((g) => `after ${g} ms asleep`)] });
const rows = new Map(pieces.map(([name]) => [name, [] as string[]]));
for (const [name, work] of pieces) {
  const hot = Array.from({ length: HOT_RUNS }, () => cpuUs(work));
  rows.get(name)!.push(median(hot.slice(HOT_RUNS / 2)).toFixed(0));
}
for (const gapMs of GAPS_MS) {
  const cold = new Map(pieces.map(([name]) => [name, [] as number[]]));
  // The pieces take turns, each after its own sleep, so that none runs right after another.
  for (let s = 0; s < SAMPLES; s++) {
    for (const [name, work] of pieces) {
      await sleep(gapMs);
      cold.get(name)!.push(cpuUs(work));
    }
  }
  for (const [name] of pieces) rows.get(name)!.push(median(cold.get(name)!).toFixed(0));
}
for (const [name, cells] of rows) table.push([name, ...cells]);
console.log(`${SAMPLES} samples per cold cell, ${HOT_RUNS} hot runs (the second half's median); process CPU (user + system) of the run alone`);
console.log(table.toString());
