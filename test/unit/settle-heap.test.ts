import { constants, PerformanceObserver, performance, type NodeGCPerformanceDetail } from 'node:perf_hooks';
import { setImmediate as turn, setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { settleHeap } from '../../src/load/settle-heap.js';
import { GeneratorMonitor } from '../../src/record/observers/generator-health.js';

describe('settleHeap', () => {
  it('collects what nothing references, in a process started without --expose-gc, and leaves the global alone', async () => {
    let target: object | undefined = { payload: new Array(1000).fill(1) };
    const ref = new WeakRef(target);
    target = undefined;
    // A WeakRef keeps its target for the rest of the job that created it: collect from a later turn.
    await turn();
    settleHeap();
    expect(ref.deref()).toBeUndefined();
    settleHeap();
    expect((globalThis as { gc?: unknown }).gc).toBeUndefined();
  });

  it("is not counted among the generator's GC pauses: it runs before a phase's clock, when nothing is due", async () => {
    const forcedAtMs: number[] = [];
    const watcher = new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) {
        const flags = (entry as { detail?: NodeGCPerformanceDetail }).detail?.flags ?? 0;
        if (flags & constants.NODE_PERFORMANCE_GC_FLAGS_FORCED) forcedAtMs.push(entry.startTime);
      }
    });
    watcher.observe({ entryTypes: ['gc'] });
    const originMs = performance.now();
    const monitor = new GeneratorMonitor(originMs);
    monitor.start();
    settleHeap();
    // GC entries reach observers asynchronously.
    await sleep(50);
    const seen = monitor.stop();
    watcher.disconnect();
    expect(forcedAtMs.length).toBeGreaterThan(0);
    for (const at of forcedAtMs) expect(seen.gcPauses.map((p) => p.tMs)).not.toContain(at - originMs);
  });
});
