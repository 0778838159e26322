/**
 * `--generators N --fleet docker`: N generator containers (host networking) spread over one or more Docker
 * engines, each a `hopscope run` of its segment of the load from a start time the coordinator sets, with
 * its clock offset measured against the coordinator. Results come back through the engine's archive API
 * (no shared disk) and are merged exactly (merge-folders.ts). One generator failing fails the run with its
 * logs and stops the others; the run's reaper on each engine removes the labelled containers if hopscope
 * itself dies, kill -9 included.
 */

import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { extract } from 'tar-stream';
import { InfraError } from '../errors.js';
import type { RunSummary } from '../run-folder/summary.js';
import { DockerEngine, engineMessage, type EngineContainer } from '../runtime/docker/client.js';
import { containerName, HOPSCOPE_LABEL, RUN_LABEL, SERVICE_LABEL } from '../runtime/docker/labels.js';
import { Reaper } from '../runtime/docker/reaper.js';
import { startClockServer } from './clock.js';
import { ensureGeneratorImage, generatorImageFiles } from './generator-image.js';
import { mergeRunFolders } from './merge-folders.js';
import { fleetMerge, fleetRunId, fleetStartAt, generatorCommand, generatorEnv, generatorFailed, interrupted, interruptedOr, trackFleet, type FleetOptions } from './fleet-run.js';

const OUT_IN_CONTAINER = '/out';

export interface DockerFleetOptions extends FleetOptions {
  /** Engine URLs; empty: the local engine (DOCKER_HOST or the default socket). */
  dockerHosts: string[];
}

interface Generator {
  index: number;
  engine: DockerEngine;
  container: EngineContainer;
  name: string;
}

export async function runDockerFleet(options: DockerFleetOptions): Promise<RunSummary> {
  const { generators: n, log } = options;
  const runId = fleetRunId();
  const engines = await connectEngines(options.dockerHosts);
  const image = generatorImageFiles();
  const reapers: Reaper[] = [];
  const members: Generator[] = [];
  const clock = await startClockServer(options.coordinatorAddress);
  const stopAll = () => Promise.all(members.map((m) => m.container.kill().catch(() => undefined)));
  const onAbort = () => void stopAll();
  options.signal.addEventListener('abort', onAbort, { once: true });
  const fleet = trackFleet(`fleet generators of ${runId}`, async () => {
    await Promise.all(members.map((m) => m.container.remove().catch(() => undefined)));
  });
  try {
    for (const engine of engines) {
      await ensureGeneratorImage(engine, image, log);
      reapers.push(await Reaper.start(engine, runId, log, engineHost(engine)));
    }
    const startAtEpochMs = fleetStartAt(options);
    await options.window?.begin(startAtEpochMs);
    for (let index = 0; index < n; index++) {
      const engine = engines[index % engines.length]!;
      const name = containerName(runId, `generator-${index + 1}`);
      const cmd = generatorCommand({ segment: `${index}/${n}`, start: { startAtEpochMs, clockUrl: clock.url }, outDir: OUT_IN_CONTAINER });
      let container: EngineContainer;
      try {
        container = await engine.createContainer({
          name,
          image: image.tag,
          cmd,
          env: generatorEnv(options.scenario),
          labels: { [HOPSCOPE_LABEL]: '1', [RUN_LABEL]: runId, [SERVICE_LABEL]: `generator-${index + 1}` },
        });
      } catch (error) {
        throw new InfraError(`cannot create generator ${index + 1} of ${n} on ${engine.address.description}: ${engineMessage(error)}`);
      }
      members.push({ index, engine, container, name });
    }
    await Promise.all(members.map((m) => m.container.start()));
    log(`fleet: ${n} generators on ${engines.map((e) => e.address.description).join(', ')}, load starts at ${new Date(startAtEpochMs).toISOString()}`);
    await waitAll(members, n, stopAll);
    await options.window?.end();
    if (options.signal.aborted) throw interrupted(options.signal);
    const sources = [];
    for (const m of members) {
      const dir = join(options.outDir, 'generators', `g${m.index + 1}`);
      await unpack(await m.container.archive(OUT_IN_CONTAINER), dir);
      sources.push({ dir, name: `generator ${m.index + 1}`, where: m.engine.address.description });
    }
    return await mergeRunFolders(sources, options.outDir, fleetMerge(options, 'docker', `fleet: ${n} generators on docker (${engines.map((e) => e.address.description).join(', ')})`));
  } catch (error) {
    throw interruptedOr(error, options.signal);
  } finally {
    options.signal.removeEventListener('abort', onAbort);
    await options.window?.end();
    await clock.close();
    await fleet.release();
    await Promise.all(reapers.map((r) => r.down().catch(() => undefined)));
  }
}

