import { InfraError, UsageError } from '../errors.js';
import { DockerEngine } from './docker/client.js';
import { listHopscopeContainers } from './docker/leftovers.js';
import { DockerRuntime } from './docker/runtime.js';
import { ProcessRuntime } from './process/runtime.js';
import type { Runtime } from './types.js';

export const RUNTIME_CHOICES = ['auto', 'docker', 'process'] as const;
export type RuntimeChoice = (typeof RUNTIME_CHOICES)[number];

/** A local engine answers a ping in milliseconds; 1.5 s tolerates a busy one without stalling `auto`. */
const PING_TIMEOUT_MS = 1_500;
const START_ENGINE_HINT = 'start one with `sudo scripts/docker-engine.sh` (in the hopscope repository), or use --runtime process';

export interface RuntimeSelection {
  runtime: Runtime;
  /** Why this runtime, for "runtime: docker (engine at /var/run/docker.sock answered)". */
  reason: string;
}

export function parseRuntimeChoice(value: string): RuntimeChoice {
  const choice = RUNTIME_CHOICES.find((allowed) => allowed === value);
  if (choice === undefined) {
    throw new UsageError(`--runtime: expected one of ${RUNTIME_CHOICES.join(', ')}, got "${value}"`);
  }
  return choice;
}

export type EngineProbe = { engine: DockerEngine; address: string } | { engine: undefined; why: string };

/** An engine that answers, on this machine (host-networked services must listen on our loopback). */
export async function probeEngine(): Promise<EngineProbe> {
  let engine: DockerEngine;
  try {
    engine = DockerEngine.connect();
  } catch (error) {
    return { engine: undefined, why: `DOCKER_HOST is unusable: ${(error as Error).message}` };
  }
  const { description, local } = engine.address;
  if (!local) return { engine: undefined, why: `the engine at ${description} is not on this machine` };
  try {
    await engine.ping(PING_TIMEOUT_MS);
  } catch (error) {
    const message = (error as Error).message;
    return { engine: undefined, why: message.includes(description) ? message : `${message} (engine at ${description})` };
  }
  return { engine, address: description };
}

/**
 * Resolves --runtime: `auto` takes Docker when a local engine answers, else child processes. Choosing Docker
 * warns (through `log`) about containers earlier runs left behind.
 */
export async function selectRuntime(choice: string, log: (line: string) => void): Promise<RuntimeSelection> {
  const kind = parseRuntimeChoice(choice);
  if (kind === 'process') return { runtime: new ProcessRuntime(), reason: 'chosen with --runtime process' };

  const probe = await probeEngine();
  if (probe.engine === undefined) {
    if (kind === 'docker') throw new InfraError(`--runtime docker: no usable Docker engine: ${probe.why}`, START_ENGINE_HINT);
    return { runtime: new ProcessRuntime(), reason: `no Docker engine: ${probe.why}` };
  }
  await warnAboutLeftovers(probe.engine, log);
  const how = kind === 'auto' ? 'answered' : 'answered; chosen with --runtime docker';
  return { runtime: new DockerRuntime(probe.engine), reason: `engine at ${probe.address} ${how}` };
}

async function warnAboutLeftovers(engine: DockerEngine, log: (line: string) => void): Promise<void> {
  const leftovers = await listHopscopeContainers(engine);
  if (leftovers.length === 0) return;
  const names = leftovers.map((container) => `${container.name} (${container.state})`).join(', ');
  log(`warning: ${leftovers.length} container(s) left by earlier hopscope runs: ${names}; \`hopscope services down\` removes them`);
}
