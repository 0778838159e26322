import { setTimeout as sleep } from 'node:timers/promises';

/** Long enough for a busy service to accumulate a few clock ticks, short enough not to stall a sampler. */
const FIRST_SAMPLE_GAP_MS = 100;

/**
 * CPU percent is a rate, so it needs two readings. Later samples pair with the previous one; the very first
 * sample takes a second reading shortly after its first.
 */
export async function readingPair<R>(previous: R | undefined, read: () => Promise<R>): Promise<[R, R]> {
  if (previous !== undefined) return [previous, await read()];
  const first = await read();
  await sleep(FIRST_SAMPLE_GAP_MS);
  return [first, await read()];
}
