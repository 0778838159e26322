/** The fleet side of `hopscope run`: flags of the coordinator and of a generator, and the scenario the generators get. */

import { ExitCode, UsageError } from '../../errors.js';
import { ownedTempDir } from '../../temp-folder.js';
import { generatorJob, jobDeadlineSeconds } from '../../fleet/kubernetes-job.js';
import { measureClockOffset } from '../../fleet/clock.js';
import { encodeResultFrames } from '../../fleet/result-frame.js';
import { resolveSwarmSegment } from '../../fleet/swarm-slot.js';
import type { FleetOptions } from '../../fleet/fleet-run.js';
import type { RunSummary } from '../../run-folder/summary.js';
import type { RuntimeChoice } from '../../runtime/index.js';
import { parseDeclared } from '../../gate/threshold-parser.js';
import { checkBeforeStart } from '../../pipeline/preflight.js';
import { checkSegmentable, MAX_GENERATORS, parseSegment, type GeneratorSegment } from '../../pipeline/segment.js';
import { DEFAULT_FLEET_LEAD_MS } from '../../scenario/defaults.js';
import { encodeScenario } from '../../scenario/shipped.js';
import type { Scenario } from '../../scenario/types.js';
import { importModule } from '../../import-module.js';
import type { CliIO } from '../io.js';
import type { RunFlags } from './run-flags.js';
import { scenarioOf } from './scenario-input.js';

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
  /** The validated scenario; one with services is shipped once they run, resolved to their URLs. */
  scenario: Scenario;
}

/** undefined for a run on this machine alone. */
export function fleetPlan(flags: RunFlags, scenario: Scenario, env: NodeJS.ProcessEnv): FleetPlan | undefined {
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
  if (flags.workers && flags.workers !== '1') throw new UsageError('--generators and --workers together are not supported: each generator runs one engine thread');
  if (flags.engine && flags.engine !== 'hopscope') throw new UsageError(`--generators: each generator runs its segment on the hopscope engine, not --engine ${flags.engine}`);
  if (scenario.services.length) checkServicesReachable(scenario, kind, flags, env);
  // Encoded now only to refuse what cannot be shipped before anything starts; it is shipped by runFleet.
  shippableScenario(scenario, generators);
  const leadMs = flags.fleetLead === undefined ? DEFAULT_FLEET_LEAD_MS : Number(flags.fleetLead);
  if (!Number.isInteger(leadMs) || leadMs < 500 || leadMs > 600_000) throw new UsageError(`--fleet-lead: expected milliseconds from 500 to 600000, got "${flags.fleetLead}"`);
  return { generators, kind, leadMs, coordinatorAddress: flags.coordinatorAddress ?? '127.0.0.1', loadMs: loadMsOf(scenario), scenario };
}

const servicesOf = (scenario: Scenario) => `${scenario.source} declares services (${scenario.services.map((s) => s.name).join(', ')})`;
const ELSEWHERE_HINT = 'start the services where the generators reach them (hopscope services up prints their URLs), then run a scenario without services whose phases target those URLs';

/**
 * The coordinator runs the services on its own loopback: only generators in its network namespace reach
 * them, i.e. host-network containers of this machine's engine (a docker fleet, or a swarm job pinned to
 * this node). Anything else is refused before a service or a generator starts.
 */
function checkServicesReachable(scenario: Scenario, kind: string, flags: RunFlags, env: NodeJS.ProcessEnv): void {
  if (kind === 'kubernetes') {
    throw new UsageError(`--fleet kubernetes: ${servicesOf(scenario)}, which the coordinator runs on this machine's loopback, out of the pods' reach`, `use --fleet docker or swarm on this machine's engine, or ${ELSEWHERE_HINT}`);
  }
  if (flags.dockerHost?.length) {
    throw new UsageError(
      `--docker-host: ${servicesOf(scenario)}, which the coordinator runs on this machine's loopback: generators on another engine cannot reach them`,
      `leave out --docker-host to run the generators on this machine's engine, or ${ELSEWHERE_HINT}`,
    );
  }
  const dockerHost = env['DOCKER_HOST'];
  if (dockerHost && !isLocalEngine(dockerHost)) {
    throw new UsageError(
      `DOCKER_HOST=${dockerHost}: ${servicesOf(scenario)}, which the coordinator runs on this machine's loopback: generators on that engine cannot reach them`,
      `unset DOCKER_HOST to use this machine's engine, or ${ELSEWHERE_HINT}`,
    );
  }
}

