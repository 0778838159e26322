/**
 * The whole pipeline for one run: scenario -> runtime (services up) -> load, phase by phase, with faults
 * and observers -> record -> analyze -> run folder -> services down. Each stage lives in its own folder;
 * this file only sequences them and guarantees teardown.
 */

import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { amplification } from '../analyze/amplification.js';
import { generatorHealth } from '../analyze/generator-health.js';
import { hopAnalysis } from '../analyze/hops.js';
import { kneeResult, searchEnded, stepPasses, type KneeStep } from '../analyze/knee.js';
import { combine } from '../record/stats.js';
import { LoadEngine, type EngineStatus, type PhaseOutcome } from '../load/engine.js';
import { authorityOf, resolveAddresses } from '../load/addresses.js';
import { FaultInjector } from '../load/faults.js';
import { compileMix } from '../load/request-mix.js';
import { runInWorkers } from './workers/pool.js';
import { HlogWriter } from '../record/hlog-writer.js';
import { GeneratorMonitor } from '../record/observers/generator-health.js';
import { MetricsScraper } from '../record/observers/metrics-scraper.js';
import { ResourceSampler } from '../record/observers/resource-sampler.js';
import { Recorder } from '../record/recorder.js';
import { writeRunFolder } from '../run-folder/write.js';
import { runFile } from '../run-folder/layout.js';
import { writeHtmlReport } from '../report/html/write-report.js';
import { buildSummary, type PhaseResult, type RunSummary } from '../run-folder/summary.js';
import { Timeline } from '../record/timeline.js';
import type { EngineKind } from '../load/engines.js';
import type { RuntimeChoice } from '../runtime/index.js';
import type { StartedService } from '../runtime/types.js';
import { deepestService, resolveTarget, resolveTopology } from '../scenario/topology.js';
import type { KneeDecl, PhaseDecl, Scenario } from '../scenario/types.js';
import { ExactCollector, writeExactRecord } from '../run-folder/histograms.js';
import { segmentLoad, segmentSeed, waitForStart, type GeneratorSegment } from './segment.js';
import { gcAnalyses, gcPollersFor, serviceInfo } from './observations.js';
import { intervalProgress, phaseProgress, type ProgressEvent } from './progress.js';
import { startServices, targetTls } from './services.js';
import { withoutOptimizer } from './analysis-tier.js';

export interface RunOptions {
  scenario: Scenario;
  outDir: string;
  runtime: RuntimeChoice;
  engine: EngineKind;
  /** Load worker threads (hopscope engine): 1 (the default) runs the engine on the main thread. */
  workers?: number;
  /** Notices for the user (runtime chosen, warnings), one line each. */
  log: (line: string) => void;
  /** Live figures each second and at the end of each phase. */
  onProgress?: (event: ProgressEvent) => void;
  /** When aborted, the current phase ends at once and the run writes what it has. */
  signal: AbortSignal;
  /** A fleet generator: runs only its segment of each phase, from the coordinator's start time. */
  segment?: GeneratorSegment;
}

export interface RunResult {
  summary: RunSummary;
  outDir: string;
  interrupted: boolean;
}

const INTERVAL_MS = 1000;

