import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pack } from 'tar-stream';
import { InfraError } from '../../errors.js';
import type { BuiltBinary } from '../build/build.js';
import { HOPSCOPE_LABEL } from './labels.js';
import { engineMessage, type DockerEngine } from './client.js';

/**
 * The service's image, `hopscope/<service>:<hash12>`, built only when that tag is missing. The build context is
 * made in memory: the service's own Dockerfile (FROM scratch, nothing to pull) and the static binary at the
 * context root under the service's name.
 */
export async function ensureImage(engine: DockerEngine, binary: BuiltBinary, log: (line: string) => void): Promise<string> {
  const tag = `hopscope/${binary.name}:${binary.hash12}`;
  if (await engine.hasImage(tag)) {
    log(`${binary.name}: using image ${tag}`);
    return tag;
  }
  const dockerfilePath = join(binary.sourceDir, 'Dockerfile');
  let dockerfile: Buffer;
  try {
    dockerfile = await readFile(dockerfilePath);
  } catch {
    throw new InfraError(`cannot build the ${binary.name} image: ${dockerfilePath} is missing`, 'restore it, or use --runtime process');
  }
  const context = pack();
  context.entry({ name: 'Dockerfile', mode: 0o644 }, dockerfile);
  context.entry({ name: binary.name, mode: 0o755 }, await readFile(binary.path));
  context.finalize();

  log(`${binary.name}: building image ${tag}`);
  try {
    // tar-stream's typings declare an async iterator that @types/node 20's ReadableStream does not accept.
    await engine.buildImage(context as unknown as NodeJS.ReadableStream, tag, { [HOPSCOPE_LABEL]: '1' });
  } catch (error) {
    throw new InfraError(
      `building the ${binary.name} image ${tag} failed: ${engineMessage(error)}`,
      `check ${dockerfilePath}: it must copy the binary "${binary.name}" from the context root and need no registry`,
    );
  }
  return tag;
}
