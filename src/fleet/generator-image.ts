/**
 * The generator image, built locally FROM scratch (no registry): this machine's node binary with the shared
 * libraries ldd names, plus this hopscope's dist/, package.json and production node_modules. The build
 * context goes to each engine, as for the services' images; the tag is a hash of dist/ and the node
 * binary, so an engine rebuilds only when hopscope or node changed.
 */

import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, realpathSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { pack } from 'tar-stream';
import { InfraError } from '../errors.js';
import { CLI_V8_FLAGS } from '../node-flags.js';
import { engineMessage, type DockerEngine } from '../runtime/docker/client.js';
import { HOPSCOPE_LABEL } from '../runtime/docker/labels.js';
import { packageRoot } from '../runtime/package-root.js';

export const APP_DIR = '/app';

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : e.isFile() ? [join(dir, e.name)] : []));
}

/** What only the coordinator loads: a generator never talks to a cluster. */
const COORDINATOR_ONLY = new Set(['@kubernetes/client-node']);

interface LockPackage {
  dev?: boolean;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
}

/**
 * node_modules folders a generator needs: the production dependencies but the coordinator's own, and what
 * they require, resolved from package-lock.json as node resolves (the nearest node_modules up the tree).
 * All of node_modules if there is no lock.
 */
function productionModules(root: string): string[] {
  const lockPath = join(root, 'package-lock.json');
  if (!existsSync(lockPath)) return existsSync(join(root, 'node_modules')) ? [join(root, 'node_modules')] : [];
  const packages = (JSON.parse(readFileSync(lockPath, 'utf8')) as { packages?: Record<string, LockPackage> }).packages ?? {};
  const resolve = (from: string, name: string): string | undefined => {
    for (let dir = from; ; dir = dir.slice(0, Math.max(0, dir.lastIndexOf('/node_modules/')))) {
      const candidate = `${dir ? `${dir}/` : ''}node_modules/${name}`;
      if (packages[candidate]) return candidate;
      if (!dir) return undefined;
    }
  };
  const needed = new Set<string>();
  const visit = (path: string) => {
    if (needed.has(path)) return;
    needed.add(path);
    const info = packages[path]!;
    for (const name of Object.keys({ ...info.dependencies, ...info.optionalDependencies })) {
      const dep = resolve(path, name);
      if (dep) visit(dep);
    }
  };
  for (const name of Object.keys(packages['']?.dependencies ?? {})) {
    const dep = COORDINATOR_ONLY.has(name) ? undefined : resolve('', name);
    if (dep) visit(dep);
  }
  return [...needed].filter((path) => !packages[path]!.dev && existsSync(join(root, path))).map((path) => join(root, path));
}

/** The node binary and its shared libraries (ldd), at their own paths. */
function nodeFiles(): string[] {
  const node = realpathSync(process.execPath);
  const libs = execFileSync('ldd', [node], { encoding: 'utf8' })
    .split('\n')
    .map((line) => /(\/\S+)\s+\(0x/.exec(line)?.[1])
    .filter((path): path is string => path !== undefined);
  return [node, ...libs];
}

export interface GeneratorImage {
  tag: string;
  files: { path: string; name: string }[];
  nodePath: string;
}

export function generatorImageFiles(): GeneratorImage {
  const root = packageRoot();
  const dist = join(root, 'dist');
  if (!existsSync(join(dist, 'cli', 'main.js'))) throw new InfraError(`the generator image needs the compiled ${dist}`, 'npm run build');
  const [nodePath, ...libs] = nodeFiles();
  // Without the CLI's code cache (cli/start.cts): a run writes it beside the bundle whenever it is missing, and
  // it would change the image's tag, and so rebuild the image, for the same program.
  const program = walk(dist).filter((path) => !path.endsWith('.v8cache'));
  const app = [join(root, 'package.json'), ...program, ...productionModules(root).flatMap((m) => walk(m))];
  const files = [
    ...[nodePath!, ...libs].map((path) => ({ path: realpathSync(path), name: path.slice(1) })),
    ...[...new Set(app)].map((path) => ({ path, name: `${APP_DIR.slice(1)}/${relative(root, path)}` })),
  ];
  const hash = createHash('sha256');
  hash.update(`${process.version}\0${statSync(nodePath!).size}\0${entrypoint(nodePath!).join('\0')}\0`);
  for (const f of program.sort()) hash.update(`${relative(root, f)}\0`).update(readFileSync(f));
  return { tag: `hopscope/generator:${hash.digest('hex').slice(0, 12)}`, files, nodePath: nodePath! };
}

/** The CLI as its `bin` starts it, with the CLI's V8 flags: the image has no shell to read the bin's first lines. */
function entrypoint(nodePath: string): string[] {
  return [nodePath, ...CLI_V8_FLAGS, `${APP_DIR}/dist/cli/main.js`];
}

/** Builds the image on `engine` unless it has the tag; returns the tag. */
export async function ensureGeneratorImage(engine: DockerEngine, image: GeneratorImage, log: (line: string) => void): Promise<string> {
  if (await engine.hasImage(image.tag)) return image.tag;
  const startedAt = Date.now();
  const context = pack();
  const dockerfile = `FROM scratch\nCOPY . /\nENTRYPOINT ${JSON.stringify(entrypoint(image.nodePath))}\n`;
  context.entry({ name: 'Dockerfile', mode: 0o644 }, dockerfile);
  let bytes = 0;
  for (const f of image.files) {
    const content = readFileSync(f.path);
    bytes += content.length;
    context.entry({ name: f.name, mode: statSync(f.path).mode & 0o777 }, content);
  }
  context.finalize();
  log(`generator image ${image.tag}: building on ${engine.address.description} (${image.files.length} files, ${(bytes / 1e6).toFixed(1)} MB)`);
  try {
    // tar-stream's typings declare an async iterator that @types/node 20's ReadableStream does not accept.
    await engine.buildImage(context as unknown as NodeJS.ReadableStream, image.tag, { [HOPSCOPE_LABEL]: '1' });
  } catch (error) {
    throw new InfraError(`building the generator image ${image.tag} on ${engine.address.description} failed: ${engineMessage(error)}`);
  }
  log(`generator image ${image.tag}: built in ${((Date.now() - startedAt) / 1000).toFixed(1)} s`);
  return image.tag;
}
