/**
 * `--generators N --fleet kubernetes`: the Indexed Job of kubernetes-job.ts, created through the official
 * client in the current kubeconfig context; each pod's log brings its results back (result-frame.ts). A
 * failed pod fails the run with its log; the Job is deleted (Background propagation: its pods go with it)
 * on success, failure and Ctrl-C. After kill -9 nothing of hopscope is left to delete it, so the Job
 * carries its own bounds: activeDeadlineSeconds stops its pods, ttlSecondsAfterFinished deletes it.
 */

import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { CoreV1Api } from '@kubernetes/client-node';
import { InfraError } from '../errors.js';
import type { RunSummary } from '../run-folder/summary.js';
import { RUN_LABEL } from '../runtime/docker/labels.js';
import { startClockServer } from './clock.js';
import { fleetRunId, fleetStartAt, generatorFailed, interrupted, interruptedOr, trackFleet, type FleetOptions } from './fleet-run.js';
import { GENERATOR_CONTAINER, generatorJob, INDEX_ANNOTATION, jobDeadlineSeconds } from './kubernetes-job.js';
import { importModule } from '../import-module.js';
import { mergeRunFolders } from './merge-folders.js';
import { decodeResultFrames } from './result-frame.js';

const POLL_MS = 1000;
/** Pulling an image onto a node can take a while; past this after the start, a pending pod is reported. */
const PENDING_GRACE_MS = 60_000;
/** Pods are scheduled and images pulled before a container starts: more lead than on a Docker engine. */
const KUBERNETES_EXTRA_LEAD_MS = 10_000;

export interface KubernetesFleetOptions extends FleetOptions {
  image: string;
  /** The load's own length, for the Job's deadline. */
  loadMs: number;
}

interface PodView {
  name: string;
  index: number;
  phase: string;
  /** Why a container is not running yet: ImagePullBackOff, ErrImagePull, ... */
  waiting: string;
}

/** The client's ApiException carries the API server's Status; its message is what a user needs. */
function apiMessage(error: unknown): string {
  let body = (error as { body?: unknown }).body;
  if (typeof body === 'string') {
    try {
      body = JSON.parse(body);
    } catch {
      body = undefined;
    }
  }
  const message = (body as { message?: unknown } | undefined)?.message;
  return typeof message === 'string' ? message : (error as Error).message;
}

export async function runKubernetesFleet(options: KubernetesFleetOptions): Promise<RunSummary> {
  const { generators: n, log, signal } = options;
  const k8s = await importModule<typeof import('@kubernetes/client-node')>('@kubernetes/client-node');
  const kc = new k8s.KubeConfig();
  kc.loadFromDefault();
  const context = kc.getCurrentContext();
  const namespace = kc.getContextObject(context)?.namespace ?? 'default';
  const where = `context ${context || '(none)'}, namespace ${namespace}`;
  if (!kc.getCurrentCluster()) throw new InfraError(`fleet: the kubeconfig has no current cluster (${where})`, 'set KUBECONFIG or `kubectl config use-context NAME`');
  const batch = kc.makeApiClient(k8s.BatchV1Api);
  const core = kc.makeApiClient(k8s.CoreV1Api);
  const runId = fleetRunId();
  const name = `hopscope-${runId}`;
  const clock = await startClockServer(options.coordinatorAddress);
  let created = false;
  const fleet = trackFleet(`kubernetes Job ${name}`, async () => {
    if (!created) return;
    try {
      await batch.deleteNamespacedJob({ name, namespace, propagationPolicy: 'Background' });
    } catch (error) {
      if ((error as { code?: number }).code !== 404) throw error;
    }
  });
  try {
    const leadMs = options.leadMs + KUBERNETES_EXTRA_LEAD_MS;
    const startAtEpochMs = fleetStartAt({ generators: n, leadMs });
    const job = generatorJob({
      name,
      runId,
      image: options.image,
      generators: n,
      scenario: options.scenario,
      start: { startAtEpochMs, clockUrl: clock.url },
      activeDeadlineSeconds: jobDeadlineSeconds(options.loadMs, leadMs),
    });
    try {
      await batch.createNamespacedJob({ namespace, body: job });
      created = true;
    } catch (error) {
      throw new InfraError(`fleet: cannot create the Job ${name} (${where}): ${apiMessage(error)}`);
    }
    log(`fleet: ${n} generators as Indexed Job ${name} (${where}), load starts at ${new Date(startAtEpochMs).toISOString()}`);
    const pods = await waitForPods(core, namespace, runId, n, startAtEpochMs, signal);
    const sources = [];
    for (const pod of pods) {
      const dir = join(options.outDir, 'generators', `g${pod.index + 1}`);
      decodeResultFrames(await podLog(core, namespace, pod.name), dir, `generator ${pod.index + 1} of ${n} (pod ${pod.name})`);
      sources.push({ dir, name: `generator ${pod.index + 1}`, where: `pod ${pod.name}` });
    }
    return await mergeRunFolders(sources, options.outDir, { kind: 'kubernetes', runtime: `fleet: ${n} generators as a Kubernetes Indexed Job (${where})` });
  } catch (error) {
    throw interruptedOr(error, signal);
  } finally {
    await clock.close();
    await fleet.release().catch(() => undefined);
  }
}

