/** `hopscope gate DIR`: re-judges a saved run (or the trials of --repeat) without running load. */

import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { ExitCode, GateFailure, InfraError } from '../../errors.js';
import { parseTolerance } from '../../gate/baseline.js';
import { verdict } from '../../gate/check.js';
import { assertSomeSuccess } from '../../gate/no-success.js';
import { runGate, type GateReport } from '../../gate/gate.js';
import { DEFAULT_TOLERANCE } from '../../scenario/defaults.js';
import { loadRunSet, type RunSet } from '../../run-folder/run-set.js';
import { parseThresholdFlag, type Threshold } from '../../gate/threshold-parser.js';
import { gateTable } from '../../report/gate-table.js';
import { junitXml } from '../../report/junit.js';
import { markdownSummary } from '../../report/markdown.js';
import type { CliIO } from '../io.js';

/** The flags `gate` and `run` share. */
export interface GateFlags {
  threshold?: string[];
  baseline?: string;
  tolerance?: string;
  junit?: string;
  markdown?: string;
}

/** Flags checked before anything runs, so that a typo costs no load test. */
export interface GateSettings {
  thresholds: Threshold[];
  baseline: RunSet | undefined;
  toleranceRatio: number;
}

export function gateSettings(flags: GateFlags, io: CliIO): GateSettings {
  return {
    thresholds: (flags.threshold ?? []).map(parseThresholdFlag),
    toleranceRatio: parseTolerance(flags.tolerance ?? DEFAULT_TOLERANCE),
    baseline: flags.baseline ? loadRunSet(resolve(io.cwd, flags.baseline), 'baseline') : undefined,
  };
}

export function gateCommand(dir: string, flags: GateFlags, io: CliIO): number {
  const settings = gateSettings(flags, io);
  const candidate = loadRunSet(resolve(io.cwd, dir), 'run folder');
  const report = runGate({ candidate, flagThresholds: settings.thresholds, baseline: settings.baseline, toleranceRatio: settings.toleranceRatio });
  const code = publishGate(report, flags, io, io.stdout);
  assertSomeSuccess(candidate.runs);
  return code;
}

/**
 * Prints the checks, writes --junit and --markdown and, under GitHub Actions, appends the Markdown to the
 * job summary; then fails with exit code 1 if a check failed. `tableOut` is stderr when stdout carries JSON.
 */
export function publishGate(report: GateReport, flags: GateFlags, io: CliIO, tableOut: NodeJS.WritableStream & { isTTY?: boolean }): number {
  tableOut.write(`${gateTable(report, Boolean(tableOut.isTTY))}\n`);
  if (flags.junit) writeOutput(resolve(io.cwd, flags.junit), junitXml(report, `hopscope gate: ${report.candidate.runs[0]!.summary.scenario.name}`));
  const markdown = markdownSummary(report);
  const stepSummary = io.env.GITHUB_STEP_SUMMARY ? resolve(io.cwd, io.env.GITHUB_STEP_SUMMARY) : undefined;
  const markdownPath = flags.markdown ? resolve(io.cwd, flags.markdown) : undefined;
  // `--markdown $GITHUB_STEP_SUMMARY` is the documented idiom: append there once, as GitHub expects.
  if (markdownPath && markdownPath !== stepSummary) writeOutput(markdownPath, markdown);
  if (stepSummary) writeOutput(stepSummary, markdown, appendFileSync);
  if (!report.passed) throw new GateFailure(`gate ${verdict(report.checks)}`);
  return ExitCode.ok;
}

function writeOutput(path: string, text: string, write: (path: string, text: string) => void = writeFileSync): void {
  try {
    mkdirSync(dirname(path), { recursive: true });
    write(path, text);
  } catch (error) {
    throw new InfraError(`cannot write ${path}: ${(error as Error).message}`);
  }
}
