import { describe, expect, it } from 'vitest';
import { GO_PAUSE_RING, memstatsOf, pausesSince, type GoMemstats } from '../../src/record/observers/go-memstats.js';

/** memstats after `numGC` cycles where cycle k (from 0) paused k+1 µs and ended at k*1e9 ns, as Go's rings keep them. */
function memstats(numGC: number): GoMemstats {
  const PauseNs = new Array<number>(GO_PAUSE_RING).fill(0);
  const PauseEnd = new Array<number>(GO_PAUSE_RING).fill(0);
  for (let k = 0; k < numGC; k++) {
    PauseNs[k % GO_PAUSE_RING] = (k + 1) * 1000;
    PauseEnd[k % GO_PAUSE_RING] = k * 1e9;
  }
  return { NumGC: numGC, PauseNs, PauseEnd };
}

describe("Go's expvar pause rings", () => {
  it.each([
    { seen: 0, numGC: 0, cycles: [], lost: 0 },
    { seen: 0, numGC: 3, cycles: [0, 1, 2], lost: 0 },
    { seen: 3, numGC: 3, cycles: [], lost: 0 },
    { seen: 250, numGC: 260, cycles: [250, 251, 252, 253, 254, 255, 256, 257, 258, 259], lost: 0 }, // wraps the ring
    { seen: 10, numGC: 10 + GO_PAUSE_RING, cycles: Array.from({ length: GO_PAUSE_RING }, (_, i) => 10 + i), lost: 0 }, // exactly a ring
    { seen: 10, numGC: 10 + GO_PAUSE_RING + 44, cycles: Array.from({ length: GO_PAUSE_RING }, (_, i) => 54 + i), lost: 44 },
  ])('cycles after $seen up to NumGC $numGC: the new ones, oldest first, and $lost lost', ({ seen, numGC, cycles, lost }) => {
    const got = pausesSince(seen, memstats(numGC));
    expect(got.lost).toBe(lost);
    expect(got.pauses).toEqual(cycles.map((k) => ({ durationNs: (k + 1) * 1000, endUnixNs: k * 1e9 })));
  });

  it('reads memstats out of a /debug/vars document, and nothing out of one without them', () => {
    const m = memstats(2);
    expect(memstatsOf({ cmdline: ['orders'], memstats: { ...m, HeapAlloc: 1 } })).toEqual(m);
    expect(memstatsOf({ cmdline: ['orders'] })).toBeUndefined();
    expect(memstatsOf('not json at all')).toBeUndefined();
  });
});
