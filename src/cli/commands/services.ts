/** `hopscope services up|down|status`: a scenario's services by hand, outside a run, and what runs left behind. */

import { resolve } from 'node:path';
import { ExitCode, UsageError } from '../../errors.js';
import { startServices } from '../../pipeline/services.js';
import { listServices, parseRuntimeChoice, reapLeftovers } from '../../runtime/index.js';
import { installSignalHandlers, type InterruptSignal } from '../signals.js';
import { loadScenarioFile } from '../../scenario/load.js';
import { resolveTopology } from '../../scenario/topology.js';
import type { CliIO } from '../io.js';

const ACTIONS = ['up', 'down', 'status'];

export async function servicesCommand(action: string, file: string | undefined, flags: { runtime: string }, io: CliIO): Promise<number> {
  if (!ACTIONS.includes(action)) throw new UsageError(`services: "${action}" is not one of ${ACTIONS.join(', ')}`);
  if (action === 'down') {
    const removed = await reapLeftovers();
    io.stdout.write(removed.length ? `removed ${removed.length}: ${removed.join(', ')}\n` : 'no hopscope containers or service processes to remove\n');
    return ExitCode.ok;
  }
  if (action === 'status') {
    const status = await listServices();
    for (const note of status.notes) io.stdout.write(`${note}\n`);
    for (const c of status.containers) io.stdout.write(`${c.name}\t${c.state}\t${c.instance}\trun ${c.runId}\n`);
    for (const p of status.processes) {
      const owner = p.ownerAlive ? 'its hopscope still runs' : 'left by a hopscope that ended';
      io.stdout.write(`process ${p.service}\tpid ${p.pid}\tport ${p.port}\trun ${p.runId}\t${owner}\n`);
    }
    if (status.containers.length === 0 && status.processes.length === 0) io.stdout.write('no hopscope containers or service processes\n');
    return ExitCode.ok;
  }
  const scenario = loadScenarioFile(resolve(io.cwd, file ?? 'scenarios/quickstart.yaml'));
  const specs = resolveTopology(scenario);
  if (specs.length === 0) throw new UsageError(`${scenario.source} declares no services`);
  const log = (line: string) => io.stderr.write(`${line}\n`);
  const outDir = resolve(io.cwd, 'reports', 'services');
  // Services live as long as this command: a foreground process, like `docker compose up`, so that nothing
  // outlives the terminal that started it. The command itself stops them and only then returns 130; the
  // handler waits for that (its own teardown is the fallback if this one hangs), so the process can never
  // exit while services still run. It is installed before they start: installed after, a Ctrl-C while they
  // started (or just as the first was reported ready) met no handler, killed hopscope alone and left them running.
  let stopped!: () => void;
  const teardown = new Promise<void>((done) => (stopped = done));
  let interrupted!: (signal: InterruptSignal) => void;
  const signalled = new Promise<InterruptSignal>((resolve) => (interrupted = resolve));
  const remove = installSignalHandlers(async (received) => {
    interrupted(received);
    await teardown;
  });
  try {
    const running = await startServices(specs, parseRuntimeChoice(flags.runtime), { outDir, log });
    try {
      for (const s of running.started) io.stdout.write(`${s.spec.name}\t${s.spec.kind}\t${s.url}\n`);
      io.stdout.write(`logs in ${outDir}/logs; Ctrl-C stops them\n`);
      log(`${await signalled}: stopping the services`);
    } finally {
      await running.down();
    }
  } finally {
    stopped();
    remove();
  }
  return ExitCode.interrupted;
}