async function podLog(core: CoreV1Api, namespace: string, name: string): Promise<string> {
  return core.readNamespacedPodLog({ name, namespace, container: GENERATOR_CONTAINER });
}

async function listPods(core: CoreV1Api, namespace: string, runId: string): Promise<PodView[]> {
  const list = await core.listNamespacedPod({ namespace, labelSelector: `${RUN_LABEL}=${runId}` });
  return list.items.map((pod) => {
    const waiting = pod.status?.containerStatuses?.find((c) => c.state?.waiting)?.state?.waiting;
    return {
      name: pod.metadata?.name ?? '?',
      index: Number(pod.metadata?.annotations?.[INDEX_ANNOTATION] ?? -1),
      phase: pod.status?.phase ?? 'Unknown',
      waiting: waiting ? `${waiting.reason ?? ''}${waiting.message ? `: ${waiting.message}` : ''}` : '',
    };
  });
}

/** The succeeded pods, one per index, sorted; at the first failed pod the run fails with its log. */
async function waitForPods(core: CoreV1Api, namespace: string, runId: string, n: number, startAtEpochMs: number, signal: AbortSignal): Promise<PodView[]> {
  for (;;) {
    if (signal.aborted) throw interrupted(signal);
    let pods: PodView[];
    try {
      pods = await listPods(core, namespace, runId);
    } catch (error) {
      throw new InfraError(`fleet: cannot list the generator pods: ${apiMessage(error)}`);
    }
    const failed = pods.find((p) => p.phase === 'Failed');
    if (failed) {
      const output = await podLog(core, namespace, failed.name).catch((error: unknown) => `(its log could not be read: ${apiMessage(error)})`);
      throw generatorFailed(`generator ${failed.index + 1} of ${n} (pod ${failed.name})`, 'failed', output);
    }
    const done = new Map(pods.filter((p) => p.phase === 'Succeeded').map((p) => [p.index, p]));
    if (done.size === n) return [...done.values()].sort((a, b) => a.index - b.index);
    const pending = pods.find((p) => p.phase === 'Pending');
    if (Date.now() > startAtEpochMs + PENDING_GRACE_MS && (pending || pods.length < n)) {
      throw new InfraError(
        `fleet: ${PENDING_GRACE_MS / 1000} s after the start ${pending ? `pod ${pending.name} is still pending${pending.waiting ? ` (${pending.waiting})` : ''}` : `the Job has ${pods.length} of ${n} pods`}`,
        'kubectl describe job shows why; the nodes must be able to pull --generator-image',
      );
    }
    await sleep(POLL_MS);
  }
}
