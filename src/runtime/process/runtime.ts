import { accessSync, constants } from 'node:fs';
import { InfraError, UsageError } from '../../errors.js';
import { ensureBinary } from '../build/build.js';
import { kindBinary } from '../build/reference-recipes.js';
import { startInOrder } from '../start-in-order.js';
import type { Runtime, ServiceSpec, StartedService, UpOptions } from '../types.js';
import { ChildService, type Program } from './child-service.js';
import { UNGUARDED_WARNING, withDeathSignal } from './death-signal.js';
import { RunRegistry } from './run-registry.js';

/** Runs services as child processes of hopscope: no engine needed, no isolation either. */
export class ProcessRuntime implements Runtime {
  readonly kind = 'process';

  up(specs: ServiceSpec[], options: UpOptions): Promise<StartedService[]> {
    if (specs.length > 0 && !withDeathSignal([]).guarded) options.log(UNGUARDED_WARNING);
    const registry = new RunRegistry(options.runId);
    return startInOrder<Program>(specs, options, {
      artifactKey: (spec) => (spec.source.type === 'reference' ? `kind:${spec.source.kind}` : `service:${spec.name}`),
      prepare: programFor,
      launch: async (spec, program) => ChildService.launch(spec, program, registry, options),
    });
  }

  async close(): Promise<void> {}
}

async function programFor(spec: ServiceSpec, log: (line: string) => void): Promise<Program> {
  const source = spec.source;
  if (source.type === 'reference') {
    const binary = await ensureBinary(kindBinary(source.kind), log);
    return { argv: [binary.path], cwd: undefined, note: `sources ${binary.hash12}` };
  }
  // Runtime selection refuses such a scenario before anything starts; this guards direct library use.
  if (source.command === undefined) throw new UsageError(`service "${spec.name}" has no command: it cannot run as a process`);
  const program = source.command.argv[0]!;
  // A path names a file the user builds (the example's binary): missing, it is the likeliest mistake, so say it plainly.
  if (program.includes('/') && !isExecutable(program)) {
    throw new InfraError(`service "${spec.name}": ${program} does not exist or is not executable`, 'build it first, or correct command: in the scenario (a path there is relative to the scenario file)');
  }
  return { argv: source.command.argv, cwd: source.command.cwd, note: `cwd ${source.command.cwd}` };
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
