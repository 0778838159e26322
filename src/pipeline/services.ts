/** Brings a run's services up through the chosen runtime, and down again; a run without services skips it. */

import { selectRuntime, type RuntimeChoice } from '../runtime/index.js';
import type { ServiceSpec, StartedService } from '../runtime/types.js';
import { runFile } from '../run-folder/layout.js';

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
  const { runtime, reason } = await selectRuntime(choice, io.log, specs);
  const description = `${runtime.kind} (${reason})`;
  io.log(`runtime: ${description}`);
  const started = await runtime.up(specs, {
    runId: `${Date.now().toString(36)}${process.pid.toString(36)}`,
    logDir: runFile(io.outDir, 'logs'),
    log: io.log,
  });
  return {
    started,
    description,
    down: async () => {
      await Promise.allSettled(started.map((s) => s.down()));
      await runtime.close();
    },
  };
}
