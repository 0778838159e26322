/** Brings a run's services up through the chosen runtime, and down again; a run without services skips it. */

import type { TlsClientOptions } from '../load/dialer.js';
import type { RuntimeChoice } from '../runtime/index.js';
import { makeServiceCertificates } from '../runtime/tls/certificates.js';
import type { ServiceSpec, StartedService } from '../runtime/types.js';
import { runFile } from '../run-folder/layout.js';
import type { TlsDecl } from '../scenario/types.js';

export interface RunningServices {
  started: StartedService[];
  /** "docker (engine at /var/run/docker.sock answered)", or "none" when the run starts no service. */
  description: string;
  down(): Promise<void>;
}

export async function startServices(
  specs: ServiceSpec[],
  choice: RuntimeChoice,
  io: { outDir: string; log: (line: string) => void },
): Promise<RunningServices> {
  if (specs.length === 0) return { started: [], description: 'none (no services in the scenario)', down: async () => {} };
  // Loaded only for scenarios with services: the runtimes (image builds, the Docker client) are most of a
  // start-up's module loading, and an ad-hoc load or a services-free scenario pays for none of it.
  const { selectRuntime } = await import('../runtime/index.js');
  const { runtime, reason } = await selectRuntime(choice, io.log, specs);
  const description = `${runtime.kind} (${reason})`;
  io.log(`runtime: ${description}`);
  // Made per run and deleted with the services: the run folder never holds the key.
  const certificates = specs.some((s) => s.tls) ? await makeServiceCertificates() : undefined;
  let started: StartedService[];
  try {
    started = await runtime.up(specs, {
      runId: `${Date.now().toString(36)}${process.pid.toString(36)}`,
      logDir: runFile(io.outDir, 'logs'),
      log: io.log,
      ...(certificates ? { certificates } : {}),
    });
  } catch (error) {
    await certificates?.remove();
    throw error;
  }
  return {
    started,
    description,
    down: async () => {
      await Promise.allSettled(started.map((s) => s.down()));
      await runtime.close();
      await certificates?.remove();
    },
  };
}

/**
 * The engine's TLS settings for an https:// target: the scenario's, and for a service hopscope made a
 * certificate for, its CA in place of any other, so that no --insecure or --ca is needed.
 */
export function targetTls(scenarioTls: TlsDecl, target: string, started: readonly StartedService[]): TlsClientOptions {
  const ca = started.find((s) => s.spec.name === target)?.ca;
  return ca ? { ...scenarioTls, ca } : scenarioTls;
}
