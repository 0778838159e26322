/**
 * hopscope as a library: load a scenario, run it, gate it, compare runs, render reports. The CLI is one
 * consumer of exactly these functions. Errors are HopscopeError subclasses carrying a user-facing message
 * and the exit code the CLI would use; nothing here exits the process, installs signal handlers or writes
 * to the terminal.
 */

export { loadScenario, type LoadScenarioOptions } from './library/scenario.js';
export { run, type RunOptions, type RunResult } from './library/run.js';
export { compare, gate, readRun, writeReport, type GateOptions } from './library/runs.js';
export { defineScenario } from './scenario/input.js';
export type * from './scenario/input.js';
export type { Scenario } from './scenario/types.js';
export type { ProgressEvent, IntervalProgress, PhaseProgress } from './pipeline/progress.js';
export type { RunSummary, PhaseSummary } from './run-folder/summary.js';
export type { RunSet, SavedRun } from './run-folder/run-set.js';
export type { GateReport } from './gate/gate.js';
export type { CheckResult } from './gate/check.js';
export type { Comparison, ComparisonScope, ComparedStats } from './report/comparison.js';
export type { Percentiles } from './record/histogram.js';
export type { RequestStats } from './record/stats.js';
export { SUMMARY_SCHEMA } from './run-folder/summary.js';
export { RUN_FILES } from './run-folder/layout.js';
export { ExitCode, GateFailure, HopscopeError, InfraError, Interrupted, UsageError } from './errors.js';
export { HOPSCOPE_VERSION } from './version.js';
