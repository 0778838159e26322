/**
 * summary.json: the run's machine-readable result, and the contract that `report`, `compare` and the gates
 * read back. The schema is documented in docs/summary-json.md; bump SUMMARY_SCHEMA on any breaking change.
 */

import { cpus, totalmem } from 'node:os';
import type { EngineKind } from '../load/engines.js';
import type { LoadThreads, PhaseOutcome } from '../load/engine.js';
import type { PhaseDecl, Scenario } from '../scenario/types.js';
import { newHistogram, percentiles, type Percentiles } from '../record/histogram.js';
import type { PhaseTotals, RequestSeries } from '../record/recorder.js';
import { combine, statsOf, type RequestStats } from '../record/stats.js';
import type { TimelinePoint } from '../record/timeline.js';
import { HOPSCOPE_VERSION } from '../version.js';
import { spectrumOf } from '../analyze/spectrum.js';
import type { KneeResult } from '../analyze/knee.js';
import type { Amplification, GcAnalysis, GeneratorHealth, HopAnalysis, SpectrumPoint } from '../analyze/types.js';
import type { FaultEvent } from '../load/faults.js';
import type { ServiceResources } from '../record/observers/types.js';

export const SUMMARY_SCHEMA = 'hopscope.summary/v2';

export interface PhaseSummary {
  name: string;
  recorded: boolean;
  model: 'closed' | 'open';
  target: string;
  /** HTTP/1.1 or HTTP/2, the phase's own (absent in older run folders). */
  protocol?: 'h1' | 'h2';
  durationMs: number;
  connections: number;
  /** Open loop: the rate asked for (start and end of the phase). */
  targetRps: { from: number; to: number } | undefined;
  /** Responses (of any status) per second over the phase. */
  achievedRps: number;
  sent: number;
  intended: number;
  unsent: number;
  maxBacklog: number;
  /** Failed connection attempts: connection errors, not requests (nothing was sent on them). */
  connectFailures: number;
  /** TCP connect time of each connection made, and its TLS handshake after it (https; count 0 otherwise). */
  connectTime?: Percentiles;
  tlsHandshake?: Percentiles;
  /** Open loop: how late requests left compared with their intended send time. */
  sendLag: Percentiles;
  overall: RequestStats;
  requests: RequestStats[];
  /** The generator's own CPU over the phase: it shares the machine with the services it measures (absent in older run folders). */
  generator?: GeneratorCpu;
  /** Per-hop request counts from the services' /metrics over this phase (recorded phases with services). */
  amplification?: Amplification;
}

export interface GeneratorCpu {
  /** User + system CPU time of the hopscope process (all its threads) over the phase. */
  cpuMs: number;
  /** Per 1,000 requests sent. */
  cpuMsPer1kRequests: number;
  /** Of one core over the phase's duration (1 = one core busy all the time). */
  cpuShare: number;
  /** `--workers`: the engine threads of the phase, and how many carried its open-loop schedule. */
  threads?: LoadThreads;
}

export interface PhaseResult {
  phase: PhaseDecl;
  outcome: PhaseOutcome;
  /** CPU time of the generator process over the phase (process.cpuUsage, user + system). */
  generatorCpuMs: number;
  amplification: Amplification | undefined;
}

export interface ServiceInfo {
  name: string;
  /** The reference kind, or "own". */
  kind: string;
  language?: string;
  /** The Server-Timing entry name expected from it. */
  hop?: string;
  url: string;
  args: string[];
  describe: string;
  /** What hopscope could not see of this service (no Server-Timing entry, no GC source, no counters). */
  unseen?: string[];
}

export interface RunSummary {
  schema: typeof SUMMARY_SCHEMA;
  units: { latency: string; rate: string; duration: string };
  hopscope: { version: string; engine: EngineKind };
  scenario: { name: string; source: string; description: string; thresholds: { expression: string; scope?: string }[] };
  run: {
    startedAt: string;
    durationMs: number;
    interrupted: boolean;
    runtime: string;
    machine: { cpus: number; cpuModel: string; memoryBytes: number; node: string; platform: string };
  };
  services: ServiceInfo[];
  phases: PhaseSummary[];
  /** Totals over the recorded phases (warm-ups excluded): one entry per request, then `overall`. */
  requests: RequestStats[];
  overall: RequestStats;
  /** Connections over the recorded phases: made (with set-up times) and failed attempts, which are not requests. */
  connections?: ConnectionStats;
  timeline: TimelinePoint[];
  /** Percentile spectra over the recorded phases, for the nines plot. */
  spectrum: { overall: SpectrumPoint[]; requests: Record<string, SpectrumPoint[]> };
  /** From Server-Timing: per-hop self time and which hop the tail spent its time in (absent when no response had it). */
  hops?: HopAnalysis;
  /** Per service: the Go service's GC pauses, or a note that the service has no collector. */
  gc?: GcAnalysis[];
  resources?: ServiceResources[];
  faults?: FaultEvent[];
  amplification?: Amplification;
  generator?: GeneratorHealth;
  /** find-knee: each step's latency at the SLO's percentile and the highest rate that met it. */
  knee?: KneeResult;
  /** A merged run (fleet or `hopscope merge`): where its parts came from and how each generator did. */
  fleet?: FleetSummary;
  warnings: string[];
}

