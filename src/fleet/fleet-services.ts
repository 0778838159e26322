/**
 * A fleet run of a scenario with services: the coordinator starts them on its machine as a run on one
 * machine does, and the generators get the scenario with each phase's target resolved to its service's
 * URL, the run's CA in its TLS trust, and no services or faults of their own (the coordinator injects the
 * faults: only it holds the services). The URLs are on the coordinator's loopback, which is why only
 * generators sharing its network namespace can reach them (plan checks in cli/commands/fleet.ts).
 */

import type { RuntimeChoice } from '../runtime/index.js';
import type { StartedService } from '../runtime/types.js';
import { startServices } from '../pipeline/services.js';
import { resolveTarget, resolveTopology } from '../scenario/topology.js';
import type { Scenario } from '../scenario/types.js';
import { ServiceLoadWindow, type LoadWindow } from './load-window.js';

export interface FleetServices {
  /** What the generators run. */
  shipped: Scenario;
  window: LoadWindow;
  down(): Promise<void>;
}

export async function startFleetServices(scenario: Scenario, runtime: RuntimeChoice, io: { outDir: string; log: (line: string) => void }): Promise<FleetServices> {
  const services = await startServices(resolveTopology(scenario), runtime, io);
  const window = new ServiceLoadWindow(scenario, services);
  return {
    shipped: resolvedForGenerators(scenario, services.started),
    window,
    down: async () => {
      // Ended before the services go: an interrupted run's observers must not poll stopped services.
      await window.end();
      await services.down();
    },
  };
}

export function resolvedForGenerators(scenario: Scenario, started: readonly StartedService[]): Scenario {
  const specs = started.map((s) => s.spec);
  // Every `tls: true` service of a run chains to the one CA made for that run.
  const runCa = scenario.phases.map((p) => started.find((s) => s.spec.name === p.target)?.ca).find((ca) => ca !== undefined);
  return {
    ...scenario,
    services: [],
    phases: scenario.phases.map((p) => ({ ...p, target: specs.some((s) => s.name === p.target) ? resolveTarget(p.target, specs).url : p.target, faults: [] })),
    // Added to, not replacing, the scenario's own CA: other phases may target URLs it signs.
    tls: runCa ? { ...scenario.tls, ca: [scenario.tls.ca, runCa].filter(Boolean).join('\n') } : scenario.tls,
  };
}
