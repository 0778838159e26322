/** The fleet side of `hopscope run`: flags of the coordinator and of a generator, and the generators' own arguments. */

import { ExitCode, UsageError } from '../../errors.js';
import { generatorJob, jobDeadlineSeconds } from '../../fleet/kubernetes-job.js';
import { measureClockOffset } from '../../fleet/clock.js';
import { encodeResultFrames } from '../../fleet/result-frame.js';
import { resolveSwarmSegment } from '../../fleet/swarm-slot.js';
import type { RunSummary } from '../../run-folder/summary.js';
import { checkSegmentable, MAX_GENERATORS, parseSegment, type GeneratorSegment } from '../../pipeline/segment.js';
import { adhocScenario } from '../../scenario/adhoc.js';
import { DEFAULT_DURATION, DEFAULT_FLEET_LEAD_MS } from '../../scenario/defaults.js';
import type { Scenario } from '../../scenario/types.js';
import type { CliIO } from '../io.js';
import type { RunFlags } from './run-flags.js';

const FLEETS = ['docker', 'swarm', 'kubernetes'];
/** What this build runs; the others are accepted names that say so. */
const FLEETS_BUILT = ['docker', 'swarm', 'kubernetes'];

export interface FleetPlan {
  generators: number;
  kind: string;
  leadMs: number;
  coordinatorAddress: string;
  /** The load's own length: every phase's duration. */
  loadMs: number;
}

/** undefined for a run on this machine alone. */
export function fleetPlan(flags: RunFlags, file: string | undefined, scenario: Scenario): FleetPlan | undefined {
  if (flags.generators === undefined) {
    if (flags.fleet || flags.dockerHost?.length) throw new UsageError('--fleet and --docker-host need --generators N');
    return undefined;
  }
  const generators = parseGenerators(flags.generators);
  const kind = flags.fleet ?? 'docker';
  if (!FLEETS.includes(kind)) throw new UsageError(`--fleet: "${kind}" is not one of ${FLEETS.join(', ')}`);
  if (!FLEETS_BUILT.includes(kind)) throw new UsageError(`--fleet ${kind}: not built yet; this hopscope runs fleets on ${FLEETS_BUILT.join(', ')}`);
  if (kind === 'docker' && flags.generatorImage) throw new UsageError('--generator-image: the docker fleet builds its image on each engine; the flag is for swarm and kubernetes');
  if (kind === 'swarm' && (flags.dockerHost?.length ?? 0) > 1) throw new UsageError('--fleet swarm: give one --docker-host, a manager of the swarm');
  if (kind === 'kubernetes') {
    if (flags.dockerHost?.length) throw new UsageError('--docker-host: the kubernetes fleet runs in the current kubeconfig context, not on Docker engines');
    if (!flags.generatorImage) throw new UsageError('--fleet kubernetes needs --generator-image REF: an image the cluster can pull (no local build reaches a cluster)', 'build it with a docker fleet run (it is tagged hopscope/generator:HASH), then docker tag and push it to your registry');
    if (!flags.coordinatorAddress) throw new UsageError('--fleet kubernetes needs --coordinator-address IP: an address of this machine that the pods reach, for the clock');
  }
  if (file) throw new UsageError('--generators: fleets run ad-hoc --target loads in this version, not scenario files', 'use --target URL with --rate or --connections');
  if (flags.workers && flags.workers !== '1') throw new UsageError('--generators and --workers together are not supported: each generator runs one engine thread');
  if (scenario.services.length) throw new UsageError('--generators: the generators do not start services; target running ones by URL');
  checkSegmentable(scenario, generators);
  const leadMs = flags.fleetLead === undefined ? DEFAULT_FLEET_LEAD_MS : Number(flags.fleetLead);
  if (!Number.isInteger(leadMs) || leadMs < 500 || leadMs > 600_000) throw new UsageError(`--fleet-lead: expected milliseconds from 500 to 600000, got "${flags.fleetLead}"`);
  return { generators, kind, leadMs, coordinatorAddress: flags.coordinatorAddress ?? '127.0.0.1', loadMs: loadMsOf(scenario) };
}

const loadMsOf = (scenario: Scenario) => scenario.phases.reduce((sum, phase) => sum + phase.durationMs, 0);

function parseGenerators(text: string | undefined): number {
  const generators = Number(text);
  if (!Number.isInteger(generators) || generators < 1 || generators > MAX_GENERATORS) {
    throw new UsageError(`--generators: expected a whole number from 1 to ${MAX_GENERATORS}, got "${text}"`);
  }
  return generators;
}

