import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { Alarm } from '../../src/load/alarm.js';

/** Resolves on the next turn of the event loop, once libuv has run its timers. */
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('Alarm', () => {
  it('fires once, its delay after it was armed', async () => {
    const firedAt: number[] = [];
    const alarm = new Alarm(() => firedAt.push(performance.now()));
    const armedAt = performance.now();
    alarm.arm(5, armedAt);
    await sleep(40);
    expect(firedAt).toHaveLength(1);
    // libuv counts whole milliseconds from the start of the loop's turn: up to a millisecond early.
    expect(firedAt[0]! - armedAt).toBeGreaterThanOrEqual(4);
  });

  it('does not fire while it is armed again every half millisecond, and fires once it no longer is', async () => {
    const firedAt: number[] = [];
    const alarm = new Alarm(() => firedAt.push(performance.now()));
    // By count, not for a time: on a busy machine fewer turns fit in a time, and each is what is tested.
    let lastArmMs = 0;
    for (let arms = 0; arms < 100; arms++) {
      const spinUntil = performance.now() + 0.5;
      while (performance.now() < spinUntil);
      lastArmMs = performance.now();
      alarm.arm(3, lastArmMs);
      await nextTurn();
    }
    const whileArmed = firedAt.length;
    await sleep(50);
    // Moved on only when it fires (as the backstop was), it fired 11 times in 60 ms of this loop.
    expect(whileArmed).toBeLessThan(5);
    expect(firedAt.length).toBe(whileArmed + 1);
    expect(firedAt.at(-1)! - lastArmMs).toBeGreaterThanOrEqual(2);
  });

  it('keeps a pending timer that fires sooner than a later arming asks', async () => {
    let firedAt = 0;
    const alarm = new Alarm(() => (firedAt = performance.now()));
    const armedAt = performance.now();
    alarm.arm(2, armedAt);
    alarm.arm(30, armedAt);
    await sleep(25);
    expect(firedAt).toBeGreaterThan(0);
    expect(firedAt - armedAt).toBeLessThan(25);
  });

  it('clear() stops a pending timer, and it can be armed again', async () => {
    let fired = 0;
    const alarm = new Alarm(() => fired++);
    alarm.arm(2, performance.now());
    alarm.clear();
    await sleep(20);
    expect(fired).toBe(0);
    alarm.arm(2, performance.now());
    await sleep(20);
    expect(fired).toBe(1);
  });
});
