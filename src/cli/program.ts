/** commander wiring only: flags in, a command called, an exit code out. */

import { Command, CommanderError, Option } from 'commander';
import { ExitCode, HopscopeError } from '../errors.js';
import { DEFAULT_DURATION, DEFAULT_ENGINE, DEFAULT_FLEET_LEAD_MS, DEFAULT_RUNTIME, DEFAULT_TOLERANCE } from '../scenario/defaults.js';
import { ENGINES } from '../load/engines.js';
import { RUNTIME_CHOICES } from '../runtime/choice.js';
import { HOPSCOPE_VERSION } from '../version.js';
import type { CompareFlags } from './commands/compare.js';
import type { GateFlags } from './commands/gate.js';
import type { MergeFlags } from './commands/merge.js';
import type { RunFlags } from './commands/run-flags.js';
import type { CliIO } from './io.js';

const collect = (value: string, previous: string[] = []) => [...previous, value];

// Each command's module is loaded when that command runs: start-up is part of the generator's measured CPU,
// and `--version` or `gate` need none of the load engine, nor `run` the merge or compare pages.
const commands = {
  run: () => import('./commands/run.js'),
  services: () => import('./commands/services.js'),
  report: () => import('./commands/report.js'),
  gate: () => import('./commands/gate.js'),
  merge: () => import('./commands/merge.js'),
  fleet: () => import('./commands/fleet.js'),
  compare: () => import('./commands/compare.js'),
};

/** The gate flags `run` and `gate` share. */
function withGateFlags(command: Command): Command {
  return command
    .option('--threshold <expr>', 'fail (exit 1) unless it holds, e.g. "p99 < 5ms", "item: p99.9 < 20ms", "hop:origin: p99 < 2ms" (repeatable; see docs/gates.md)', collect)
    .option('--baseline <dir>', 'a previous run folder: fail when p50/p90/p99/p99.9 got slower than the tolerance')
    .option('--tolerance <percent>', 'how much slower than the baseline is allowed', DEFAULT_TOLERANCE)
    .option('--junit <file>', 'write the checks as JUnit XML')
    .option('--markdown <file>', 'write the checks as Markdown (also appended to $GITHUB_STEP_SUMMARY when set)');
}

/** The ad-hoc load and connection flags, which `run` and `fleet manifest` share. */
function withLoadFlags(command: Command): Command {
  return command
    .option('--target <url>', 'ad-hoc: URL to load (loopback unless --allow-remote), e.g. http://127.0.0.1:8080/healthz or https://127.0.0.1:8443/')
    .option('--rate <rps>', 'ad-hoc: open loop at this many requests/s')
    .option('--connections <n>', 'ad-hoc: connections (closed loop: all busy; open loop: the pool)')
    .option('--pipelining <n>', 'ad-hoc: requests in flight per connection (HTTP/1.1)')
    .option('--http2', 'speak HTTP/2: ALPN h2 over https://, prior knowledge (h2c) over http://')
    .option('--streams <n>', 'ad-hoc, with --http2: streams in flight per connection')
    .option('--duration <d>', `ad-hoc: how long, e.g. 30s (default: ${DEFAULT_DURATION})`)
    .option('--warm-up <d>', 'ad-hoc: first run the same load this long, not recorded (the generator and the target warm up), e.g. 2s')
    .addOption(new Option('--arrival <kind>', 'ad-hoc open loop: arrival process').choices(['constant', 'poisson']))
    .option('--method <m>', 'ad-hoc: HTTP method')
    .option('-H, --header <h>', 'ad-hoc: header "Name: value" (repeatable)', collect)
    .option('--body <text>', 'ad-hoc: request body')
    .option('--timeout <d>', 'ad-hoc: request timeout, e.g. 2s')
    .option('--allow-remote', 'allow targets beyond loopback (names resolve to all their addresses); load only hosts you may test')
    .option('--insecure', 'https: skip certificate verification')
    .option('--ca <file>', 'https: PEM file of CA certificates to trust')
    .option('--cert <file>', 'https: PEM client certificate (mTLS), with --key')
    .option('--key <file>', "https: PEM key of the client certificate")
    .option('--servername <name>', 'https: server name for SNI and the certificate check');
}

