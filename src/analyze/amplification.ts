/** Per-hop request counts from the services' counters, and how many requests one client request became. Pure. */

import type { ServiceKind } from '../runtime/types.js';
import type { Amplification, HopCounts } from './types.js';

const COUNTERS: Record<ServiceKind, { requests: string[]; upstream: string[]; timeouts: string[]; retries: string[] }> = {
  'fastjson-api': {
    requests: ['fastjson_requests_total'],
    upstream: ['fastjson_upstream_requests_total'],
    timeouts: ['fastjson_upstream_timeouts_total'],
    retries: ['fastjson_upstream_retries_total'],
  },
  'rust-cache-server': {
    requests: ['rcs_requests_total'],
    upstream: ['rcs_origin_requests_total', 'rcs_forwards_total'],
    timeouts: ['rcs_origin_timeouts_total'],
    retries: [],
  },
};

export interface ServiceDeltas {
  service: string;
  kind: ServiceKind;
  deltas: Map<string, number>;
}

function sum(deltas: Map<string, number>, names: string[]): number {
  return names.reduce((total, name) => total + (deltas.get(name) ?? 0), 0);
}

/**
 * @param deepest the service at the end of the chain (the origin), whose request count per client request
 *   is the retry (and miss) amplification a client's request causes.
 */
export function amplification(services: ServiceDeltas[], clientRequests: number, deepest: string | undefined): Amplification {
  const perService: HopCounts[] = services.map(({ service, kind, deltas }) => {
    const c = COUNTERS[kind];
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
