/** The runtime stage's API: pick a runtime, bring services up (Runtime.up), and find or reap leftovers. */
import { listHopscopeContainers, reapContainers, type HopscopeContainer, type LeftoverFilter } from './docker/leftovers.js';
import { killProcessLeftovers, listProcessLeftovers, stateDir, type ProcessLeftover } from './process/run-registry.js';
import { probeEngine } from './select.js';

export { selectRuntime, type RuntimeSelection } from './select.js';
export { parseRuntimeChoice, RUNTIME_CHOICES, type RuntimeChoice } from './choice.js';
export { downAll } from './teardown.js';
export type { HopscopeContainer, LeftoverFilter } from './docker/leftovers.js';
export type { ProcessLeftover } from './process/run-registry.js';
export type * from './types.js';

/**
 * Removes every container hopscope left behind (all runs, or one run), paused ones included, and kills every
 * service process a hopscope run recorded that still runs; returns their names. Without a usable engine only
 * the processes are looked for.
 */
export async function reapLeftovers(filter: LeftoverFilter = {}): Promise<string[]> {
  const processes = filter.runId === undefined ? killProcessLeftovers().map(describeProcess) : [];
  const probe = await probeEngine();
  return [...(probe.engine === undefined ? [] : await reapContainers(probe.engine, filter)), ...processes];
}

function describeProcess(p: ProcessLeftover): string {
  return `process ${p.service} (pid ${p.pid}, port ${p.port}, run ${p.runId})`;
}

export interface ServicesStatus {
  /** Labelled containers in any state; empty without an engine. */
  containers: HopscopeContainer[];
  /** Service processes a run recorded that still run: a live run's, or leftovers of one that crashed. */
  processes: ProcessLeftover[];
  /** Lines for the user: which engine was asked, and where process records are kept. */
  notes: string[];
}

/** For `hopscope services status`. */
export async function listServices(): Promise<ServicesStatus> {
  const processes = listProcessLeftovers();
  const probe = await probeEngine();
  const engineNote = probe.engine === undefined ? `docker: no engine to ask (${probe.why})` : `docker: engine at ${probe.address}`;
  const containers = probe.engine === undefined ? [] : await listHopscopeContainers(probe.engine);
  return { containers, processes, notes: [engineNote, `process runtime: records of started services in ${stateDir()}`] };
}
