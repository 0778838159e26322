import { performance } from 'node:perf_hooks';
import { describe, expect, it } from 'vitest';
import { PreciseSleeper } from '../../src/load/precise-sleep.js';

describe('PreciseSleeper', () => {
  it('never returns before the due time, whatever the gap, says when it returned, and keeps its aim within its bound', () => {
    const sleeper = new PreciseSleeper();
    let wrong = 0;
    for (const gapMs of [0.01, 0.05, 0.2, 0.5, 1, 0.3, 0.02, 2]) {
      for (let i = 0; i < 25; i++) {
        const dueMs = performance.now() + gapMs;
        const returnedMs = sleeper.sleepUntil(dueMs);
        if (returnedMs < dueMs || returnedMs > performance.now()) wrong++;
        expect(sleeper.aimEarlyUs).toBeGreaterThanOrEqual(0);
        expect(sleeper.aimEarlyUs).toBeLessThanOrEqual(300);
      }
    }
    expect(wrong).toBe(0);
  });

  it('returns at once for a due time already past', () => {
    const sleeper = new PreciseSleeper();
    const before = sleeper.aimEarlyUs;
    const nowMs = performance.now();
    expect(sleeper.sleepUntil(nowMs - 5, nowMs)).toBe(nowMs);
    expect(sleeper.aimEarlyUs).toBe(before);
  });
});
