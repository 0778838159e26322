/**
 * Everything about a run that can be checked from the scenario and the options alone, checked before any
 * build or service start (as k6 validates thresholds before the test): a typo must cost no load test.
 * The runtime's own check (a service the chosen runtime cannot run) happens in runtime/select.ts, also
 * before anything is built.
 */

import { UsageError } from '../errors.js';
import { autocannonMisfits } from '../load/autocannon-limits.js';
import { ENGINES, type EngineKind } from '../load/engines.js';
import { OUTSIDE } from '../record/hop-recorder.js';
import type { Threshold } from '../gate/threshold-parser.js';
import type { Scenario } from '../scenario/types.js';
import { MAX_WORKERS } from './workers/share.js';

export interface RunPlan {
  scenario: Scenario;
  engine: string;
  workers: number;
  /** The scenario's thresholds and any added by the caller, parsed. */
  thresholds: readonly Threshold[];
}

/**
 * Throws one UsageError listing every problem (options named as their CLI flags, which library users' options
 * mirror); returns the engine, now known to be one of ENGINES.
 */
export function checkBeforeStart(plan: RunPlan): EngineKind {
  const problems: string[] = [];
  const engine = ENGINES.find((e) => e === plan.engine);
  if (engine === undefined) problems.push(`--engine: "${plan.engine}" is not one of ${ENGINES.join(', ')}`);
  if (!Number.isInteger(plan.workers) || plan.workers < 1 || plan.workers > MAX_WORKERS) {
    problems.push(`--workers: expected a whole number from 1 to ${MAX_WORKERS}, got "${plan.workers}"`);
  } else if (plan.workers > 1 && engine !== 'hopscope') {
    problems.push(`--workers: worker threads run the hopscope engine, not --engine ${plan.engine}`);
  }
  if (engine === 'autocannon') problems.push(...autocannonMisfits(plan.scenario));
  problems.push(...unknownNames(plan.scenario, plan.thresholds));
  if (problems.length > 0) throw new UsageError(problems.join('\n'), 'nothing was built or started');
  return engine!;
}

/**
 * A threshold on a request the scenario does not send, or on a hop none of its services writes, could
 * only fail after the whole run. Hops of a scenario without services (an external target) are whatever
 * its Server-Timing headers name, unknown beforehand, so those are not checked.
 */
function unknownNames(scenario: Scenario, thresholds: readonly Threshold[]): string[] {
  const requests = scenario.requests.map((r) => r.name);
  const hops = [...new Set(scenario.services.map((s) => s.hop)), OUTSIDE];
  return thresholds.flatMap((t) => {
    if (t.scope.kind === 'request' && !requests.includes(t.scope.name)) {
      return [`threshold "${t.scope.name}: ${t.expression}": the scenario has no request named "${t.scope.name}"; requests: ${requests.join(', ')}`];
    }
    if (t.scope.kind === 'hop' && scenario.services.length > 0 && !hops.includes(t.scope.name)) {
      return [`threshold "hop:${t.scope.name}: ${t.expression}": no service of the scenario writes the hop "${t.scope.name}"; hops: ${hops.join(', ')} (a service's hop is its Server-Timing entry name)`];
    }
    return [];
  });
}