export interface FleetSummary {
  /** docker, swarm, kubernetes, or "folders" for `hopscope merge`. */
  kind: string;
  generators: FleetGeneratorRow[];
}

/** One generator's own figures over its recorded phases, beside the merged result. */
export interface FleetGeneratorRow {
  name: string;
  /** Where it ran: an engine, a node, or the folder merged. */
  where: string;
  achievedRps: number;
  sent: number;
  unsent: number;
  sendLagP99Us: number;
  cpuMs: number;
  /** What was added to its clock to read the coordinator's; 0 for folders merged by hand. */
  clockOffsetMs: number;
}

export interface ConnectionStats {
  opened: number;
  errors: number;
  connectTime: Percentiles;
  tlsHandshake: Percentiles;
}

export interface SummaryInput {
  /** Only what the summary shows of it: a merge has the summaries' copy, not the scenario itself. */
  scenario: Pick<Scenario, 'name' | 'source' | 'description'> & { thresholds: readonly { expression: string; scope?: string | undefined }[]; requests: readonly { name: string }[] };
  startedAt: Date;
  runtime: string;
  services: ServiceInfo[];
  phases: readonly PhaseTotals[];
  outcomes: PhaseResult[];
  timeline: TimelinePoint[];
  engine: EngineKind;
  interrupted: boolean;
  /** What the analysis stage and the run's observers add. */
  analysis: Pick<RunSummary, 'hops' | 'gc' | 'resources' | 'faults' | 'amplification' | 'generator' | 'knee'>;
}

/** Open loop: below this share of the intended rate, the generator (not the target) set the pace. */
const RATE_SHORTFALL = 0.99;

