/**
 * `--generators N --fleet swarm`: the generators as one replicated-job service (MaxConcurrent =
 * TotalCompletions = N, host networking, no restarts) on the swarm this engine manages; task slot →
 * segment. Results come back through the managers as each task's log (result-frame.ts), so the tasks may
 * run on any node. One task failing fails the run with its log; the service is removed on every path,
 * and after kill -9 by the run's reaper on the manager.
 */

import { setTimeout as sleep } from 'node:timers/promises';
import { join } from 'node:path';
import { InfraError } from '../errors.js';
import type { RunSummary } from '../run-folder/summary.js';
import { DockerEngine, engineMessage } from '../runtime/docker/client.js';
import { containerName, HOPSCOPE_LABEL, RUN_LABEL, SERVICE_LABEL } from '../runtime/docker/labels.js';
import { Reaper } from '../runtime/docker/reaper.js';
import { TASK_FAILED, type SwarmClient, type SwarmTask } from '../runtime/docker/swarm-client.js';
import { startClockServer } from './clock.js';
import { fleetMerge, fleetRunId, fleetStartAt, generatorCommand, generatorEnv, generatorFailed, interrupted, interruptedOr, trackFleet, type FleetOptions } from './fleet-run.js';
import { ensureGeneratorImage, generatorImageFiles } from './generator-image.js';
import { mergeRunFolders } from './merge-folders.js';
import { decodeResultFrames } from './result-frame.js';
import { SWARM_SLOT_ENV, SWARM_SLOT_TEMPLATE, swarmSegmentArg } from './swarm-slot.js';

const POLL_MS = 500;
/** A task not running this long after the start has not been placed (no node fits, no image): say why. */
const PLACEMENT_GRACE_MS = 30_000;
const RUNNING_OR_DONE = new Set(['running', 'complete']);
const TASK_CONTAINERS_GONE_MS = 15_000;
/**
 * A task goes through the orchestrator, scheduler, dispatcher and the node's agent before its container
 * starts: seconds more than a container created directly (here, on a busy one-node swarm, up to ~5 s).
 */
const SWARM_EXTRA_LEAD_MS = 6000;

export interface SwarmFleetOptions extends FleetOptions {
  /** A manager's engine URL; undefined: the local engine. */
  dockerHost: string | undefined;
  /** An image every node can pull; undefined: built on the manager (enough for a one-node swarm). */
  generatorImage: string | undefined;
}

export async function runSwarmFleet(options: SwarmFleetOptions): Promise<RunSummary> {
  const { generators: n, log, signal } = options;
  const runId = fleetRunId();
  const engine = options.dockerHost ? await DockerEngine.connectTo(options.dockerHost) : await DockerEngine.connect();
  const swarm = engine.swarm();
  const nodeId = await checkManager(engine, swarm);
  const image = options.generatorImage ?? (await ensureGeneratorImage(engine, generatorImageFiles(), log));
  const reaper = await Reaper.start(engine, runId, log);
  const clock = await startClockServer(options.coordinatorAddress);
  let serviceId: string | undefined;
  const fleet = trackFleet(`swarm service of ${runId}`, async () => {
    if (serviceId === undefined) return;
    await swarm.removeService(serviceId);
    await removeTaskContainers(engine, runId);
  });
  try {
    const startAtEpochMs = fleetStartAt({ generators: n, leadMs: options.leadMs + SWARM_EXTRA_LEAD_MS });
    await options.window?.begin(startAtEpochMs);
    const name = containerName(runId, 'generators');
    const labels = { [HOPSCOPE_LABEL]: '1', [RUN_LABEL]: runId, [SERVICE_LABEL]: 'generators' };
    try {
      serviceId = await swarm.createJob({
        name,
        image,
        args: generatorCommand({ segment: swarmSegmentArg(n), start: { startAtEpochMs, clockUrl: clock.url }, outDir: undefined }),
        env: { ...generatorEnv(options.scenario), [SWARM_SLOT_ENV]: SWARM_SLOT_TEMPLATE },
        labels,
        completions: n,
        // The services listen on this machine's loopback: the generators must run on its node.
        ...(options.window ? { constraints: [`node.id==${nodeId}`] } : {}),
      });
    } catch (error) {
      throw new InfraError(`fleet: cannot create the swarm service ${name}: ${engineMessage(error)}`);
    }
    log(`fleet: ${n} generators as swarm job ${name} on ${engine.address.description}, load starts at ${new Date(startAtEpochMs).toISOString()}`);
    const tasks = await waitForTasks(swarm, serviceId, n, startAtEpochMs, signal);
    await options.window?.end();
    const sources = [];
    for (const task of tasks) {
      const dir = join(options.outDir, 'generators', `g${task.slot + 1}`);
      decodeResultFrames(await swarm.taskLogs(task.id), dir, `generator ${task.slot + 1} of ${n} (task ${task.id.slice(0, 12)})`);
      sources.push({ dir, name: `generator ${task.slot + 1}`, where: `swarm task ${task.id.slice(0, 12)}` });
    }
    return await mergeRunFolders(sources, options.outDir, fleetMerge(options, 'swarm', `fleet: ${n} generators as a swarm replicated job (${engine.address.description})`));
  } catch (error) {
    throw interruptedOr(error, signal);
  } finally {
    await options.window?.end();
    await clock.close();
    await fleet.release().catch(() => undefined);
    await reaper.down().catch(() => undefined);
  }
}

