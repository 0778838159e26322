/** `hopscope services up|down|status`: the reference services by hand, outside a run. */

import { resolve } from 'node:path';
import { ExitCode, UsageError } from '../../errors.js';
import { startServices } from '../../pipeline/services.js';
import { installSignalHandlers, listServices, parseRuntimeChoice, reapLeftovers } from '../../runtime/index.js';
import { loadScenarioFile } from '../../scenario/load.js';
import { resolveTopology } from '../../scenario/topology.js';
import type { CliIO } from '../io.js';

const ACTIONS = ['up', 'down', 'status'];

export async function servicesCommand(action: string, file: string | undefined, flags: { runtime: string }, io: CliIO): Promise<number> {
  if (!ACTIONS.includes(action)) throw new UsageError(`services: "${action}" is not one of ${ACTIONS.join(', ')}`);
  if (action === 'down') {
    const removed = await reapLeftovers();
    io.stdout.write(removed.length ? `removed ${removed.length}: ${removed.join(', ')}\n` : 'no hopscope containers to remove\n');
    return ExitCode.ok;
  }
  if (action === 'status') {
    const status = await listServices();
    for (const note of status.notes) io.stdout.write(`${note}\n`);
    for (const c of status.containers) io.stdout.write(`${c.name}\t${c.state}\t${c.instance}\trun ${c.runId}\n`);
    if (status.containers.length === 0) io.stdout.write('no hopscope containers\n');
    return ExitCode.ok;
  }
  const scenario = loadScenarioFile(resolve(io.cwd, file ?? 'scenarios/quickstart.yaml'));
  const specs = resolveTopology(scenario);
  if (specs.length === 0) throw new UsageError(`${scenario.source} declares no services`);
  const log = (line: string) => io.stderr.write(`${line}\n`);
  const outDir = resolve(io.cwd, 'reports', 'services');
  const running = await startServices(specs, parseRuntimeChoice(flags.runtime), { outDir, log });
  for (const s of running.started) io.stdout.write(`${s.spec.name}\t${s.spec.kind}\t${s.url}\n`);
  io.stdout.write(`logs in ${outDir}/logs; Ctrl-C stops them\n`);
  // Services live as long as this command: a foreground process, like `docker compose up`, so that
  // nothing outlives the terminal that started it.
  await new Promise<void>((done) => {
    const remove = installSignalHandlers(async () => {
      remove();
      done();
    });
  });
  return ExitCode.ok;
}
