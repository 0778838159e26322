/**
 * The exact merge of runs recorded apart (fleet generators, or run folders made anywhere): intervals are
 * placed on one grid by one clock, then replayed into an ordinary Recorder with the same HDR additions that
 * `--workers` uses (Recorder.absorb), so everything downstream (hlog, timeline, summary, gates) is the code
 * path of a single run. Nothing is averaged: counts and maxima add up, percentiles are those of the union.
 */

import { UsageError } from '../errors.js';
import type { PhaseOutcome } from '../load/engine.js';
import { newHistogram, packHistogram, type PackedHistogram } from '../record/histogram.js';
import type { HopPart } from '../record/hop-recorder.js';
import type { Recorder, RecorderPart } from '../record/recorder.js';
import type { FleetGeneratorRow, PhaseResult, PhaseSummary, RunSummary } from '../run-folder/summary.js';
import type { LoadModel, PhaseDecl } from '../scenario/types.js';
import { loadHops, type ExactInterval, type ExactRecord } from '../run-folder/histograms.js';

/** The grid's step: a run's own interval length (run-scenario's INTERVAL_MS). */
export const MERGE_INTERVAL_MS = 1000;

/** One merged interval: everything whose midpoint falls in [startMs, endMs) on the common clock. */
export interface MergedSlot {
  startMs: number;
  endMs: number;
  parts: RecorderPart[];
}

export interface MergedPhase {
  name: string;
  recorded: boolean;
  /** The union of the parts' active spans: from the earliest start to the latest end (ms from the merged origin). */
  startMs: number;
  endMs: number;
  slots: MergedSlot[];
  /** Connection set-up of every part's phase, added into the phase's first interval. */
  setup: RecorderPart[];
}

export interface AlignedRun {
  /** The earliest interval start of all parts, epoch ms on the coordinator's clock: the merged run's zero. */
  originEpochMs: number;
  phases: MergedPhase[];
}

const EMPTY = packHistogram(newHistogram());
const NO_HOPS: HopPart = { hops: [], outside: EMPTY, latency: EMPTY, tail: [], responses: 0, parsed: 0 };

function emptyLog(): RecorderPart['log'] {
  return { starts: new Float32Array(0), latencies: new Float32Array(0), seen: 0 };
}

function partOf(interval: ExactInterval): RecorderPart {
  return { requests: interval.requests, sendLag: interval.sendLag, connect: EMPTY, handshake: EMPTY, hops: NO_HOPS, log: emptyLog() };
}

function setupPart(connect: PackedHistogram, handshake: PackedHistogram): RecorderPart {
  return { requests: [], sendLag: EMPTY, connect, handshake, hops: NO_HOPS, log: emptyLog() };
}

/** Every record must describe the same requests and phases, or adding them would add unlike things. */
export function checkCompatible(records: readonly { record: ExactRecord; label: string }[]): void {
  const [first, ...rest] = records;
  if (!first) throw new UsageError('merge: nothing to merge', 'give two or more run folders');
  for (const { record, label } of rest) {
    if (record.requestNames.join('\0') !== first.record.requestNames.join('\0')) {
      throw new UsageError(
        `merge: ${label} has the requests [${record.requestNames.join(', ')}], ${first.label} has [${first.record.requestNames.join(', ')}]`,
        'only runs of the same scenario (same requests, same phases) can be merged',
      );
    }
    const phases = (r: ExactRecord) => r.phases.map((p) => p.name).join(', ');
    if (phases(record) !== phases(first.record)) {
      throw new UsageError(`merge: ${label} has the phases [${phases(record)}], ${first.label} has [${phases(first.record)}]`, 'only runs of the same scenario (same requests, same phases) can be merged');
    }
  }
}

/**
 * Places every interval of every record on one grid per phase, by the coordinator's clock (each record's own
 * epoch plus its clock offset): an interval goes to the grid step holding its midpoint, so intervals cut at
 * different phases of the second are aligned, never dropped or split.
 */