export async function runScenario(options: RunOptions): Promise<RunResult> {
  const { scenario, outDir } = options;
  mkdirSync(outDir, { recursive: true });
  const names = scenario.requests.map((r) => r.name);
  const services = await startServices(resolveTopology(scenario), options.runtime, { outDir, log: options.log });
  let hlog: HlogWriter | undefined;
  try {
    const started = services.started;
    if (options.segment) await waitForStart(options.segment, options.signal);
    const startedAt = new Date();
    const originMs = performance.now();
    const originEpochMs = startedAt.getTime();
    const sinceStart = () => performance.now() - originMs;
    const deepest = deepestService(scenario);

    const recorder = new Recorder(names, originMs);
    const exact = new ExactCollector(recorder);
    const timeline = new Timeline();
    hlog = new HlogWriter(runFile(outDir, 'intervalLog'), originEpochMs, names);
    recorder.onInterval(hlog.interval);
    recorder.onInterval(timeline.interval);
    const gcPollers = gcPollersFor(started, originEpochMs);
    const resources = new ResourceSampler(started, originEpochMs);
    const metrics = new MetricsScraper(started);
    const faults = new FaultInjector(started, originMs);
    const generator = new GeneratorMonitor(originMs);
    await Promise.all(gcPollers.map((p) => p.start()));
    resources.start();
    generator.start();

    const outcomes: PhaseResult[] = [];
    const kneeSteps: KneeStep[] = [];
    for (const phase of scenario.phases) {
      if (options.signal.aborted) break;
      if (phase.kneeStepRps !== undefined && searchEnded(kneeSteps)) break;
      if (phase.record) await metrics.phaseStart();
      recorder.beginPhase(phase.name, phase.record, sinceStart());
      faults.schedule(phase.faults, phase.durationMs);
      const cpuAtStart = process.cpuUsage();
      let outcome: PhaseOutcome;
      let loadStartMs: number | undefined;
      const loadStarted = (atMs: number) => {
        loadStartMs = atMs - originMs;
        recorder.loadStarted(loadStartMs);
      };
      try {
        outcome = await runPhase(phase, options, started, recorder, loadStarted, (status, cutAtMs = performance.now()) => {
          // A cut this close to the phase's end would leave a sliver of an interval after it (the last
          // requests and the drain in a few milliseconds), drawn as a spike of req/s: the phase's last
          // interval runs to its end instead. The cuts start with the load (runPhase), so its start is known.
          const phaseEndMs = loadStartMs! + phase.durationMs;
          const progress = () => options.onProgress?.(intervalProgress(phase, status, timeline.points[timeline.points.length - 1]));
          if (phaseEndMs - (cutAtMs - originMs) > INTERVAL_MS / 2) {
            recorder.cutLater(cutAtMs - originMs, (longestStepMs) => {
              generator.intervalEnd(longestStepMs);
              progress();
            });
          } else progress();
        });
      } finally {
        await faults.stop();
      }
      const cpu = process.cpuUsage(cpuAtStart);
      const loadEndMs = loadStartMs === undefined ? sinceStart() : loadStartMs + outcome.elapsedMs + (outcome.drainMs ?? 0);
      recorder.endPhase(loadEndMs, sinceStart());
      const deltas = phase.record && started.length ? await metrics.phaseEnd() : undefined;
      // A generator's folder states the load it ran, its segment: merging the folders adds them up to the whole.
      const ran = options.segment ? { ...phase, load: segmentLoad(phase.load, options.segment).load } : phase;
      outcomes.push({ phase: ran, outcome, generatorCpuMs: (cpu.user + cpu.system) / 1000, amplification: deltas && amplification(deltas, outcome.sent, deepest) });
      if (phase.kneeStepRps !== undefined && scenario.knee) kneeSteps.push(kneeStep(scenario.knee, phase, outcome, recorder));
      options.onProgress?.(phaseProgress(phase, outcome));
    }
    // Whatever was recorded after the last phase's own flush; an empty remainder is the idle end of the run,
    // which would be drawn as a point of zero rate and zero latency.
    recorder.flushPending(sinceStart());
    hlog.close();
    // The analysis and the files, after the load: see analysis-tier.ts.
    return await withoutOptimizer(async () => {
      await Promise.all(gcPollers.map((p) => p.stop()));
      const worstSendLagUs = Math.max(0, ...recorder.phaseTotals.map((p) => p.sendLag.getValueAtPercentile(99)));
      // Stopped before the analysis below, whose CPU work would otherwise read as the generator's delay.
      const generatorSeen = generator.stop();
      // Stopped whether or not there are services to sample: its timer would otherwise hold a library caller's process open.
      const serviceResources = await resources.stop();

      const gc = gcAnalyses(started, gcPollers, recorder.requests);
      const hops = hopAnalysis(recorder.hops.recording);
      const clientRequests = outcomes.filter((o) => o.phase.record).reduce((sum, o) => sum + o.outcome.sent, 0);
      const knee = scenario.knee && kneeResult(scenario.knee, kneeSteps);
      const summary = buildSummary({
        scenario,
        startedAt,
        runtime: services.description,
        services: started.map((s) => serviceInfo(s, hops, gc)),
        phases: recorder.phaseTotals,
        outcomes,
        timeline: timeline.points,
        engine: options.engine,
        interrupted: options.signal.aborted,
        analysis: {
          hops,
          ...(started.length ? { gc, resources: serviceResources, amplification: amplification(metrics.deltas(), clientRequests, deepest) } : {}),
          ...(knee ? { knee } : {}),
          faults: faults.events,
          generator: generatorHealth(generatorSeen, worstSendLagUs),
        },
      });
      writeRunFolder(outDir, summary, recorder.phaseTotals, names);
      writeExactRecord(outDir, exact.finish(originEpochMs, options.segment?.clockOffsetMs ?? 0));
      writeHtmlReport(outDir, summary);
      return { summary, outDir, interrupted: options.signal.aborted };
    });
  } finally {
    hlog?.close();
    await services.down();
  }
}

