/**
 * What `--engine autocannon` cannot run, found from the scenario alone so that the run is refused before
 * anything is built or started (this module does not load autocannon itself).
 */

import { instanceNamesOf } from '../scenario/load.js';
import type { Scenario } from '../scenario/types.js';

/** One message per phase or request autocannon cannot drive; empty when it can run the whole scenario. */
export function autocannonMisfits(scenario: Scenario): string[] {
  const misfits: string[] = [];
  const tlsInstances = new Set(scenario.services.filter((s) => s.tls).flatMap(instanceNamesOf));
  for (const phase of scenario.phases) {
    if (phase.protocol === 'h2') misfits.push('--engine autocannon speaks HTTP/1.1 only; use the hopscope engine for HTTP/2');
    // Its TLS would need the scenario's CA and client settings passed on, or the run's CA for a tls: true service.
    if (phase.target.startsWith('https:') || tlsInstances.has(phase.target)) {
      misfits.push(`phase ${phase.name}: --engine autocannon loads plain http:// only; use the hopscope engine for https:// and services with tls: true`);
    }
    if (phase.load.model !== 'closed') {
      misfits.push(`phase ${phase.name}: --engine autocannon runs closed-loop phases only (its rate mode sends each second's quota in a burst); use the hopscope engine for open loop`);
      continue;
    }
    const live = phase.mix.filter((m) => m.weight > 0);
    if (live.length !== 1) {
      misfits.push(`phase ${phase.name}: --engine autocannon takes one request per phase, this phase mixes ${live.map((m) => m.request).join(', ')}`);
      continue;
    }
    const request = scenario.requests.find((r) => r.name === live[0]!.request)!;
    if (Object.keys(request.vars).length > 0) misfits.push(`request ${request.name}: --engine autocannon does not render path variables; use the hopscope engine`);
  }
  return [...new Set(misfits)];
}