export function alignIntervals(records: readonly ExactRecord[], intervalMs = MERGE_INTERVAL_MS): AlignedRun {
  const absolute = (r: ExactRecord, startMs: number) => r.startEpochMs + r.clockOffsetMs + startMs;
  const all = records.flatMap((r) => r.intervals.map((i) => absolute(r, i.startMs)));
  const originEpochMs = all.length ? Math.min(...all) : Math.min(...records.map((r) => r.startEpochMs + r.clockOffsetMs));
  const phases: MergedPhase[] = [];
  let previousEndMs = 0;
  records[0]?.phases.forEach((decl, phaseIndex) => {
    const placed = records.flatMap((r) =>
      r.intervals.filter((i) => i.phase === decl.name).map((i) => ({ interval: i, startMs: absolute(r, i.startMs) - originEpochMs })),
    );
    // Phases follow one another: a part whose clock ran ahead cannot start this phase inside the last one.
    const startMs = Math.max(previousEndMs, Math.min(...placed.map((p) => p.startMs), Infinity));
    const endMs = Math.max(startMs, ...placed.map((p) => p.startMs + p.interval.lengthMs));
    const count = Math.max(1, Math.ceil((endMs - startMs) / intervalMs));
    const slots: MergedSlot[] = Array.from({ length: placed.length ? count : 0 }, (_, k) => ({
      startMs: startMs + k * intervalMs,
      endMs: Math.min(startMs + (k + 1) * intervalMs, endMs),
      parts: [],
    }));
    for (const { interval, startMs: at } of placed) {
      const k = Math.min(count - 1, Math.max(0, Math.floor((at + interval.lengthMs / 2 - startMs) / intervalMs)));
      slots[k]!.parts.push(partOf(interval));
    }
    const setup = records.map((r) => r.phases[phaseIndex]!).map((p) => setupPart(p.connect, p.handshake));
    phases.push({ name: decl.name, recorded: decl.recorded, startMs: placed.length ? startMs : previousEndMs, endMs, slots, setup });
    previousEndMs = endMs;
  });
  return { originEpochMs, phases };
}

/**
 * Replays the aligned run into `recorder` (whose interval listeners write the merged hlog and timeline) and
 * adds the hop histograms; afterwards recorder.phaseTotals and recorder.hops hold the merged run.
 */
export function replay(aligned: AlignedRun, records: readonly ExactRecord[], recorder: Recorder): void {
  for (const phase of aligned.phases) {
    recorder.beginPhase(phase.name, phase.recorded, phase.startMs);
    phase.setup.forEach((part) => recorder.absorb(part));
    // A phase with no interval anywhere still closes, so that its connection figures are counted.
    if (phase.slots.length === 0) recorder.flush(phase.startMs);
    for (const slot of phase.slots) {
      slot.parts.forEach((part) => recorder.absorb(part));
      recorder.flush(slot.endMs);
    }
  }
  for (const record of records) if (record.hops) recorder.hops.absorb(loadHops(record.hops));
}

/**
 * Each merged phase's declaration and outcome from the parts' summaries: connections and rates add up
 * (the parts ran segments of one load), and the elapsed time is the union of the active spans, not a sum
 * or one part's (vegeta#210), so achieved rates are the whole's.
 */
export function mergedOutcomes(aligned: AlignedRun, summaries: readonly RunSummary[]): PhaseResult[] {
  return aligned.phases.map((merged, i): PhaseResult => {
    const parts = summaries.map((s) => s.phases[i]).filter((p): p is PhaseSummary => p !== undefined);
    const sum = (pick: (p: PhaseSummary) => number) => parts.reduce((total, p) => total + pick(p), 0);
    const first = parts[0]!;
    const load: LoadModel =
      first.model === 'open'
        ? { model: 'open', fromRps: sum((p) => p.targetRps?.from ?? 0), toRps: sum((p) => p.targetRps?.to ?? 0), arrival: 'constant', connections: sum((p) => p.connections), pipelining: 1 }
        : { model: 'closed', connections: sum((p) => p.connections), pipelining: 1 };
    const phase: PhaseDecl = { name: merged.name, durationMs: merged.endMs - merged.startMs, protocol: first.protocol ?? 'h1', load, target: first.target, mix: [], record: merged.recorded, faults: [] };
    const outcome: PhaseOutcome = {
      elapsedMs: merged.endMs - merged.startMs,
      sent: sum((p) => p.sent),
      intended: sum((p) => p.intended),
      unsent: sum((p) => p.unsent),
      // As mergeOutcomes does for threads: an upper bound, the peaks need not coincide.
      maxBacklog: sum((p) => p.maxBacklog),
      connectFailures: sum((p) => p.connectFailures),
    };
    return { phase, outcome, generatorCpuMs: sum((p) => p.generator?.cpuMs ?? 0), amplification: undefined };
  });
}

/** One part's own figures over its recorded phases, for the per-generator table. */
export function generatorRow(name: string, where: string, summary: RunSummary, record: ExactRecord): FleetGeneratorRow {
  const recorded = summary.phases.filter((p) => p.recorded);
  const sum = (pick: (p: PhaseSummary) => number) => recorded.reduce((total, p) => total + pick(p), 0);
  const durationMs = sum((p) => p.durationMs);
  return {
    name,
    where,
    achievedRps: durationMs ? Math.round((sum((p) => p.achievedRps * p.durationMs) / durationMs) * 10) / 10 : 0,
    sent: sum((p) => p.sent),
    unsent: sum((p) => p.unsent),
    sendLagP99Us: Math.max(0, ...recorded.map((p) => p.sendLag.p99Us)),
    cpuMs: sum((p) => p.generator?.cpuMs ?? 0),
    clockOffsetMs: record.clockOffsetMs,
  };
}
