/**
 * A gate over saved runs: the scenario's thresholds plus the flags' against the candidate (one run or the
 * trials of --repeat), and optionally a baseline comparison. Reads run folders; never runs load.
 */

import type { CheckResult } from './check.js';
import { gatePassed } from './check.js';
import { compareToBaseline, type ComparisonMethod } from './baseline.js';
import { evaluateThresholds } from './evaluate.js';
import type { RunSet } from '../run-folder/run-set.js';
import { parseDeclared, type Threshold } from './threshold-parser.js';

export interface GateInput {
  candidate: RunSet;
  /** From --threshold, added to the ones the scenario declared. */
  flagThresholds: readonly Threshold[];
  baseline: RunSet | undefined;
  toleranceRatio: number;
}

export interface GateReport {
  candidate: RunSet;
  baseline: RunSet | undefined;
  /** How the baseline was compared; undefined without a baseline. */
  method: ComparisonMethod | undefined;
  toleranceRatio: number;
  checks: CheckResult[];
  passed: boolean;
}

export function runGate(input: GateInput): GateReport {
  const declared = parseDeclared(input.candidate.runs[0]!.summary.scenario.thresholds);
  const checks = evaluateThresholds([...declared, ...input.flagThresholds], input.candidate.runs.map((r) => r.summary));
  const comparison = input.baseline ? compareToBaseline(input.baseline, input.candidate, input.toleranceRatio) : undefined;
  if (comparison) checks.push(...comparison.checks);
  return { candidate: input.candidate, baseline: input.baseline, method: comparison?.method, toleranceRatio: input.toleranceRatio, checks, passed: gatePassed(checks) };
}