/** Returns this engine's swarm node id. */
async function checkManager(engine: DockerEngine, swarm: SwarmClient): Promise<string> {
  let state;
  try {
    await engine.ping(5000);
    state = await swarm.state();
  } catch (error) {
    throw new InfraError(`fleet: no Docker engine answers at ${engine.address.description}: ${engineMessage(error)}`, 'start one (scripts/docker-engine.sh) or give --docker-host URL');
  }
  if (state.localNodeState !== 'active' || !state.controlAvailable) {
    throw new InfraError(
      `fleet: the engine at ${engine.address.description} is not a swarm manager (swarm: ${state.localNodeState})`,
      'run on a manager, or make this engine one: docker swarm init --advertise-addr 127.0.0.1',
    );
  }
  return state.nodeId;
}

/** The tasks, sorted by slot, once every one completed; at the first that failed, the run fails with its log. */
async function waitForTasks(swarm: SwarmClient, serviceId: string, n: number, startAtEpochMs: number, signal: AbortSignal): Promise<SwarmTask[]> {
  for (;;) {
    if (signal.aborted) throw interrupted(signal);
    // A job keeps the tasks of every attempt; with no restarts there is one per slot.
    const tasks = await swarm.tasks(serviceId);
    const failed = tasks.find((t) => TASK_FAILED.has(t.state) || (t.state === 'complete' && t.exitCode !== 0));
    if (failed) {
      const output = await swarm.taskLogs(failed.id).catch((error: unknown) => `(its log could not be read: ${engineMessage(error)})`);
      await swarm.removeService(serviceId).catch(() => undefined);
      const why = `${failed.state} (${failed.error || failed.message})`;
      throw generatorFailed(`generator ${failed.slot + 1} of ${n} (swarm task ${failed.id.slice(0, 12)})`, why, output);
    }
    const complete = tasks.filter((t) => t.state === 'complete');
    if (complete.length === n) return complete.sort((a, b) => a.slot - b.slot);
    const unplaced = tasks.find((t) => !RUNNING_OR_DONE.has(t.state));
    if (Date.now() > startAtEpochMs + PLACEMENT_GRACE_MS && (unplaced || tasks.length < n)) {
      const what = unplaced
        ? `the swarm task of generator ${unplaced.slot + 1} is still ${unplaced.state} (${[unplaced.message, unplaced.error].filter(Boolean).join(', ')})`
        : `the swarm job has ${tasks.length} of ${n} tasks`;
      throw new InfraError(`fleet: ${PLACEMENT_GRACE_MS / 1000} s after the start ${what}`, 'on a multi-node swarm give --generator-image from a registry every node reaches');
    }
    await sleep(POLL_MS);
  }
}

/**
 * Removing a job service leaves its finished tasks' containers on the nodes (engine 20.10), and the swarm
 * agent may be removing some at the same moment (409): they go by their labels, retried until none is left.
 */
async function removeTaskContainers(engine: DockerEngine, runId: string): Promise<void> {
  const deadline = Date.now() + TASK_CONTAINERS_GONE_MS;
  for (;;) {
    const left = await engine.listContainers({ [RUN_LABEL]: runId, [SERVICE_LABEL]: 'generators' });
    if (left.length === 0) return;
    await Promise.all(left.map((c) => engine.container(c.id).remove().catch(() => undefined)));
    if (Date.now() > deadline) throw new InfraError(`fleet: the swarm task containers ${left.map((c) => c.name).join(', ')} could not be removed`, 'docker rm -f them');
    await sleep(200);
  }
}
