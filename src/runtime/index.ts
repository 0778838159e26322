/** The runtime stage's API: pick a runtime, bring services up (Runtime.up), and find or reap leftovers. */
import { listHopscopeContainers, reapContainers, type HopscopeContainer, type LeftoverFilter } from './docker/leftovers.js';
import { probeEngine } from './select.js';

export { selectRuntime, parseRuntimeChoice, RUNTIME_CHOICES, type RuntimeChoice, type RuntimeSelection } from './select.js';
export { installSignalHandlers, downAll, type InterruptSignal } from './teardown.js';
export type { HopscopeContainer, LeftoverFilter } from './docker/leftovers.js';
export type * from './types.js';

const PROCESS_NOTE = 'process runtime: services are child processes of the hopscope run that started them and stop with it; nothing persists';

/**
 * Removes every container hopscope left behind (all runs, or one run), paused ones included; returns their
 * names. Without a usable engine there is nothing to reap: [].
 */
export async function reapLeftovers(filter: LeftoverFilter = {}): Promise<string[]> {
  const probe = await probeEngine();
  return probe.engine === undefined ? [] : reapContainers(probe.engine, filter);
}

export interface ServicesStatus {
  /** Labelled containers in any state; empty without an engine. */
  containers: HopscopeContainer[];
  /** Lines for the user: which engine was asked, and what the process runtime leaves (nothing). */
  notes: string[];
}

/** For `hopscope services status`. */
export async function listServices(): Promise<ServicesStatus> {
  const probe = await probeEngine();
  if (probe.engine === undefined) {
    return { containers: [], notes: [`docker: no engine to ask (${probe.why})`, PROCESS_NOTE] };
  }
  const containers = await listHopscopeContainers(probe.engine);
  return { containers, notes: [`docker: engine at ${probe.address}`, PROCESS_NOTE] };
}