/** A socket or a loopback address: an engine on this machine. */
function isLocalEngine(url: string): boolean {
  if (/^(unix|npipe):\/\/|^\//.test(url)) return true;
  try {
    return /^(127\.|localhost$|\[::1\]$)/.test(new URL(url).hostname);
  } catch {
    return false;
  }
}

/** What a fleet can run, encoded for its generators; anything it cannot is refused before anything starts. */
function shippableScenario(scenario: Scenario, generators: number): string {
  if (scenario.knee) {
    throw new UsageError(`--generators: ${scenario.source} searches for a knee, whose every step is decided on the whole load: run it without --generators`);
  }
  checkSegmentable(scenario, generators);
  return encodeScenario(scenario);
}

const loadMsOf = (scenario: Scenario) => scenario.phases.reduce((sum, phase) => sum + phase.durationMs, 0);

function parseGenerators(text: string | undefined): number {
  const generators = Number(text);
  if (!Number.isInteger(generators) || generators < 1 || generators > MAX_GENERATORS) {
    throw new UsageError(`--generators: expected a whole number from 1 to ${MAX_GENERATORS}, got "${text}"`);
  }
  return generators;
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

/**
 * Where a generator that sends its results back through its log writes them first: a folder of its own.
 * The generators of a Job or swarm service all get the same arguments, and where they share a filesystem
 * (pods run as processes of one host, as the stand-in API server runs them) one fixed folder was written
 * by all of them at once. A killed generator's folder is removed by the next one (temp-folder.ts).
 */
export function framesRunDir(): string {
  return ownedTempDir('hopscope-run-');
}

/** A generator whose engine's way back is its log prints the results there (result-frame.ts). */
export function emitResultFrames(flags: RunFlags, runDir: string, io: CliIO): void {
  if (flags.resultFrames) io.stdout.write(encodeResultFrames(runDir));
}

/**
 * The coordinator's run: the fleet modules are loaded only for fleet runs, as they pull in the engines'
 * clients. A scenario's services run here, as on one machine, from before the generators start until
 * after the merge, on every path.
 */
export async function runFleet(plan: FleetPlan, flags: RunFlags, outDir: string, log: (line: string) => void, signal: AbortSignal) {
  const services = plan.scenario.services.length
    ? await (await import('../../fleet/fleet-services.js')).startFleetServices(plan.scenario, flags.runtime as RuntimeChoice, { outDir, log })
    : undefined;
  try {
    const scenario = encodeScenario(services?.shipped ?? plan.scenario);
    const common = { generators: plan.generators, scenario, outDir, coordinatorAddress: plan.coordinatorAddress, leadMs: plan.leadMs, log, signal, ...(services ? { window: services.window } : {}) };
    return { summary: await runOn(plan, flags, common), outDir, interrupted: signal.aborted };
  } finally {
    await services?.down();
  }
}

async function runOn(plan: FleetPlan, flags: RunFlags, common: FleetOptions): Promise<RunSummary> {
  if (plan.kind === 'kubernetes') {
    const { runKubernetesFleet } = await import('../../fleet/kubernetes-fleet.js');
    return runKubernetesFleet({ ...common, image: flags.generatorImage!, loadMs: plan.loadMs });
  }
  if (plan.kind === 'swarm') {
    const { runSwarmFleet } = await import('../../fleet/swarm-fleet.js');
    return runSwarmFleet({ ...common, dockerHost: flags.dockerHost?.[0], generatorImage: flags.generatorImage });
  }
  const { runDockerFleet } = await import('../../fleet/docker-fleet.js');
  return runDockerFleet({ ...common, dockerHosts: flags.dockerHost ?? [] });
}

/**
 * `hopscope fleet manifest SCENARIO --generators N` (or ad-hoc --target flags): the Job `--fleet kubernetes`
 * would create, scenario included, as YAML for kubectl or GitOps. With no coordinator, each generator starts
 * when its pod does and prints its results framed in its log.
 */
export async function fleetManifestCommand(file: string | undefined, flags: RunFlags, io: CliIO): Promise<number> {
  const scenario = await scenarioOf(file, flags, io);
  if (scenario.services.length) {
    throw new UsageError(`fleet manifest: ${servicesOf(scenario)}; a printed Job has no coordinator to run them`, ELSEWHERE_HINT);
  }
  // The generators would refuse a bad threshold at their start; the manifest refuses it now.
  checkBeforeStart({ scenario, engine: 'hopscope', workers: 1, thresholds: parseDeclared(scenario.thresholds) });
  const generators = parseGenerators(flags.generators);
  const shipped = shippableScenario(scenario, generators);
  const image = flags.generatorImage ?? (await import('../../fleet/generator-image.js')).generatorImageFiles().tag;
  const job = generatorJob({
    name: 'hopscope-generators',
    runId: 'manifest',
    image,
    generators,
    scenario: shipped,
    start: undefined,
    activeDeadlineSeconds: jobDeadlineSeconds(loadMsOf(scenario), 0),
  });
  // No YAML aliases for the labels the Job and its pod template share: some GitOps tools reject them.
  const { stringify } = await importModule<typeof import('yaml')>('yaml');
  io.stdout.write(stringify(job, { aliasDuplicateObjects: false }));
  return ExitCode.ok;
}
