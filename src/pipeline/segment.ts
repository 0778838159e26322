/**
 * A generator's segment of every phase (shareLoad): connections split as `--workers` splits them, the
 * open-loop rate divided and constant arrivals offset to interleave, as machines cannot share one schedule
 * the way threads do.
 */

import { InfraError, UsageError } from '../errors.js';
import { MAX_WORKERS, shareLoad, type LoadShare } from './workers/share.js';
import type { LoadModel, Scenario } from '../scenario/types.js';

export const MAX_GENERATORS = 256;
/** How long before the start every generator container has to be up: node starts in well under a second. */

export interface GeneratorSegment {
  /** 0-based. */
  index: number;
  of: number;
  /** When the load starts, epoch ms on the coordinator's clock; undefined: at once. */
  startAtEpochMs: number | undefined;
  /** What to add to this machine's clock to read the coordinator's (clock.ts). */
  clockOffsetMs: number;
}

/** "2/3" is the third of three generators (0-based index / count). */
export function parseSegment(text: string): { index: number; of: number } {
  const match = /^(\d+)\/(\d+)$/.exec(text);
  const index = Number(match?.[1]);
  const of = Number(match?.[2]);
  if (!match || of < 1 || of > MAX_GENERATORS || index >= of) {
    throw new UsageError(`--segment: expected INDEX/COUNT with 0 <= INDEX < COUNT <= ${MAX_GENERATORS}, got "${text}"`);
  }
  return { index, of };
}

/** Every phase must give each generator at least one connection, or some generators would idle. */
export function checkSegmentable(scenario: Scenario, generators: number): void {
  for (const phase of scenario.phases) {
    if (phase.load.connections < generators) {
      throw new UsageError(
        `phase ${phase.name}: ${phase.load.connections} connections cannot be split over ${generators} generators`,
        `give the phase at least ${generators} connections (--connections), or use fewer generators`,
      );
    }
  }
}

export function segmentLoad(load: LoadModel, segment: Pick<GeneratorSegment, 'index' | 'of'>): LoadShare {
  return shareLoad(load, segment.of)[segment.index]!;
}

/** Seeds apart from every other generator's and from its own worker threads' (seed + thread index). */
export function segmentSeed(seed: number, segment: Pick<GeneratorSegment, 'index'>): number {
  return seed + segment.index * MAX_WORKERS;
}

/** Sleeps until the coordinator's start time, on this machine's clock; late is an error, not a skewed run. */
export async function waitForStart(segment: GeneratorSegment, signal: AbortSignal): Promise<void> {
  if (segment.startAtEpochMs === undefined) return;
  const waitMs = segment.startAtEpochMs - segment.clockOffsetMs - Date.now();
  if (waitMs < 0) {
    throw new InfraError(
      `generator ${segment.index + 1} of ${segment.of} was ready ${Math.round(-waitMs)} ms after the start time the coordinator set`,
      'the engine started it too slowly: raise --fleet-lead',
    );
  }
  await new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, waitMs);
    signal.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
  });
}
