import { spawnSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { afterEach, describe, expect, it } from 'vitest';
import { WakeThread } from '../../src/load/wake-thread.js';

const threads: WakeThread[] = [];
afterEach(async () => {
  await Promise.all(threads.splice(0).map((t) => t.close()));
});

/** A WakeThread whose wake-ups are collected as [armed time, time received]. */
function collecting(): { thread: WakeThread; wakes: [number, number][]; next: () => Promise<void> } {
  const wakes: [number, number][] = [];
  let notify: () => void = () => {};
  const thread = new WakeThread((atMs) => {
    wakes.push([atMs, performance.now()]);
    notify();
  });
  threads.push(thread);
  return { thread, wakes, next: () => new Promise<void>((resolve) => (notify = resolve)) };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('WakeThread', () => {
  it('wakes the loop at the armed time, never before it, once per arm', async () => {
    const { thread, wakes, next } = collecting();
    for (const aheadMs of [5, 0.5, 2, 0.2]) {
      const woken = next();
      thread.arm(performance.now() + aheadMs);
      await woken;
    }
    await sleep(20);
    expect(wakes).toHaveLength(4);
    for (const [atMs, receivedMs] of wakes) expect(receivedMs).toBeGreaterThanOrEqual(atMs - 0.05);
  });

  it('follows a re-arm to an earlier time, and a disarm cancels', async () => {
    const { thread, wakes, next } = collecting();
    const woken = next();
    const late = performance.now() + 200;
    thread.arm(late);
    await sleep(5);
    const early = performance.now() + 2;
    thread.arm(early);
    await woken;
    expect(wakes.map(([at]) => at)).toEqual([early]);
    thread.arm(performance.now() + 3);
    thread.disarm();
    await sleep(30);
    expect(wakes).toHaveLength(1);
  });

  it('starts only once arms come often: before that they are not served', async () => {
    const wakes: number[] = [];
    const thread = new WakeThread((atMs) => wakes.push(atMs), () => 3);
    threads.push(thread);
    // Times already past: a running thread would post each at once. Three arms, but a second or more apart.
    const now = performance.now();
    for (const agoMs of [5000, 3500, 2000]) thread.arm(now - agoMs);
    await sleep(50);
    expect(wakes).toEqual([]);
    // The third arm within a second starts it, and is served.
    const soon = performance.now() + 1;
    thread.arm(soon - 0.5);
    thread.arm(soon - 0.2);
    await sleep(50);
    expect(wakes).toEqual([]);
    thread.arm(soon);
    await sleep(100);
    expect(wakes).toEqual([soon]);
  });

  it('does not keep a process alive that has nothing else to do', () => {
    // The built module (npm test builds first): a child process arms a wake-up 20 s ahead and ends its script.
    const url = new URL('../../dist/load/wake-thread.js', import.meta.url).href;
    const script = `import { WakeThread } from '${url}'; new WakeThread(() => {}).arm(performance.now() + 20000);`;
    const started = performance.now();
    const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], { timeout: 15_000 });
    expect(child.status).toBe(0);
    expect(performance.now() - started).toBeLessThan(10_000);
  });
});