function kneeStep(knee: KneeDecl, phase: PhaseDecl, outcome: PhaseOutcome, recorder: Recorder): KneeStep {
  const totals = recorder.phaseTotals[recorder.phaseTotals.length - 1]!;
  const all = combine([totals], recorder.requestNames).all;
  const latencyUs = all.ok.getValueAtPercentile(knee.percentile);
  const errorRate = all.attempts ? all.failed.totalCount / all.attempts : 0;
  return {
    rateRps: phase.kneeStepRps!,
    achievedRps: Math.round(all.attempts / (outcome.elapsedMs / 1000 || 1)),
    latencyUs,
    errorRate,
    pass: stepPasses(knee, latencyUs, errorRate),
  };
}

/**
 * Runs one phase's load; `loadStarted` is called when its clock starts (performance.now()), and
 * `everyInterval` each second from then with the engine's live status (and, with worker threads, the
 * performance.now() at which the workers' interval was cut).
 */
async function runPhase(
  phase: PhaseDecl,
  options: RunOptions,
  started: StartedService[],
  sink: Recorder,
  loadStarted: (atMs: number) => void,
  everyInterval: (status: EngineStatus | undefined, cutAtMs?: number) => void,
): Promise<PhaseOutcome> {
  const { scenario } = options;
  const target = resolveTarget(phase.target, started.map((s) => s.spec));
  const authority = authorityOf(target.host, target.port);
  const addresses = await resolveAddresses(target.host, scenario.allowRemote);
  const tls = target.tls ? targetTls(scenario.tls, phase.target, started) : undefined;
  const mix = phase.mix.map((m) => ({ requestIndex: scenario.requests.findIndex((r) => r.name === m.request), weight: m.weight }));
  const segment = options.segment && segmentLoad(phase.load, options.segment);
  const seed = options.segment ? segmentSeed(scenario.seed, options.segment) : scenario.seed;
  if (options.engine === 'hopscope' && (options.workers ?? 1) > 1) {
    return runInWorkers(
      {
        workers: options.workers!,
        setup: {
          host: target.host,
          port: target.port,
          addresses,
          ...(tls ? { tls } : {}),
          protocol: phase.protocol,
          authority,
          requests: scenario.requests,
          mix,
          seed: scenario.seed,
          durationMs: phase.durationMs,
          timeoutMs: scenario.requestTimeoutMs,
          phase: phase.name,
          recorded: phase.record,
          originEpochMs: performance.timeOrigin + sink.originMs,
        },
        load: phase.load,
        intervalMs: INTERVAL_MS,
        signal: options.signal,
        loadStarted,
        everyInterval,
      },
      sink,
    );
  }
  let engine: LoadEngine | undefined;
  let ticker: NodeJS.Timeout | undefined;
  // The seconds count from the load's start, so that the phase's last second ends with it.
  const startTicker = (atMs: number) => {
    loadStarted(atMs);
    ticker = setInterval(() => everyInterval(engine?.status), INTERVAL_MS);
  };
  const abort = () => engine?.stop();
  options.signal.addEventListener('abort', abort, { once: true });
  try {
    if (options.engine === 'autocannon') {
      // Loaded only when asked for: importing autocannon costs every other run about 80 ms of CPU.
      const { runAutocannonPhase } = await import('../load/autocannon-engine.js');
      startTicker(performance.now());
      return await runAutocannonPhase({ phase, target, scenario, sink, signal: options.signal });
    }
    engine = new LoadEngine(
      {
        host: target.host,
        port: target.port,
        addresses,
        ...(tls ? { tls } : {}),
        protocol: phase.protocol,
        mix: compileMix(scenario.requests, mix, authority, seed),
        load: segment?.load ?? phase.load,
        durationMs: phase.durationMs,
        timeoutMs: scenario.requestTimeoutMs,
        seed,
        ...(segment ? { firstGapShare: segment.firstGapShare } : {}),
      },
      sink,
    );
    return await engine.execute(startTicker);
  } finally {
    clearInterval(ticker);
    options.signal.removeEventListener('abort', abort);
  }
}

export function defaultOutDir(scenarioName: string, now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\..*$/, '').replace('T', '-');
  return join('reports', `${scenarioName}-${stamp}`);
}
