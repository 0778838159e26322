/**
 * What a run tells its caller while it runs, as data: the CLI draws a progress line from these events, a
 * library user can log them, chart them or ignore them. The pipeline itself never writes to a terminal.
 */

import type { EngineStatus, PhaseOutcome } from '../load/engine.js';
import type { TimelinePoint } from '../record/timeline.js';
import type { PhaseDecl } from '../scenario/types.js';

/** Once a second during a phase. */
export interface IntervalProgress {
  type: 'interval';
  phase: string;
  /** The phase's planned length. */
  durationMs: number;
  /** The last closed interval of the run's timeline (undefined before the first one closed). */
  last: TimelinePoint | undefined;
  /** The engine's live figures (undefined for engines that have none, e.g. autocannon). */
  status: EngineStatus | undefined;
}

/** When a phase ended: what it sent, and (open loop) what it could not. */
export interface PhaseProgress {
  type: 'phase-done';
  phase: string;
  model: 'open' | 'closed';
  outcome: PhaseOutcome;
}

export type ProgressEvent = IntervalProgress | PhaseProgress;

export function intervalProgress(phase: PhaseDecl, status: EngineStatus | undefined, last: TimelinePoint | undefined): IntervalProgress {
  return { type: 'interval', phase: phase.name, durationMs: phase.durationMs, last, status };
}

export function phaseProgress(phase: PhaseDecl, outcome: PhaseOutcome): PhaseProgress {
  return { type: 'phase-done', phase: phase.name, model: phase.load.model, outcome };
}
