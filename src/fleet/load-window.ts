/**
 * The coordinator's observers of its services while a fleet's generators load them: the same observers a
 * run on one machine runs (GC polling, resource sampling, /metrics counters, faults), timed from the
 * common start instead of from a phase the coordinator itself runs. Afterwards it says what the merged
 * summary shows of the services, on the merged run's clock, and what a fleet cannot show of them.
 */

import { performance } from 'node:perf_hooks';
import { amplification } from '../analyze/amplification.js';
import { pauseStats } from '../analyze/gc-correlation.js';
import type { HopAnalysis } from '../analyze/types.js';
import { FaultInjector } from '../load/faults.js';
import type { GcPoller } from '../record/observers/gc-poller.js';
import { MetricsScraper } from '../record/observers/metrics-scraper.js';
import { ResourceSampler } from '../record/observers/resource-sampler.js';
import type { ServiceResources } from '../record/observers/types.js';
import type { RunSummary, ServiceInfo } from '../run-folder/summary.js';
import { gcAnalyses, gcPollersFor, serviceInfo } from '../pipeline/observations.js';
import type { RunningServices } from '../pipeline/services.js';
import { deepestService } from '../scenario/topology.js';
import type { Scenario } from '../scenario/types.js';

/** A phase's faults fire at its nominal start; beyond this from the phase's measured start, the report says so. */
export const FAULT_DRIFT_WARN_MS = 100;

/** What the merge knows when it asks for the services' part of the summary. */
export interface MergedRunView {
  /** The merged run's zero, epoch ms on the coordinator's clock. */
  originEpochMs: number;
  hops: HopAnalysis | undefined;
  /** Each merged phase's measured span, ms from the merged run's zero. */
  phases: readonly { name: string; startMs: number }[];
  /** Client requests sent over every phase, warm-ups included. */
  sent: number;
}

export interface ServiceObservations {
  runtime: string;
  services: ServiceInfo[];
  analysis: Pick<RunSummary, 'gc' | 'resources' | 'faults' | 'amplification'>;
  warnings: string[];
}

/** The coordinator's side of a fleet run with services: begin before the start, end once every generator ended. */
export interface LoadWindow {
  begin(startAtEpochMs: number): Promise<void>;
  /** Idempotent; a window that never began ends at once. */
  end(): Promise<void>;
  observed(view: MergedRunView): ServiceObservations;
}

const GC_CORRELATION_UNSEEN =
  'GC correlation: on a fleet the generators do not send back each request\'s start and latency, so requests in flight during a pause are not told apart from the others (the pauses themselves are shown)';
const PER_PHASE_COUNTS_UNSEEN =
  'per-phase /metrics counts: on a fleet the counters are read before and after the whole load, not at each generator\'s phase boundaries; the run\'s counts cover every phase, warm-ups included';

interface Observers {
  startAtEpochMs: number;
  pollers: GcPoller[];
  resources: ResourceSampler;
  metrics: MetricsScraper;
  faults: FaultInjector;
  timers: NodeJS.Timeout[];
}

export class ServiceLoadWindow implements LoadWindow {
  private observers: Observers | undefined;
  private ending: Promise<void> | undefined;
  private resources: ServiceResources[] = [];

  /** @param scenario the scenario as declared: its phases' faults name the services. */
  constructor(
    private readonly scenario: Scenario,
    private readonly services: RunningServices,
  ) {}

  async begin(startAtEpochMs: number): Promise<void> {
    const started = this.services.started;
    const originMs = performance.now() + (startAtEpochMs - Date.now());
    const observers: Observers = {
      startAtEpochMs,
      pollers: gcPollersFor(started, startAtEpochMs),
      resources: new ResourceSampler(started, startAtEpochMs),
      metrics: new MetricsScraper(started),
      faults: new FaultInjector(started, originMs),
      timers: [],
    };
    this.observers = observers;
    // Before the start: pauses and requests from before it (start-up, readiness) are not the load's.
    await Promise.all(observers.pollers.map((p) => p.start()));
    await observers.metrics.phaseStart();
    const at = (offsetMs: number, action: () => void) => observers.timers.push(setTimeout(action, Math.max(0, startAtEpochMs + offsetMs - Date.now())));
    at(0, () => observers.resources.start());
    let offsetMs = 0;
    for (const phase of this.scenario.phases) {
      if (phase.faults.length) at(offsetMs, () => observers.faults.schedule(phase.faults, phase.durationMs));
      offsetMs += phase.durationMs;
    }
  }

  end(): Promise<void> {
    const observers = this.observers;
    if (!observers) return Promise.resolve();
    this.ending ??= (async () => {
      observers.timers.forEach(clearTimeout);
      await observers.faults.stop();
      await Promise.all(observers.pollers.map((p) => p.stop()));
      this.resources = await observers.resources.stop();
      await observers.metrics.phaseEnd();
    })();
    return this.ending;
  }

  observed(view: MergedRunView): ServiceObservations {
    const observers = this.observers!;
    const started = this.services.started;
    // The observers counted from the start the coordinator set; the merged run counts from its first interval.
    const shiftMs = observers.startAtEpochMs - view.originEpochMs;
    const shift = <T extends { tMs: number }>(item: T): T => ({ ...item, tMs: Math.round((item.tMs + shiftMs) * 10) / 10 });
    const gc = gcAnalyses(started, observers.pollers, undefined).map((g) => {
      // The pollers began before the start, to set their cursors: pauses from before it are not the load's.
      const pauses = g.pauses.filter((p) => p.tMs >= 0).map(shift);
      return { ...g, pauses, pauseStats: pauseStats(pauses) };
    });
    const services = started.map((s): ServiceInfo => {
      const info = serviceInfo(s, view.hops, gc);
      const fleetUnseen = [
        ...(gc.find((g) => g.service === s.spec.name)?.collector === 'go' ? [GC_CORRELATION_UNSEEN] : []),
        ...(s.spec.counters ? [PER_PHASE_COUNTS_UNSEEN] : []),
      ];
      return { ...info, unseen: [...(info.unseen ?? []), ...fleetUnseen] };
    });
    return {
      runtime: this.services.description,
      services,
      analysis: {
        gc,
        resources: this.resources.map((r) => ({ ...r, points: r.points.map(shift) })),
        faults: observers.faults.events.map(shift),
        amplification: amplification(observers.metrics.deltas(), view.sent, deepestService(this.scenario)),
      },
      warnings: this.faultDrift(view, shiftMs),
    };
  }

  /** Faults fire at each phase's nominal start; the generators' phases start a little later (connection set-up, the previous phase's drain). */
  private faultDrift(view: MergedRunView, shiftMs: number): string[] {
    const warnings: string[] = [];
    let nominalMs = shiftMs;
    this.scenario.phases.forEach((phase, i) => {
      const measured = view.phases[i];
      const driftMs = measured ? Math.round(measured.startMs - nominalMs) : 0;
      if (phase.faults.length && Math.abs(driftMs) > FAULT_DRIFT_WARN_MS) {
        const how = driftMs > 0 ? `${driftMs} ms later, so the faults came that much earlier in it` : `${-driftMs} ms earlier, so the faults came that much later in it`;
        warnings.push(`phase ${phase.name}: its faults were timed from the phase's nominal start (${(nominalMs / 1000).toFixed(2)} s into the run); the generators' phase started ${how}`);
      }
      nominalMs += phase.durationMs;
    });
    return warnings;
  }
}
