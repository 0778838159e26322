import { mkdir } from 'node:fs/promises';
import { UsageError } from '../errors.js';
import type { LaunchedService } from './launched-service.js';
import { serviceLabel } from './launched-service.js';
import { assertPortFree, waitUntilReady } from './readiness.js';
import type { ServiceSpec, StartedService, UpOptions } from './types.js';

/** What differs between runtimes: how a service's artifact is made, and how one instance is started from it. */
export interface Launcher<Artifact> {
  /** Instances with the same key share one artifact (one build for all instances of a kind). */
  artifactKey(spec: ServiceSpec): string;
  prepare(spec: ServiceSpec, log: (line: string) => void): Promise<Artifact>;
  /** Starts the instance and tracks it for teardown; must not wait for readiness. */
  launch(spec: ServiceSpec, artifact: Artifact, options: UpOptions): Promise<LaunchedService>;
}

/**
 * Shared by both runtimes: builds every kind first (a build failure then starts nothing), then starts the
 * services in the order given, each ready before the next. If one fails, those already up are stopped.
 */
export async function startInOrder<Artifact>(
  specs: ServiceSpec[],
  options: UpOptions,
  launcher: Launcher<Artifact>,
): Promise<StartedService[]> {
  assertUniqueNames(specs);
  await mkdir(options.logDir, { recursive: true });
  const artifacts = new Map<string, Artifact>();
  for (const spec of specs) {
    const key = launcher.artifactKey(spec);
    if (!artifacts.has(key)) artifacts.set(key, await launcher.prepare(spec, options.log));
  }

  const started: StartedService[] = [];
  try {
    for (const spec of specs) {
      const label = serviceLabel(spec.name, spec.kind);
      await assertPortFree(spec, label);
      const startedAtMs = performance.now();
      const service = await launcher.launch(spec, artifacts.get(launcher.artifactKey(spec)) as Artifact, options);
      started.push(service);
      await waitUntilReady(service, options.readyTimeoutMs);
      options.log(`${label} ready on ${service.url} in ${Math.round(performance.now() - startedAtMs)} ms`);
    }
  } catch (error) {
    await Promise.allSettled(started.map((service) => service.down()));
    throw error;
  }
  return started;
}

function assertUniqueNames(specs: ServiceSpec[]): void {
  const seen = new Set<string>();
  for (const spec of specs) {
    if (seen.has(spec.name)) {
      throw new UsageError(`two services are named "${spec.name}"`, 'give every service instance its own name');
    }
    seen.add(spec.name);
  }
}
