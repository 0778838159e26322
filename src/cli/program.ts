/** commander wiring only: flags in, a command called, an exit code out. */

import { Command, CommanderError, Option } from 'commander';
import { ExitCode, HopscopeError } from '../errors.js';
import { HOPSCOPE_VERSION } from '../version.js';
import { runCommand, type RunFlags } from './commands/run.js';
import { servicesCommand } from './commands/services.js';
import type { CliIO } from './io.js';

const collect = (value: string, previous: string[] = []) => [...previous, value];

function buildProgram(io: CliIO, setExit: (code: number) => void): Command {
  const program = new Command('hopscope')
    .description('Load testing and latency analysis for Rust + Go service chains')
    .version(HOPSCOPE_VERSION)
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) })
    .showSuggestionAfterError();

  program
    .command('run')
    .description('run a scenario file, or an ad-hoc load against a loopback URL (like wrk)')
    .argument('[scenario]', 'scenario YAML file, e.g. scenarios/quickstart.yaml')
    .option('--target <url>', 'ad-hoc: URL to load (loopback only), e.g. http://127.0.0.1:8080/healthz')
    .option('--rate <rps>', 'ad-hoc: open loop at this many requests/s')
    .option('--connections <n>', 'ad-hoc: connections (closed loop: all busy; open loop: the pool)')
    .option('--pipelining <n>', 'ad-hoc: requests in flight per connection')
    .option('--duration <d>', 'ad-hoc: how long, e.g. 10s', '10s')
    .addOption(new Option('--arrival <kind>', 'ad-hoc open loop: arrival process').choices(['constant', 'poisson']))
    .option('--method <m>', 'ad-hoc: HTTP method')
    .option('-H, --header <h>', 'ad-hoc: header "Name: value" (repeatable)', collect)
    .option('--body <text>', 'ad-hoc: request body')
    .option('--timeout <d>', 'ad-hoc: request timeout, e.g. 2s')
    .option('--out <dir>', 'run folder (default reports/<scenario>-<timestamp>)')
    .option('--runtime <kind>', 'where services run: auto, docker or process', 'auto')
    .option('--engine <kind>', 'load engine: hopscope or autocannon (closed loop only)', 'hopscope')
    .option('--json', 'print summary.json to stdout instead of the table')
    .option('--quiet', 'no progress or notices on stderr')
    .action(async (file: string | undefined, flags: RunFlags) => setExit(await runCommand(file, flags, io)));

  program
    .command('services')
    .description('manage reference services by hand')
    .argument('<action>', 'up, down or status')
    .argument('[scenario]', 'with up: the scenario whose services to start (default scenarios/quickstart.yaml)')
    .option('--runtime <kind>', 'auto, docker or process', 'auto')
    .action(async (action: string, file: string | undefined, flags: { runtime: string }) =>
      setExit(await servicesCommand(action, file, flags, io)),
    );
  return program;
}

/** Runs the CLI; returns the exit code instead of exiting, so tests can call it. */
export async function main(argv: string[], io: CliIO): Promise<number> {
  let exitCode: number = ExitCode.ok;
  const program = buildProgram(io, (code) => (exitCode = code));
  try {
    await program.parseAsync(argv, { from: 'user' });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version end through here with exit code 0; usage mistakes were printed by commander.
      return error.exitCode === 0 ? ExitCode.ok : ExitCode.usage;
    }
    if (error instanceof HopscopeError) {
      io.stderr.write(`hopscope: ${error.message}\n${error.hint ? `hint: ${error.hint}\n` : ''}`);
      return error.exitCode;
    }
    io.stderr.write(`hopscope: internal error: ${error instanceof Error ? (io.env.HOPSCOPE_DEBUG ? error.stack : error.message) : String(error)}\n`);
    if (!io.env.HOPSCOPE_DEBUG) io.stderr.write('hint: set HOPSCOPE_DEBUG=1 for the stack trace\n');
    return ExitCode.infrastructure;
  }
}
