/**
 * Runs the code that ends each interval (HDR adds, percentiles, encoding for the interval log and for
 * histograms.json, decoding on the side that receives a worker's part) on scratch histograms before the
 * load starts. That code runs once a second, so V8 compiles it only after several intervals, and until then
 * it runs interpreted on the thread that sends: the first interval's end held the event loop ~8 ms, the
 * second ~3 ms, and every request due meanwhile left that late (a stall in the send lag's and the latency's
 * tail at t = 1 s of every run). About 20 ms of CPU once, before the clock starts.
 */

import { addHistogram, newHistogram, packHistogram, recordUs, unpackHistogram } from './histogram.js';

const ROUNDS = 30;

export function warmUpRecording(): void {
  const sample = newHistogram();
  const total = newHistogram();
  // Spread from 10 us to 1 s, as a real interval's can be: the encoder's every path (runs of empty buckets,
  // long values, its buffer growing) must be compiled, or the first real interval deoptimizes it again.
  for (let i = 0; i < 3000; i++) recordUs(sample, 10 * Math.exp((i % 1000) * 0.0115));
  for (let round = 0; round < ROUNDS; round++) {
    addHistogram(total, unpackHistogram(packHistogram(sample)));
    total.getValueAtPercentile(50);
    total.getValueAtPercentile(99);
    total.reset();
  }
}