async function connectEngines(hosts: readonly string[]): Promise<DockerEngine[]> {
  const engines = hosts.length ? await Promise.all(hosts.map((h) => DockerEngine.connectTo(h))) : [await DockerEngine.connect()];
  for (const engine of engines) {
    try {
      await engine.ping(5000);
    } catch (error) {
      throw new InfraError(`fleet: no Docker engine answers at ${engine.address.description}: ${(error as Error).message}`, 'start one (scripts/docker-engine.sh) or give --docker-host URL');
    }
  }
  return engines;
}

/**
 * Where this machine reaches an engine's host network (its reaper listens there): the host its URL names;
 * loopback for a socket, which serves an engine in this machine's own network namespace.
 */
function engineHost(engine: DockerEngine): string {
  const address = engine.address.description;
  if (address.startsWith('/')) return '127.0.0.1';
  return new URL(address.includes('//') ? address : `tcp://${address}`).hostname.replace(/^\[|\]$/g, '');
}

/** Resolves when every generator exited 0; at the first that did not, stops the others and fails with its logs. */
async function waitAll(members: readonly Generator[], n: number, stopAll: () => Promise<unknown>): Promise<void> {
  const failed = await new Promise<Generator & { exitCode: number; error: string } | undefined>((resolve) => {
    let left = members.length;
    for (const m of members) {
      void m.container.waitStopped().then(async () => {
        const state = await m.container.state().catch(() => undefined);
        const exitCode = state?.exitCode ?? -1;
        if (exitCode !== 0) resolve({ ...m, exitCode, error: state?.error ?? 'the container vanished' });
        else if (--left === 0) resolve(undefined);
      });
    }
  });
  if (!failed) return;
  await stopAll();
  const output = await failed.container.output().catch((error: unknown) => `(its logs could not be read: ${(error as Error).message})`);
  throw generatorFailed(
    `generator ${failed.index + 1} of ${n} (${failed.name} on ${failed.engine.address.description})`,
    `exited with code ${failed.exitCode}${failed.error ? ` (${failed.error})` : ''}`,
    output,
  );
}

/** Writes the archive of /out (entries "out/...") into `dir`. */
async function unpack(tar: NodeJS.ReadableStream, dir: string): Promise<void> {
  const ex = extract();
  const done = new Promise<void>((resolve, reject) => {
    ex.on('entry', (header, stream, next) => {
      const chunks: Buffer[] = [];
      stream.on('data', (c) => chunks.push(c as Buffer));
      stream.on('end', () => {
        const rel = header.name.split('/').slice(1).join('/');
        if (header.type === 'file' && rel && !rel.split('/').includes('..')) {
          const path = join(dir, rel);
          mkdirSync(dirname(path), { recursive: true });
          writeFileSync(path, Buffer.concat(chunks));
        }
        next();
      });
      stream.resume();
    });
    ex.on('finish', resolve);
    ex.on('error', reject);
  });
  tar.pipe(ex as unknown as NodeJS.WritableStream);
  await done;
}
