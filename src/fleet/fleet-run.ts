/**
 * What every fleet shares whatever engine runs it: the options, the run id its engine objects are labelled
 * with, the common start, each generator's command line, the teardown that Ctrl-C and crashes reach, and
 * how a failed generator or an interrupt ends the run.
 */

import { InfraError, Interrupted } from '../errors.js';
import { track, untrack, type Teardownable } from '../runtime/teardown.js';
import { SHIPPED_SCENARIO_ENV } from '../scenario/shipped.js';
import type { LoadWindow } from './load-window.js';
import type { MergeOptions } from './merge-folders.js';

export interface FleetOptions {
  generators: number;
  /** The validated scenario, encoded (scenario/shipped.ts): every generator runs its segment of it. */
  scenario: string;
  outDir: string;
  /** Where generators reach the coordinator's clock. */
  coordinatorAddress: string;
  leadMs: number;
  log: (line: string) => void;
  signal: AbortSignal;
  /** The scenario's services, which the coordinator runs and observes; the generators share its network. */
  window?: LoadWindow;
}

/** The merge of a fleet's folders, with what the coordinator saw of its services. */
export function fleetMerge(options: Pick<FleetOptions, 'window'>, kind: string, runtime: string): MergeOptions {
  const { window } = options;
  return { kind, runtime, ...(window ? { observed: (view) => window.observed(view) } : {}) };
}

/** How much of a failed generator's log the error shows. */
export const LOG_TAIL_LINES = 30;
/** Each generator adds a little to the engine's start-up work, so the lead grows with the fleet. */
const LEAD_PER_GENERATOR_MS = 250;

export function fleetRunId(): string {
  return `fleet-${Date.now().toString(36)}-${process.pid}`;
}

export function fleetStartAt(options: Pick<FleetOptions, 'leadMs' | 'generators'>): number {
  return Date.now() + options.leadMs + LEAD_PER_GENERATOR_MS * options.generators;
}

export interface GeneratorLaunch {
  /** "2/3", or a form the generator resolves itself ("swarm/3", "$(VAR)/3"). */
  segment: string;
  /** undefined (a printed manifest, no coordinator): the generator starts at once. */
  start: { startAtEpochMs: number; clockUrl: string } | undefined;
  /** A folder in the generator's container, or undefined: the results go to stdout as frames (result-frame.ts), from a folder of the generator's own making. */
  outDir: string | undefined;
}

/** The environment every generator gets: the scenario travels in it, not in a file the generator would need. */
export function generatorEnv(scenario: string): Record<string, string> {
  return { [SHIPPED_SCENARIO_ENV]: scenario };
}

export function generatorCommand(launch: GeneratorLaunch): string[] {
  return [
    'run',
    '--shipped-scenario',
    '--runtime',
    'process',
    '--segment',
    launch.segment,
    ...(launch.start ? ['--start-at', String(launch.start.startAtEpochMs), '--coordinator', launch.start.clockUrl] : []),
    ...(launch.outDir ? ['--out', launch.outDir] : ['--result-frames']),
    '--quiet',
  ];
}

export function logTail(output: string): string {
  return output.trim().split('\n').slice(-LOG_TAIL_LINES).join('\n') || '(empty)';
}

export function generatorFailed(what: string, why: string, log: string): InfraError {
  return new InfraError(`fleet: ${what} ${why}; the other generators were stopped. Its log:\n${logTail(log)}`);
}

/**
 * The fleet's engine objects as one tracked item: the CLI's Ctrl-C and crash handlers remove them within
 * their deadline even when the run's own cleanup is still waiting on the engine.
 */
export function trackFleet(label: string, remove: () => Promise<void>): Teardownable & { release(): Promise<void> } {
  let removing: Promise<void> | undefined;
  const item = {
    label,
    down: () => (removing ??= remove().finally(() => untrack(item))),
    release: () => item.down(),
  };
  track(item);
  return item;
}

/** After an interrupt the engine's answers (killed generators) are not failures to report: the run was stopped. */
export function interruptedOr(error: unknown, signal: AbortSignal): unknown {
  return signal.aborted ? interrupted(signal) : error;
}

export function interrupted(signal: AbortSignal): Interrupted {
  return new Interrupted(typeof signal.reason === 'string' ? signal.reason : 'a signal');
}