function buildProgram(io: CliIO, setExit: (code: number) => void): Command {
  const program = new Command('hopscope')
    .description('Load testing and latency analysis for Rust + Go service chains')
    .version(HOPSCOPE_VERSION)
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) })
    .showSuggestionAfterError();

  const run = withLoadFlags(
    program
      .command('run')
      .description('run a scenario file, or an ad-hoc load against a loopback URL (like wrk)')
      .argument('[scenario]', 'scenario YAML file, e.g. scenarios/quickstart.yaml'),
  )
    .option('--out <dir>', 'run folder (default reports/<scenario>-<timestamp>)')
    .addOption(new Option('--runtime <kind>', 'where services run').choices(RUNTIME_CHOICES).default(DEFAULT_RUNTIME))
    .addOption(new Option('--engine <kind>', 'load engine (autocannon: closed loop, HTTP/1.1)').choices(ENGINES).default(DEFAULT_ENGINE))
    .option('--workers <n>', 'spread the load over N threads (1-64): this one and N-1 worker threads, histograms merged exactly each second')
    .option('--json', 'print summary.json to stdout instead of the table')
    .option('--quiet', 'no progress or notices on stderr')
    .option('--repeat <n>', 'run N trials (DIR/trial-1 ..) and gate on all of them')
    .option('--generators <n>', 'split the load over N generators (containers), merged exactly into one run folder')
    .addOption(new Option('--fleet <kind>', 'where the generators run').choices(['docker', 'swarm', 'kubernetes']))
    .option('--docker-host <url>', 'with --fleet docker: an engine to place generators on (unix://, tcp://, ssh://; repeatable; default the local one); with --fleet swarm: the manager', collect)
    .option('--generator-image <ref>', 'the generator image from a registry (required for kubernetes; default: built locally from this hopscope)')
    .option('--coordinator-address <ip>', 'where generators reach this hopscope for the clock offset (default 127.0.0.1)')
    .option('--fleet-lead <ms>', `how long before the common start the generators are started (default ${DEFAULT_FLEET_LEAD_MS})`)
    .addOption(new Option('--shipped-scenario', 'generator side: run the validated scenario the coordinator put in $HOPSCOPE_SCENARIO').hideHelp())
    .addOption(new Option('--segment <i/n>', 'generator side: run segment i of n').hideHelp())
    .addOption(new Option('--start-at <epochms>', 'generator side: start time on the coordinator clock').hideHelp())
    .addOption(new Option('--coordinator <url>', "generator side: the coordinator's clock URL").hideHelp())
    .addOption(new Option('--result-frames', 'generator side: print the results framed on stdout, for engines whose way back is the log').hideHelp())
    .action(async (file: string | undefined, flags: RunFlags) => setExit(await (await commands.run()).runCommand(file, flags, io)));
  withGateFlags(run);

  program
    .command('services')
    .description('manage reference services by hand')
    .argument('<action>', 'up, down or status')
    .argument('[scenario]', 'with up: the scenario whose services to start (default scenarios/quickstart.yaml)')
    .addOption(new Option('--runtime <kind>', 'where services run').choices(RUNTIME_CHOICES).default(DEFAULT_RUNTIME))
    .action(async (action: string, file: string | undefined, flags: { runtime: string }) =>
      setExit(await (await commands.services()).servicesCommand(action, file, flags, io)),
    );

  program
    .command('report')
    .description('write the HTML report (report.html) of a run folder from its summary.json')
    .argument('<dir>', 'run folder, e.g. reports/quickstart-<timestamp>')
    .action(async (dir: string) => setExit((await commands.report()).reportCommand(dir, io)));

  withGateFlags(
    program
      .command('gate')
      .description('check a saved run folder (or a --repeat folder of trials) against thresholds and a baseline; exit 1 if a check fails')
      .argument('<dir>', 'run folder, e.g. reports/quickstart-<timestamp>'),
  ).action(async (dir: string, flags: GateFlags) => setExit((await commands.gate()).gateCommand(dir, flags, io)));

  withGateFlags(
    program
      .command('merge')
      .description('merge run folders of the same scenario made anywhere (separate CI jobs, generators) exactly into one, and gate on the whole')
      .argument('<dirs...>', 'two or more run folders, each holding histograms.json')
      .option('--out <dir>', 'where to write the merged run folder (required)')
      .option('--json', 'print the merged summary.json to stdout instead of the table'),
  ).action(async (dirs: string[], flags: MergeFlags) => setExit(await (await commands.merge()).mergeCommand(dirs, flags, io)));

  withLoadFlags(
    program
      .command('fleet')
      .description('fleets of generators')
      .command('manifest')
      .description('print the Kubernetes Indexed Job that --fleet kubernetes creates, as YAML for kubectl or GitOps')
      .argument('[scenario]', 'scenario file (YAML or JS module) whose phases target URLs; or ad-hoc --target flags'),
  )
    .option('--generators <n>', 'how many generators (the Job\'s completions and parallelism)')
    .option('--generator-image <ref>', 'the generator image the cluster pulls (default: the tag a local build of this hopscope gets)')
    .action(async (file: string | undefined, flags: RunFlags) => setExit(await (await commands.fleet()).fleetManifestCommand(file, flags, io)));

  program
    .command('compare')
    .description('percentile deltas of run folders against the first one, and a compare.html page')
    .argument('<dirs...>', 'two or more run folders; the first is the reference')
    .option('--out <file>', 'where to write the compare page', 'compare.html')
    .action(async (dirs: string[], flags: CompareFlags) => setExit((await commands.compare()).compareCommand(dirs, flags, io)));
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
    io.stderr.write(`hopscope: internal error (a bug in hopscope): ${error instanceof Error ? (io.env.HOPSCOPE_DEBUG ? error.stack : error.message) : String(error)}\n`);
    if (!io.env.HOPSCOPE_DEBUG) io.stderr.write('hint: set HOPSCOPE_DEBUG=1 for the stack trace, and report it\n');
    return ExitCode.internal;
  }
}
