/**
 * What it costs a Node process to be woken at precise times, the open loop's problem, without any network:
 * each way of waiting is run at each rate for a few seconds, alternating, and prints the process's CPU per
 * 1,000 wake-ups and how late the wake-ups were (p50/p99). The ways:
 *   - spin: setImmediate polling (hopscope's open loop before 0.2);
 *   - timer: setTimeout, which libuv rounds to whole milliseconds (sub-ms gaps become batches);
 *   - pacing thread: a worker sleeping in Atomics.wait that posts a message to wake the loop;
 *   - in-thread wait: Atomics.wait on the loop's own thread (what the engine does when nothing is in flight).
 * Prints figures; asserts nothing.
 *
 *   npm run bench:build && node dist-bench/bench/wake-cost.js [--seconds 4] [--rounds 3]
 */

import Table from 'cli-table3';
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { arg, median } from './lib/util.js';

interface Result {
  cpuMsPer1k: number;
  lateP50Us: number;
  lateP99Us: number;
}

/** Runs `wait` until `count` wake-ups have happened, each aimed at the next due time of an even schedule. */
function measure(
  rate: number,
  seconds: number,
  arm: (dueMs: number, woke: () => void) => void,
  teardown: () => void = () => undefined,
  firstDueMs = performance.now() + 1000 / rate,
): Promise<Result> {
  const gapMs = 1000 / rate;
  const count = Math.round(rate * seconds);
  const late: number[] = [];
  const cpu = process.cpuUsage();
  let next = firstDueMs;
  return new Promise((resolve) => {
    const woke = () => {
      const now = performance.now();
      // Every wake-up takes all that is due, as the engine does: a batch counts each due time's lateness.
      while (next <= now && late.length < count) {
        late.push((now - next) * 1000);
        next += gapMs;
      }
      if (late.length >= count) {
        const used = process.cpuUsage(cpu);
        teardown();
        late.sort((a, b) => a - b);
        resolve({ cpuMsPer1k: ((used.user + used.system) / 1000 / count) * 1000, lateP50Us: late[late.length >> 1]!, lateP99Us: late[Math.floor(late.length * 0.99)]! });
        return;
      }
      arm(next, woke);
    };
    arm(next, woke);
  });
}

const spin = (rate: number, seconds: number) => measure(rate, seconds, spinUntil);
function spinUntil(dueMs: number, woke: () => void): void {
  setImmediate(() => (performance.now() >= dueMs ? woke() : spinUntil(dueMs, woke)));
}

const timer = (rate: number, seconds: number) => measure(rate, seconds, (dueMs, woke) => setTimeout(woke, Math.max(0, dueMs - performance.now())));

const cell = new Int32Array(new SharedArrayBuffer(4));
const inThread = (rate: number, seconds: number) =>
  measure(rate, seconds, (dueMs, woke) => {
    const waitMs = dueMs - performance.now();
    if (waitMs > 0) Atomics.wait(cell, 0, 0, waitMs);
    // Through the loop, as the engine returns to it between sends.
    setImmediate(woke);
  });

/** The pacing thread's body: sleeps to each due time of the same schedule and posts a wake-up. */
function pacerBody(): void {
  const { parentPort, workerData } = require('node:worker_threads') as typeof import('node:worker_threads');
  const { shared, gapMs, firstDueEpochMs } = workerData as { shared: SharedArrayBuffer; gapMs: number; firstDueEpochMs: number };
  const stop = new Int32Array(shared);
  let next = firstDueEpochMs - performance.timeOrigin;
  while (Atomics.load(stop, 0) === 0) {
    const waitMs = next - performance.now();
    if (waitMs > 0) Atomics.wait(stop, 0, 0, waitMs);
    parentPort!.postMessage(0);
    next += gapMs;
  }
}

async function pacingThread(rate: number, seconds: number): Promise<Result> {
  const shared = new SharedArrayBuffer(4);
  const gapMs = 1000 / rate;
  // The thread starts on the same schedule as the measurement, once it is surely running.
  const firstDueMs = performance.now() + 200;
  const worker = new Worker(`(${pacerBody.toString()})()`, { eval: true, workerData: { shared, gapMs, firstDueEpochMs: performance.timeOrigin + firstDueMs } });
  await new Promise((resolve) => worker.once('online', resolve));
  let onWake: (() => void) | undefined;
  worker.on('message', () => onWake?.());
  const result = await measure(
    rate,
    seconds,
    (_dueMs, woke) => (onWake = woke),
    () => Atomics.store(new Int32Array(shared), 0, 1),
    firstDueMs,
  );
  await worker.terminate();
  return result;
}

async function main(): Promise<void> {
  const seconds = Number(arg('--seconds') ?? 4);
  const rounds = Number(arg('--rounds') ?? 3);
  const ways: [string, (rate: number, seconds: number) => Promise<Result>][] = [
    ['spin (setImmediate)', spin],
    ['timer (setTimeout)', timer],
    ['pacing thread + message', pacingThread],
    ['in-thread Atomics.wait', inThread],
  ];
  for (const rate of [2000, 20000]) {
    const results = new Map<string, Result[]>(ways.map(([name]) => [name, []]));
    for (let round = 0; round < rounds; round++) {
      for (const [name, way] of [...ways.slice(round % ways.length), ...ways.slice(0, round % ways.length)]) results.get(name)!.push(await way(rate, seconds));
    }
    const t = new Table({ head: [`${rate} wake-ups/s, ${seconds} s, ${rounds} rounds (median)`, 'CPU ms per 1,000', 'late p50', 'late p99'], style: { head: [], border: [] } });
    for (const [name, r] of results) {
      t.push([name, median(r.map((x) => x.cpuMsPer1k)).toFixed(1), `${median(r.map((x) => x.lateP50Us)).toFixed(0)} us`, `${median(r.map((x) => x.lateP99Us)).toFixed(0)} us`]);
    }
    console.log(t.toString());
  }
}

await main();
