/**
 * The generators as one Kubernetes Indexed Job (completions = parallelism = N): what `--fleet kubernetes`
 * creates and `hopscope fleet manifest` prints. Pure: no client, no cluster. Each pod reads its index from
 * the annotation the Job controller sets, through an env var the args name ($(VAR) is expanded by the
 * kubelet only for variables the container declares), and prints its results framed on stdout, since a
 * pod's log is the one way back that needs no shared volume.
 */

import { HOPSCOPE_LABEL, RUN_LABEL } from '../runtime/docker/labels.js';
import { generatorCommand, generatorEnv } from './fleet-run.js';

export const GENERATOR_CONTAINER = 'generator';
export const INDEX_ANNOTATION = 'batch.kubernetes.io/job-completion-index';
const INDEX_ENV = 'HOPSCOPE_SEGMENT_INDEX';
/** The finished Job (and its pods' logs) stays this long for `kubectl logs`, then the cluster deletes it. */
const TTL_AFTER_FINISHED_S = 600;
/** Beyond the load and the lead, before the cluster itself stops the pods. */
const DEADLINE_MARGIN_S = 120;

export function jobDeadlineSeconds(loadMs: number, leadMs: number): number {
  return Math.ceil((loadMs + leadMs) / 1000) + DEADLINE_MARGIN_S;
}

export interface GeneratorJobSpec {
  name: string;
  runId: string;
  image: string;
  generators: number;
  /** The validated scenario, encoded (scenario/shipped.ts). */
  scenario: string;
  /** undefined (a printed manifest, no coordinator): each generator starts when its pod does. */
  start: { startAtEpochMs: number; clockUrl: string } | undefined;
  /** Kills the pods if nothing else does (the coordinator killed -9): load, lead and a margin. */
  activeDeadlineSeconds: number;
}

/** A batch/v1 Job as a plain object: the client sends it, `fleet manifest` prints it as YAML. */
export function generatorJob(spec: GeneratorJobSpec) {
  const labels = { [HOPSCOPE_LABEL]: '1', [RUN_LABEL]: spec.runId };
  const segment = `$(${INDEX_ENV})/${spec.generators}`;
  const args = generatorCommand({ segment, start: spec.start, outDir: undefined });
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: spec.name, labels },
    spec: {
      completionMode: 'Indexed' as const,
      completions: spec.generators,
      parallelism: spec.generators,
      // A failed generator fails the run; a retried one would run its segment late.
      backoffLimit: 0,
      activeDeadlineSeconds: spec.activeDeadlineSeconds,
      ttlSecondsAfterFinished: TTL_AFTER_FINISHED_S,
      template: {
        metadata: { labels },
        spec: {
          restartPolicy: 'Never' as const,
          // As every hopscope container: the generators' connections are the node's own.
          hostNetwork: true,
          dnsPolicy: 'ClusterFirstWithHostNet' as const,
          containers: [
            {
              name: GENERATOR_CONTAINER,
              image: spec.image,
              args,
              env: [
                { name: INDEX_ENV, valueFrom: { fieldRef: { fieldPath: `metadata.annotations['${INDEX_ANNOTATION}']` } } },
                ...Object.entries(generatorEnv(spec.scenario)).map(([name, value]) => ({ name, value })),
              ],
            },
          ],
        },
      },
    },
  };
}

export type GeneratorJob = ReturnType<typeof generatorJob>;
