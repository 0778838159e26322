/**
 * What the main thread and a load worker say to each other. The main thread drives the intervals: it asks
 * every worker for its figures at the moment it closes an interval, so all workers cut at (nearly) the same
 * instant and the merged interval is one interval, not N intervals at N phases of the second.
 */

import type { RecorderPart } from '../../record/recorder.js';
import type { LoadModel, RequestDecl } from '../../scenario/types.js';
import type { EnginePressure, EngineStatus, PhaseOutcome } from '../../load/engine.js';
import type { TlsClientOptions } from '../../load/dialer.js';
import type { MixEntry } from '../../load/request-mix.js';

/** Everything a worker needs to run its share of a phase: passed as workerData (structured clone). */
export interface WorkerSetup {
  /** 0-based; the worker's seeds are the scenario's seed plus this. */
  index: number;
  host: string;
  port: number;
  addresses: readonly string[];
  tls?: TlsClientOptions;
  protocol: 'h1' | 'h2';
  authority: string;
  /** Bodies arrive as Uint8Array (a Buffer does not survive structured cloning as a Buffer). */
  requests: RequestDecl[];
  mix: MixEntry[];
  seed: number;
  /** This thread's share of the phase's load (share.ts): its connections; an open loop's whole rate. */
  load: LoadModel;
  /** Open loop: the schedule's slices, shared by every thread (load/shared-schedule.ts). */
  slices?: Int32Array;
  /** Open loop: the schedule's seed, the same in every thread. */
  scheduleSeed: number;
  durationMs: number;
  timeoutMs: number;
  phase: string;
  recorded: boolean;
  /** The run's zero as an epoch time (performance.timeOrigin + originMs): threads have different performance clocks. */
  originEpochMs: number;
}

export type ToWorker =
  /** Start the load (sent once every worker is ready, so that all start together). */
  | { type: 'start' }
  /** Hand over the figures since the last flush; keep tail breakdowns from tailBarUs on. */
  | { type: 'flush'; tailBarUs: number }
  /** End the phase now (Ctrl-C): stop sending, drain in-flight requests, then report 'done'. */
  | { type: 'stop' };

export type FromWorker =
  | { type: 'ready' }
  /** pressure: how hard the thread's engine worked over the interval. */
  | { type: 'interval'; part: RecorderPart; status: EngineStatus; pressure: EnginePressure }
  /** The phase ended: the last figures and the worker's outcome. Nothing follows. */
  | { type: 'done'; part: RecorderPart; outcome: PhaseOutcome }
  | { type: 'failed'; message: string };
