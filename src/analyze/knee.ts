/** find-knee's verdict per step and overall: the highest open-loop rate whose latency met the SLO. Pure. */

import type { KneeDecl } from '../scenario/types.js';

export interface KneeStep {
  rateRps: number;
  achievedRps: number;
  latencyUs: number;
  errorRate: number;
  pass: boolean;
}

export interface KneeResult {
  slo: string;
  steps: KneeStep[];
  /** The highest rate that met the SLO (a lower step may have failed on noise); undefined when none did. */
  highestPassingRps: number | undefined;
}

/**
 * A search ends after this many failing steps in a row. One step of a few seconds can fail on noise alone
 * (a GC, a neighbour's burst) on a shared machine; a failure that the next, higher rate does not confirm
 * was not the knee.
 */
const FAILURES_TO_END = 2;

export function searchEnded(steps: readonly KneeStep[]): boolean {
  return steps.length >= FAILURES_TO_END && steps.slice(-FAILURES_TO_END).every((s) => !s.pass);
}

export function stepPasses(knee: KneeDecl, latencyUs: number, errorRate: number): boolean {
  return latencyUs < knee.belowUs && errorRate <= knee.maxErrorRate;
}

export function kneeResult(knee: KneeDecl, steps: KneeStep[]): KneeResult {
  const passing = steps.filter((s) => s.pass);
  return {
    slo: `p${knee.percentile} < ${knee.belowUs / 1000}ms, errors <= ${knee.maxErrorRate * 100}%`,
    steps,
    highestPassingRps: passing.length ? Math.max(...passing.map((s) => s.rateRps)) : undefined,
  };
}
