/** The image of a service the user brings: a local image (pulled only when asked), or one built from its context. */

import { join } from 'node:path';
import { InfraError } from '../../errors.js';
import { indent } from '../log-tail.js';
import type { ServiceSpec } from '../types.js';
import { contextFiles, hashContext, packContext } from './build-context.js';
import { engineMessage, type DockerEngine } from './client.js';
import { HOPSCOPE_LABEL } from './labels.js';

type OwnSource = Extract<ServiceSpec['source'], { type: 'own' }>;

export async function ownImage(engine: DockerEngine, spec: ServiceSpec, source: OwnSource, log: (line: string) => void): Promise<string> {
  if (source.build !== undefined) return buildOwnImage(engine, spec.name, source.build, log);
  const { tag, pull } = source.image!;
  if (await engine.hasImage(tag)) {
    log(`${spec.name}: using local image ${tag}`);
    return tag;
  }
  if (!pull) {
    throw new InfraError(
      `service "${spec.name}": image ${tag} is not in the engine's local images`,
      `build or load it first (docker build -t ${tag} .), give the service build: with its context, or set pull: true to let the engine pull it`,
    );
  }
  log(`${spec.name}: pulling ${tag}`);
  try {
    await engine.pullImage(tag);
  } catch (error) {
    throw new InfraError(`service "${spec.name}": pulling ${tag} failed: ${engineMessage(error)}`, 'check the name and that the engine can reach its registry');
  }
  return tag;
}

async function buildOwnImage(
  engine: DockerEngine,
  name: string,
  build: { contextDir: string; dockerfile: string },
  log: (line: string) => void,
): Promise<string> {
  const files = await contextFiles(build.contextDir, build.dockerfile);
  const hash12 = (await hashContext(build.contextDir, build.dockerfile, files)).slice(0, 12);
  const tag = `hopscope-build/${name.toLowerCase()}:${hash12}`;
  if (await engine.hasImage(tag)) {
    log(`${name}: using image ${tag} (context unchanged)`);
    return tag;
  }
  log(`${name}: building image ${tag} from ${join(build.contextDir, build.dockerfile)} (${files.length} files)`);
  try {
    await engine.buildImage(await packContext(build.contextDir, files), tag, { [HOPSCOPE_LABEL]: '1' }, build.dockerfile);
  } catch (error) {
    const [why, ...output] = engineMessage(error).split('\n');
    const tail = output.length ? `; the build's last output lines:\n${indent(output)}` : '';
    throw new InfraError(
      `service "${name}": building its image from ${build.contextDir} failed: ${why}${tail}`,
      `the whole output: docker build -f ${build.dockerfile} ${build.contextDir} (a FROM that needs a registry fails where none is reachable: build FROM scratch with a static binary, or from a local image)`,
    );
  }
  return tag;
}
