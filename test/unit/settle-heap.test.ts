import { setImmediate as turn } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { settleHeap } from '../../src/load/settle-heap.js';

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
});
