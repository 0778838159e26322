import { mkdir } from 'node:fs/promises';
import { UsageError } from '../errors.js';
import type { LaunchedService } from './launched-service.js';
import { serviceLabel } from './launched-service.js';
import { assertPortFree, waitUntilReady } from './readiness.js';
import type { ServiceKind, ServiceSpec, StartedService, UpOptions } from './types.js';

/** What differs between runtimes: how a kind's artifact is made, and how one instance is started from it. */
export interface Launcher<Artifact> {
  prepare(kind: ServiceKind, log: (line: string) => void): Promise<Artifact>;
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
  const artifacts = new Map<ServiceKind, Artifact>();
  for (const kind of new Set(specs.map((spec) => spec.kind))) {
    artifacts.set(kind, await launcher.prepare(kind, options.log));
  }

  const started: StartedService[] = [];
  try {
    for (const spec of specs) {
      const label = serviceLabel(spec.name, spec.kind);
      await assertPortFree(spec, label);
      const startedAtMs = performance.now();
      const service = await launcher.launch(spec, artifacts.get(spec.kind) as Artifact, options);
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
