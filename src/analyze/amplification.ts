/** Per-hop request counts from the services' counters, and how many requests one client request became. Pure. */

import type { ServiceDeltas } from '../record/observers/metrics-scraper.js';
import type { Amplification, HopCounts } from './types.js';

function sum(deltas: Map<string, number>, names: readonly string[]): number {
  return names.reduce((total, name) => total + (deltas.get(name) ?? 0), 0);
}

/**
 * @param deepest the service at the end of the chain (the origin), whose request count per client request
 *   is the retry (and miss) amplification a client's request causes.
 */
export function amplification(services: ServiceDeltas[], clientRequests: number, deepest: string | undefined): Amplification {
  const perService: HopCounts[] = services.map(({ service, counters: c, deltas }) => {
    return {
      service,
      requests: sum(deltas, c.requests),
      upstreamRequests: sum(deltas, c.upstream),
      timeouts: sum(deltas, c.timeouts),
      retries: sum(deltas, c.retries),
      counters: Object.fromEntries(deltas),
    };
  });
  const leaf = perService.find((s) => s.service === deepest);
  return {
    perService,
    deepestPerClientRequest: leaf && clientRequests > 0 ? leaf.requests / clientRequests : undefined,
  };
}
