import { InfraError, UsageError } from '../errors.js';
import { DockerEngine } from './docker/client.js';
import { listHopscopeContainers } from './docker/leftovers.js';
import { DockerRuntime } from './docker/runtime.js';
import { onlyIn, quoteNames } from './placement.js';
import { ProcessRuntime } from './process/runtime.js';
import type { Runtime, RuntimeKind, ServiceSpec } from './types.js';
import { parseRuntimeChoice } from './choice.js';


/** A local engine answers a ping in milliseconds; 1.5 s tolerates a busy one without stalling `auto`. */
const PING_TIMEOUT_MS = 1_500;
const START_ENGINE_HINT = 'start one with `sudo scripts/docker-engine.sh` (in the hopscope repository), or use --runtime process';

export interface RuntimeSelection {
  runtime: Runtime;
  /** Why this runtime, for "runtime: docker (engine at /var/run/docker.sock answered)". */
  reason: string;
}

export type EngineProbe = { engine: DockerEngine; address: string } | { engine: undefined; why: string };

/** An engine that answers, on this machine (host-networked services must listen on our loopback). */
export async function probeEngine(): Promise<EngineProbe> {
  let engine: DockerEngine;
  try {
    engine = await DockerEngine.connect();
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
 * Resolves --runtime for these services. `auto` takes what the services need (own services with only
 * image/build need Docker, with only command need processes), else Docker when a local engine answers, else
 * child processes; the reason says which rule decided. A service that cannot run in the chosen runtime is a
 * UsageError here, before anything is built or started. Choosing Docker warns (through `log`) about
 * containers earlier runs left behind.
 */
export async function selectRuntime(choice: string, log: (line: string) => void, specs: ServiceSpec[] = []): Promise<RuntimeSelection> {
  const kind = parseRuntimeChoice(choice);
  const dockerOnly = onlyIn(specs, 'docker');
  const processOnly = onlyIn(specs, 'process');
  if (kind !== 'auto') {
    const misfits = kind === 'docker' ? processOnly : dockerOnly;
    if (misfits.length > 0) throw misfitError(kind, misfits);
  } else if (dockerOnly.length > 0 && processOnly.length > 0) {
    throw new UsageError(
      `these services cannot run in one runtime: ${quoteNames(dockerOnly)} only in a container (image or build, no command), ` +
        `${quoteNames(processOnly)} only as a process (command, no image or build)`,
      'give the services both (image or build, and command), so that --runtime can choose',
    );
  }
  if (kind === 'process' || (kind === 'auto' && processOnly.length > 0)) {
    const reason = kind === 'process' ? 'chosen with --runtime process' : `auto: ${quoteNames(processOnly)} ${processOnly.length > 1 ? 'have' : 'has'} a command but no image or build`;
    return { runtime: new ProcessRuntime(), reason };
  }

  const probe = await probeEngine();
  if (probe.engine === undefined) {
    if (kind === 'docker') throw new InfraError(`--runtime docker: no usable Docker engine: ${probe.why}`, START_ENGINE_HINT);
    if (dockerOnly.length > 0) {
      throw new InfraError(`${quoteNames(dockerOnly)} can only run in a container (no command), but there is no usable Docker engine: ${probe.why}`, START_ENGINE_HINT);
    }
    return { runtime: new ProcessRuntime(), reason: `no Docker engine: ${probe.why}` };
  }
  await warnAboutLeftovers(probe.engine, log);
  const how =
    kind === 'docker'
      ? 'answered; chosen with --runtime docker'
      : dockerOnly.length > 0
        ? `answered, and ${quoteNames(dockerOnly)} can only run in a container`
        : 'answered (auto prefers containers when an engine answers)';
  return { runtime: new DockerRuntime(probe.engine), reason: `engine at ${probe.address} ${how}` };
}

function misfitError(kind: RuntimeKind, misfits: string[]): UsageError {
  const [has, lacks, other] = kind === 'docker' ? ['only a command', 'image or build', 'process'] : ['only image or build', 'command', 'docker'];
  return new UsageError(
    `--runtime ${kind}: ${quoteNames(misfits)} cannot run ${kind === 'docker' ? 'in a container' : 'as a process'}: ${misfits.length > 1 ? 'they have' : 'it has'} ${has}`,
    `give ${misfits.length > 1 ? 'them' : 'it'} ${lacks} in the scenario, or use --runtime ${other} (or auto)`,
  );
}

async function warnAboutLeftovers(engine: DockerEngine, log: (line: string) => void): Promise<void> {
  const leftovers = await listHopscopeContainers(engine);
  if (leftovers.length === 0) return;
  const names = leftovers.map((container) => `${container.name} (${container.state})`).join(', ');
  log(`warning: ${leftovers.length} container(s) left by earlier hopscope runs: ${names}; \`hopscope services down\` removes them`);
}
