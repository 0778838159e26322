/**
 * The noise-aware baseline check: a regression only when the bootstrap confidence interval of the
 * candidate/baseline ratio lies wholly above 1 + tolerance, i.e. its lower bound exceeds it. The method
 * (hierarchical bootstrap over 1-second interval histograms) is described in src/analyze/statistics.ts and
 * docs/gates.md.
 */

import { bootstrapQuantileRatios, DEFAULT_BOOTSTRAP, type BootstrapOptions, type QuantileRatio, type Trial } from '../analyze/statistics.js';
import { formatChange, formatUs } from '../units.js';
import type { CheckResult } from './check.js';

export function noiseChecks(
  scope: string,
  quantiles: readonly number[],
  baseline: readonly Trial[],
  candidate: readonly Trial[],
  toleranceRatio: number,
  options: BootstrapOptions = DEFAULT_BOOTSTRAP,
): CheckResult[] {
  const ratios = bootstrapQuantileRatios(baseline, candidate, quantiles, options);
  if (!ratios) {
    return [{ kind: 'baseline', check: 'percentiles vs baseline', scope, actual: undefined, actualText: 'n/a', pass: false, message: 'no latency intervals to compare in the baseline or the candidate' }];
  }
  return ratios.map((r) => check(scope, r, baseline.length, candidate.length, toleranceRatio, options.confidence));
}

function check(scope: string, r: QuantileRatio, baselineTrials: number, candidateTrials: number, toleranceRatio: number, confidence: number): CheckResult {
  const name = `p${r.quantile}`;
  const ci = `${Math.round(confidence * 100)}% CI ${formatChange(r.lowRatio)} to ${formatChange(r.highRatio)}, ${baselineTrials} vs ${candidateTrials} trial${candidateTrials === 1 ? '' : 's'}`;
  // The decision rule: only a confidence interval wholly above the tolerance is a regression.
  const pass = r.lowRatio <= 1 + toleranceRatio;
  const verdict = pass
    ? `not shown slower than ${formatChange(1 + toleranceRatio)}`
    : `slower beyond ${formatChange(1 + toleranceRatio)} with ${Math.round(confidence * 100)}% confidence`;
  return {
    kind: 'baseline',
    check: `${name} vs baseline`,
    scope,
    actual: r.ratio,
    actualText: `${formatChange(r.ratio)} [${formatChange(r.lowRatio)}, ${formatChange(r.highRatio)}]`,
    pass,
    message: `${name} ${formatUs(r.baselineUs)} -> ${formatUs(r.candidateUs)} (${formatChange(r.ratio)}; ${ci}): ${verdict}`,
  };
}
