/**
 * Go's runtime.MemStats as `import _ "expvar"` publishes it at /debug/vars: PauseNs and PauseEnd are rings of
 * 256 (cycle k, counted from 0, is at index k % 256), NumGC counts the cycles so far. Pure, so the ring maths
 * is tested on constructed data.
 */

export const GO_PAUSE_RING = 256;

export interface GoMemstats {
  NumGC: number;
  PauseNs: number[];
  PauseEnd: number[];
}

export interface RingPause {
  endUnixNs: number;
  durationNs: number;
}

/**
 * The pauses of the cycles after `seenNumGC` up to memstats.NumGC, oldest first. When more than 256 cycles
 * passed, the ring has overwritten the oldest: those are counted in `lost`, never guessed.
 */
export function pausesSince(seenNumGC: number, memstats: GoMemstats): { pauses: RingPause[]; lost: number } {
  const numGC = memstats.NumGC;
  const newCycles = numGC - seenNumGC;
  if (newCycles <= 0) return { pauses: [], lost: 0 };
  const lost = Math.max(0, newCycles - GO_PAUSE_RING);
  const pauses: RingPause[] = [];
  for (let cycle = seenNumGC + lost; cycle < numGC; cycle++) {
    const i = cycle % GO_PAUSE_RING;
    pauses.push({ endUnixNs: memstats.PauseEnd[i] ?? 0, durationNs: memstats.PauseNs[i] ?? 0 });
  }
  return { pauses, lost };
}

/** memstats out of a /debug/vars document, or undefined when it has none (the service lacks the expvar import). */
export function memstatsOf(document: unknown): GoMemstats | undefined {
  const m = (document as { memstats?: Partial<GoMemstats> } | undefined)?.memstats;
  if (typeof m?.NumGC !== 'number' || !Array.isArray(m.PauseNs) || !Array.isArray(m.PauseEnd)) return undefined;
  return { NumGC: m.NumGC, PauseNs: m.PauseNs, PauseEnd: m.PauseEnd };
}
