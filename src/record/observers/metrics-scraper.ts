/**
 * Reads /metrics at the start and end of the recorded phases, for per-hop counts, from every service whose
 * counters hopscope knows (the reference kinds); the others are left alone rather than read as zeros.
 */

import type { CounterNames, StartedService } from '../../runtime/types.js';
import { serviceRequest } from '../../runtime/service-http.js';
import { counterDeltas, sumCounters } from './prometheus-text.js';

export interface ServiceDeltas {
  service: string;
  /** Which counters count requests, upstream calls, timeouts and retries (the service kind's). */
  counters: CounterNames;
  deltas: Map<string, number>;
}

const TIMEOUT_MS = 2000;

async function scrape(service: StartedService): Promise<Map<string, number>> {
  try {
    const answer = await serviceRequest(`${service.url}${service.spec.counters!.path}`, { timeoutMs: TIMEOUT_MS, ...(service.ca ? { ca: service.ca } : {}) });
    return answer.status === 200 ? sumCounters(answer.body) : new Map();
  } catch {
    // A paused or killed service has no counters to give now; its deltas then read as zero.
    return new Map();
  }
}

export class MetricsScraper {
  private readonly totals = new Map<string, Map<string, number>>();
  private before = new Map<string, Map<string, number>>();

  private readonly services: StartedService[];

  constructor(services: StartedService[]) {
    this.services = services.filter((s) => s.spec.counters !== undefined);
  }

  async phaseStart(): Promise<void> {
    this.before = new Map(await Promise.all(this.services.map(async (s) => [s.spec.name, await scrape(s)] as const)));
  }

  /** This phase's counter deltas per service; they are also added to the run's totals. */
  async phaseEnd(): Promise<ServiceDeltas[]> {
    return Promise.all(
      this.services.map(async (s): Promise<ServiceDeltas> => {
        const deltas = counterDeltas(this.before.get(s.spec.name) ?? new Map(), await scrape(s));
        const total = this.totals.get(s.spec.name) ?? new Map<string, number>();
        for (const [name, value] of deltas) total.set(name, (total.get(name) ?? 0) + value);
        this.totals.set(s.spec.name, total);
        return { service: s.spec.name, counters: s.spec.counters!, deltas };
      }),
    );
  }

  deltas(): ServiceDeltas[] {
    return this.services.map((s) => ({ service: s.spec.name, counters: s.spec.counters!, deltas: this.totals.get(s.spec.name) ?? new Map() }));
  }
}
