/** How `--workers` divides a phase's load, and adds the workers' outcomes back up. */

import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../src/load/random.js';
import { arrivalTimes } from '../../src/load/schedule.js';
import { mergeOutcomes } from '../../src/pipeline/workers/pool.js';
import { shareLoad, workersFor } from '../../src/pipeline/workers/share.js';
import type { LoadModel } from '../../src/scenario/types.js';

function drain(next: () => number): number[] {
  const times: number[] = [];
  for (let t = next(); t !== Infinity; t = next()) times.push(t);
  return times;
}

describe('shareLoad', () => {
  const closed = (connections: number): LoadModel => ({ model: 'closed', connections, pipelining: 1 });
  it('splits connections as evenly as possible and never gives a worker none', () => {
    expect(shareLoad(closed(50), 4).map((s) => s.load.connections)).toEqual([13, 13, 12, 12]);
    expect(shareLoad(closed(3), 8).map((s) => s.load.connections)).toEqual([1, 1, 1]);
    expect(workersFor(closed(3), 8)).toBe(3);
  });

  it('divides an open loop rate and interleaves constant schedules', () => {
    const open: LoadModel = { model: 'open', fromRps: 1000, toRps: 3000, arrival: 'constant', connections: 9, pipelining: 1 };
    const shares = shareLoad(open, 2);
    expect(shares.map((s) => [s.load.connections, s.load.model === 'open' && s.load.fromRps, s.load.model === 'open' && s.load.toRps, s.firstGapShare])).toEqual([
      [5, 500, 1500, 0],
      [4, 500, 1500, 0.5],
    ]);
  });

  it('constant schedules at rate/N with their first-gap shares interleave into the one schedule at rate', () => {
    const plan = { fromRps: 2000, toRps: 2000, arrival: 'constant' as const, durationMs: 50 };
    const one = drain(arrivalTimes(plan, seededRandom(1)));
    const halves = [0, 0.5].map((share) => drain(arrivalTimes({ ...plan, fromRps: 1000, toRps: 1000 }, seededRandom(1), share)));
    expect([...halves[0]!, ...halves[1]!].sort((a, b) => a - b)).toEqual(one);
  });

  it('adds outcomes up (elapsed: the longest; the drain: to the last answer of any thread)', () => {
    const o = { elapsedMs: 1000, drainMs: 5, sent: 10, intended: 12, unsent: 2, maxBacklog: 3, connectFailures: 1 };
    expect(mergeOutcomes([o, { ...o, elapsedMs: 1002, drainMs: 1 }])).toEqual({ elapsedMs: 1002, drainMs: 3, sent: 20, intended: 24, unsent: 4, maxBacklog: 6, connectFailures: 2 });
  });
});
