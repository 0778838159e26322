import { setTimeout as sleep } from 'node:timers/promises';
import { InfraError } from '../../errors.js';
import { engineMessage, type ContainerSummary, type DockerEngine } from './client.js';
import { HOPSCOPE_LABEL, RUN_LABEL, SERVICE_LABEL } from './labels.js';

export interface HopscopeContainer {
  name: string;
  runId: string;
  /** The service instance name from the scenario, e.g. "cache-1". */
  instance: string;
  image: string;
  state: string;
  status: string;
}

export interface LeftoverFilter {
  runId?: string;
}

function labelsFor(filter: LeftoverFilter): Record<string, string> {
  return { [HOPSCOPE_LABEL]: '1', ...(filter.runId !== undefined ? { [RUN_LABEL]: filter.runId } : {}) };
}

function describe(container: ContainerSummary): HopscopeContainer {
  return {
    name: container.name,
    runId: container.labels[RUN_LABEL] ?? '',
    instance: container.labels[SERVICE_LABEL] ?? '',
    image: container.image,
    state: container.state,
    status: container.status,
  };
}

export async function listHopscopeContainers(engine: DockerEngine, filter: LeftoverFilter = {}): Promise<HopscopeContainer[]> {
  return (await engine.listContainers(labelsFor(filter))).map(describe);
}

/** A crash can leave hundreds only through a bug; the bound keeps `services down` finite regardless. */
const MAX_REAPED = 500;
const REMOVE_RETRIES = 3;
const RETRY_GAP_MS = 200;

/**
 * Removes every hopscope-labelled swarm service (a fleet's job, when this engine manages a swarm), then every
 * hopscope-labelled container in any state (thawing paused ones first); returns their names.
 */
export async function reapContainers(engine: DockerEngine, filter: LeftoverFilter = {}): Promise<string[]> {
  const removed: string[] = [];
  const swarm = engine.swarm();
  for (const service of (await swarm.services(labelsFor(filter))).slice(0, MAX_REAPED)) {
    try {
      await swarm.removeService(service.id);
    } catch (error) {
      throw new InfraError(`could not remove swarm service ${service.name}: ${engineMessage(error)}`, 'try `docker service rm` on it');
    }
    removed.push(`swarm service ${service.name}`);
  }
  const leftovers = (await engine.listContainers(labelsFor(filter))).slice(0, MAX_REAPED);
  for (const leftover of leftovers) {
    const container = engine.container(leftover.id);
    // The engine can answer 409 while it is still tearing a container down; a short retry covers that.
    for (let attempt = 1; ; attempt++) {
      try {
        if (leftover.state === 'paused') await container.unpause().catch(() => undefined);
        await container.remove();
        removed.push(leftover.name);
        break;
      } catch (error) {
        if (attempt >= REMOVE_RETRIES) {
          throw new InfraError(`could not remove container ${leftover.name}: ${engineMessage(error)}`, 'try `docker rm -f` on it');
        }
        await sleep(RETRY_GAP_MS);
      }
    }
  }
  return removed;
}
