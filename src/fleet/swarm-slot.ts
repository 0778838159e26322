/**
 * How a swarm task learns its segment: service args are not templated, env is, so the task gets
 * HOPSCOPE_SWARM_SLOT={{.Task.Slot}} and `--segment swarm/N`. A replicated job numbers its slots 0..N-1,
 * but the template renders slot 0 as the node's id (its rule for global services, where the slot is 0).
 */

import { UsageError } from '../errors.js';

export const SWARM_SLOT_ENV = 'HOPSCOPE_SWARM_SLOT';
export const SWARM_SLOT_TEMPLATE = '{{.Task.Slot}}';
const SWARM_SEGMENT = /^swarm\/(\d+)$/;

export function swarmSegmentArg(generators: number): string {
  return `swarm/${generators}`;
}

/** "swarm/3" with the slot from the environment as "INDEX/3"; any other text as it is. */
export function resolveSwarmSegment(segment: string, env: NodeJS.ProcessEnv): string {
  const match = SWARM_SEGMENT.exec(segment);
  if (!match) return segment;
  const slot = env[SWARM_SLOT_ENV];
  if (slot === undefined || slot === '') throw new UsageError(`--segment ${segment}: ${SWARM_SLOT_ENV} is not set; only a swarm task gets it`);
  return `${/^\d+$/.test(slot) ? slot : '0'}/${match[1]}`;
}