/** The ad-hoc flags, as each generator's `hopscope run` gets them. */
export function generatorArgs(flags: RunFlags): string[] {
  const pairs: [string, string | undefined][] = [
    ['--target', flags.target],
    ['--rate', flags.rate],
    ['--connections', flags.connections],
    ['--pipelining', flags.pipelining],
    ['--streams', flags.streams],
    ['--duration', flags.duration],
    ['--arrival', flags.arrival],
    ['--method', flags.method],
    ['--body', flags.body],
    ['--timeout', flags.timeout],
  ];
  return [
    'run',
    ...pairs.flatMap(([flag, value]) => (value === undefined ? [] : [flag, value])),
    ...(flags.header ?? []).flatMap((h) => ['--header', h]),
    ...(flags.http2 ? ['--http2'] : []),
    ...(flags.allowRemote ? ['--allow-remote'] : []),
    ...(flags.insecure ? ['--insecure'] : []),
    '--runtime',
    'process',
  ];
}

/** A generator's segment, its start time and its clock offset against the coordinator, measured now. */
export async function generatorSegment(flags: RunFlags, env: NodeJS.ProcessEnv): Promise<GeneratorSegment | undefined> {
  if (flags.segment === undefined) return undefined;
  const { index, of } = parseSegment(resolveSwarmSegment(flags.segment, env));
  const startAtEpochMs = flags.startAt === undefined ? undefined : Number(flags.startAt);
  if (startAtEpochMs !== undefined && !Number.isFinite(startAtEpochMs)) throw new UsageError(`--start-at: expected epoch milliseconds, got "${flags.startAt}"`);
  const clock = flags.coordinator ? await measureClockOffset(flags.coordinator) : { offsetMs: 0, rttMs: 0 };
  return { index, of, startAtEpochMs, clockOffsetMs: clock.offsetMs };
}

/** A generator whose engine's way back is its log prints the results there (result-frame.ts). */
export function emitResultFrames(flags: RunFlags, runDir: string, io: CliIO): void {
  if (flags.resultFrames) io.stdout.write(encodeResultFrames(runDir));
}

/** The coordinator's run: the fleet modules are loaded only for fleet runs, as they pull in the engines' clients. */
export async function runFleet(plan: FleetPlan, flags: RunFlags, outDir: string, log: (line: string) => void, signal: AbortSignal) {
  const common = { generators: plan.generators, runArgs: generatorArgs(flags), outDir, coordinatorAddress: plan.coordinatorAddress, leadMs: plan.leadMs, log, signal };
  let summary: RunSummary;
  if (plan.kind === 'kubernetes') {
    const { runKubernetesFleet } = await import('../../fleet/kubernetes-fleet.js');
    summary = await runKubernetesFleet({ ...common, image: flags.generatorImage!, loadMs: plan.loadMs });
  } else if (plan.kind === 'swarm') {
    const { runSwarmFleet } = await import('../../fleet/swarm-fleet.js');
    summary = await runSwarmFleet({ ...common, dockerHost: flags.dockerHost?.[0], generatorImage: flags.generatorImage });
  } else {
    const { runDockerFleet } = await import('../../fleet/docker-fleet.js');
    summary = await runDockerFleet({ ...common, dockerHosts: flags.dockerHost ?? [] });
  }
  return { summary, outDir, interrupted: signal.aborted };
}

/**
 * `hopscope fleet manifest --target URL ... --generators N`: the Job `--fleet kubernetes` would create, as
 * YAML for kubectl or GitOps. With no coordinator, each generator starts when its pod does and prints its
 * results framed in its log.
 */
export async function fleetManifestCommand(file: string | undefined, flags: RunFlags, io: CliIO): Promise<number> {
  if (file) throw new UsageError('fleet manifest: fleets run ad-hoc --target loads in this version, not scenario files', 'use --target URL with --rate or --connections');
  if (!flags.target) throw new UsageError('fleet manifest: give --target URL with --rate or --connections');
  const generators = parseGenerators(flags.generators);
  const scenario = adhocScenario({ ...flags, target: flags.target, duration: flags.duration ?? DEFAULT_DURATION }, flags.allowRemote ? { allowRemote: true } : {});
  checkSegmentable(scenario, generators);
  const image = flags.generatorImage ?? (await import('../../fleet/generator-image.js')).generatorImageFiles().tag;
  const job = generatorJob({
    name: 'hopscope-generators',
    runId: 'manifest',
    image,
    generators,
    runArgs: generatorArgs(flags),
    start: undefined,
    activeDeadlineSeconds: jobDeadlineSeconds(loadMsOf(scenario), 0),
  });
  // No YAML aliases for the labels the Job and its pod template share: some GitOps tools reject them.
  const { stringify } = await import('yaml');
  io.stdout.write(stringify(job, { aliasDuplicateObjects: false }));
  return ExitCode.ok;
}
