/**
 * histograms.json: the part of a run folder that makes runs mergeable exactly. summary.json keeps
 * percentiles, which cannot be added (k6#647, locust#1563); latency.hlog keeps only the successes. This file
 * keeps every interval's full RecorderPart content (successes and failures per request, error kinds,
 * statuses, send lag) plus each phase's connection set-up and the run's hop histograms, all as compressed
 * HDR counts with their true extremes, so that adding them equals having recorded the union of the values.
 */

import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { RUN_FILES, runFile } from './layout.js';
import { UsageError } from '../errors.js';
import { packHistogram, type PackedHistogram } from '../record/histogram.js';
import type { HopPart } from '../record/hop-recorder.js';
import type { IntervalSnapshot, Recorder, SeriesPart } from '../record/recorder.js';

export const EXACT_SCHEMA = 'hopscope.histograms/v1';

export interface ExactInterval {
  phase: string;
  /** From the run's start (startEpochMs), on the clock of the machine that recorded it. */
  startMs: number;
  lengthMs: number;
  /** Indexed like requestNames; null for a request without attempts in this interval. */
  requests: (SeriesPart | null)[];
  sendLag: PackedHistogram;
}

export interface ExactPhase {
  name: string;
  recorded: boolean;
  connect: PackedHistogram;
  handshake: PackedHistogram;
}

/** A HopPart whose tail breakdowns are plain arrays (a Map does not survive JSON). */
export type StoredHopPart = Omit<HopPart, 'tail'> & { tail: [number, [string, number][]][] };

export interface ExactRecord {
  schema: typeof EXACT_SCHEMA;
  /** The run's zero, epoch ms, on the recording machine's clock. */
  startEpochMs: number;
  /**
   * What to add to this machine's clock to read the coordinator's (fleet generators; 0 for a run on its
   * own), so that merged intervals line up by one clock.
   */
  clockOffsetMs: number;
  requestNames: string[];
  phases: ExactPhase[];
  intervals: ExactInterval[];
  hops: StoredHopPart | null;
}

/** Collects a run's intervals as they close; `finish` adds what is known only at the end. */
export class ExactCollector {
  private readonly intervals: ExactInterval[] = [];

  constructor(private readonly recorder: Recorder) {
    recorder.onInterval(this.interval);
  }

  private readonly interval = (s: IntervalSnapshot): void => {
    this.intervals.push({
      phase: s.phase,
      startMs: s.startMs,
      lengthMs: s.lengthMs,
      requests: s.requests.map((series) => (series.attempts > 0 ? series.pack(s.encode) : null)),
      sendLag: packHistogram(s.sendLag, s.encode),
    });
  };

  /** Call after the last flush and after the hop analysis: it takes the recorder's hop histograms over. */
  finish(startEpochMs: number, clockOffsetMs: number): ExactRecord {
    const hops = this.recorder.hops.handOver();
    return {
      schema: EXACT_SCHEMA,
      startEpochMs,
      clockOffsetMs,
      requestNames: [...this.recorder.requestNames],
      phases: this.recorder.phaseTotals.map((p) => ({ name: p.phase, recorded: p.recorded, connect: packHistogram(p.connect), handshake: packHistogram(p.handshake) })),
      intervals: this.intervals,
      hops: hops.responses > 0 ? storeHops(hops) : null,
    };
  }
}

export function storeHops(part: HopPart): StoredHopPart {
  return { ...part, tail: part.tail.map((s) => [s.latencyUs, [...s.hopsUs]]) };
}

export function loadHops(stored: StoredHopPart): HopPart {
  return { ...stored, tail: stored.tail.map(([latencyUs, hops]) => ({ latencyUs, hopsUs: new Map(hops) })) };
}

export function writeExactRecord(outDir: string, record: ExactRecord): void {
  writeFileSync(runFile(outDir, 'histograms'), `${JSON.stringify(record)}\n`);
}

const HINT = `merge needs run folders written by this hopscope version or later: each holds ${RUN_FILES.histograms}`;

/** Reads and checks a run folder's histograms.json; a folder without one cannot be merged exactly. */
export function readExactRecord(runDir: string): ExactRecord {
  const path = runFile(runDir, 'histograms');
  if (!existsSync(path)) throw new UsageError(`${path}: not found, so the run's histograms cannot be merged exactly (summary.json holds only percentiles)`, HINT);
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new UsageError(`${path}: not valid JSON (${(error as Error).message})`, HINT);
  }
  const record = parsed as Partial<ExactRecord> | null;
  if (record?.schema !== EXACT_SCHEMA) {
    throw new UsageError(`${path}: schema ${JSON.stringify(record?.schema ?? null)}, expected "${EXACT_SCHEMA}"`, HINT);
  }
  const problems = [
    typeof record.startEpochMs !== 'number' && 'startEpochMs is not a number',
    typeof record.clockOffsetMs !== 'number' && 'clockOffsetMs is not a number',
    !Array.isArray(record.requestNames) && 'requestNames is not a list',
    !Array.isArray(record.phases) && 'phases is not a list',
    !Array.isArray(record.intervals) && 'intervals is not a list',
  ].filter((p): p is string => typeof p === 'string');
  if (problems.length) throw new UsageError(`${path}: ${problems.join('; ')}`, HINT);
  return record as ExactRecord;
}
