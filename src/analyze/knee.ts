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
  /** undefined when even the first step failed. */
  highestPassingRps: number | undefined;
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