export function buildSummary(input: SummaryInput): RunSummary {
  const names = input.scenario.requests.map((r) => r.name);
  const warnings: string[] = [];
  const phases = input.outcomes.map(({ phase, outcome, generatorCpuMs, amplification }, i): PhaseSummary => {
    const totals = input.phases[i]!;
    const combined = combine([totals], names);
    const overall = statsOf('overall', combined.all, totals.durationMs);
    const responses = combined.all.attempts - (combined.all.errors.unsent ?? 0);
    const load = phase.load;
    const summary: PhaseSummary = {
      name: phase.name,
      recorded: phase.record,
      model: load.model,
      target: phase.target,
      protocol: phase.protocol,
      durationMs: Math.round(totals.durationMs),
      connections: load.connections,
      targetRps: load.model === 'open' ? { from: load.fromRps, to: load.toRps } : undefined,
      achievedRps: round1(responses / (outcome.elapsedMs / 1000 || 1)),
      sent: outcome.sent,
      intended: outcome.intended,
      unsent: outcome.unsent,
      maxBacklog: outcome.maxBacklog,
      connectFailures: outcome.connectFailures,
      connectTime: percentiles(totals.connect),
      tlsHandshake: percentiles(totals.handshake),
      sendLag: percentiles(totals.sendLag),
      overall,
      requests: combined.perRequest.map((s, j) => statsOf(names[j]!, s, totals.durationMs)).filter((s) => s.count + s.errors > 0),
      generator: { ...generatorCpu(generatorCpuMs, outcome.sent, totals.durationMs), ...(outcome.threads ? { threads: outcome.threads } : {}) },
      ...(amplification ? { amplification } : {}),
    };
    if (load.model === 'open' && outcome.sent === 0 && outcome.connectFailures > 0) {
      warnings.push(`phase ${phase.name}: none of ${outcome.intended} intended requests was sent: no connection to the target could be made`);
    } else if (load.model === 'open' && outcome.intended > 0 && outcome.sent < outcome.intended * RATE_SHORTFALL) {
      warnings.push(
        `phase ${phase.name}: sent ${outcome.sent} of ${outcome.intended} intended requests (${((outcome.sent / outcome.intended) * 100).toFixed(1)}%): ` +
          `the connections (${load.connections}) or the generator could not keep up; latencies include the wait`,
      );
    }
    if (outcome.connectFailures > 0) warnings.push(`phase ${phase.name}: ${outcome.connectFailures} connection attempts failed (connection errors, not counted as requests)`);
    return summary;
  });
  const recorded = input.phases.filter((p) => p.recorded);
  const totals = combine(recorded, names);
  const connectTime = newHistogram();
  const handshake = newHistogram();
  for (const p of recorded) {
    connectTime.add(p.connect);
    handshake.add(p.handshake);
  }
  const connectErrors = input.outcomes.filter((o) => o.phase.record).reduce((sum, o) => sum + o.outcome.connectFailures, 0);
  return {
    schema: SUMMARY_SCHEMA,
    units: { latency: 'microseconds (fields ending in Us)', rate: 'requests per second (fields ending in Rps)', duration: 'milliseconds (fields ending in Ms)' },
    hopscope: { version: HOPSCOPE_VERSION, engine: input.engine },
    scenario: {
      name: input.scenario.name,
      source: input.scenario.source,
      description: input.scenario.description,
      thresholds: input.scenario.thresholds.map((t) => ({ expression: t.expression, ...(t.scope ? { scope: t.scope } : {}) })),
    },
    run: {
      startedAt: input.startedAt.toISOString(),
      durationMs: Math.round(input.phases.reduce((sum, p) => sum + p.durationMs, 0)),
      interrupted: input.interrupted,
      runtime: input.runtime,
      machine: machine(),
    },
    services: input.services,
    phases,
    requests: totals.perRequest.map((s, j) => statsOf(names[j]!, s, totals.durationMs)).filter((s) => s.count + s.errors > 0),
    overall: statsOf('overall', totals.all, totals.durationMs),
    connections: { opened: connectTime.totalCount, errors: connectErrors, connectTime: percentiles(connectTime), tlsHandshake: percentiles(handshake) },
    timeline: input.timeline,
    spectrum: spectra(totals.all, totals.perRequest, names),
    ...input.analysis,
    warnings: [...warnings, ...(input.analysis.generator?.warnings ?? [])],
  };
}

/** os.cpus() reads every core's times and model from the kernel: asked once. */
function machine(): RunSummary['run']['machine'] {
  const cores = cpus();
  return { cpus: cores.length, cpuModel: cores[0]?.model ?? 'unknown', memoryBytes: totalmem(), node: process.version, platform: `${process.platform}-${process.arch}` };
}

/**
 * The whole run's spectrum and each answered request's. Where one request was answered, the run's answers
 * are its answers, the same counts: its spectrum is the run's, not taken again (a percentile walk of the
 * histogram, ~2 ms of each run's end, run unoptimized there: pipeline/analysis-tier.ts).
 */
function spectra(all: RequestSeries, perRequest: readonly RequestSeries[], names: readonly string[]): RunSummary['spectrum'] {
  const overall = spectrumOf(all.ok);
  const answered = perRequest.flatMap((series, i) => (series.ok.totalCount > 0 ? [{ name: names[i]!, series }] : []));
  return { overall, requests: Object.fromEntries(answered.map(({ name, series }) => [name, answered.length === 1 ? overall : spectrumOf(series.ok)])) };
}

/** The generator's CPU over all phases of a run (undefined for a summary written before it was recorded). */
export function generatorLoadCpu(summary: Pick<RunSummary, 'phases'>): GeneratorCpu | undefined {
  const phases = summary.phases.filter((p) => p.generator);
  if (!phases.length) return undefined;
  const sum = (pick: (p: PhaseSummary) => number) => phases.reduce((total, p) => total + pick(p), 0);
  return generatorCpu(sum((p) => p.generator!.cpuMs), sum((p) => p.sent), sum((p) => p.durationMs));
}

function generatorCpu(cpuMs: number, sent: number, durationMs: number): GeneratorCpu {
  return {
    cpuMs: Math.round(cpuMs),
    cpuMsPer1kRequests: sent ? round1((cpuMs / sent) * 1000) : 0,
    cpuShare: durationMs ? Math.round((cpuMs / durationMs) * 1000) / 1000 : 0,
  };
}

function round1(n: number): number {
  return Math.round(n * 10) / 10;
}
