import { chmod, copyFile, readdir, rename, rm } from 'node:fs/promises';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { InfraError } from '../../errors.js';
import { indent } from '../log-tail.js';
import { cacheRoot, isFile, isWritableDir } from '../package-root.js';
import { currentPlatform, findPrebuilt, prebuiltDir } from './prebuilt.js';
import type { BinarySource } from './recipes.js';
import { runTool } from './run-tool.js';
import { hashSources, listSourceFiles } from './source-hash.js';

export interface BuiltBinary {
  /** The source's name: "rust-cache-server", "reaper". */
  name: string;
  path: string;
  /** First 12 hex digits of the source hash: names the cached binary and tags the image. */
  hash12: string;
  sourceDir: string;
}

/** A cold release build of an axum service takes minutes on two cores; this bound only catches a hang. */
const BUILD_TIMEOUT_MS = 20 * 60_000;
const FAILURE_TAIL_LINES = 30;
const CACHED_BINARY = /^(?<kind>.+)-[0-9a-f]{12}$/;

const inFlight = new Map<string, Promise<BuiltBinary>>();

/**
 * The service's static binary: the cached one, else the package's prebuilt one when it was made from the same
 * sources for this platform, else one built from source; cached by source hash. Concurrent callers (two
 * instances of one service) share one build.
 */
export function ensureBinary(recipe: BinarySource, log: (line: string) => void): Promise<BuiltBinary> {
  let pending = inFlight.get(recipe.name);
  if (pending === undefined) {
    pending = buildIfStale(recipe, log).finally(() => inFlight.delete(recipe.name));
    inFlight.set(recipe.name, pending);
  }
  return pending;
}

/** The hash that keys a binary: the build cache's name for it and the prebuilt manifest's check. */
export function sourceHash(recipe: BinarySource): Promise<string> {
  return hashSources(recipe.sourceDir, recipe.fingerprint);
}

async function buildIfStale(recipe: BinarySource, log: (line: string) => void): Promise<BuiltBinary> {
  const { name: kind, sourceDir } = recipe;
  if ((await listSourceFiles(sourceDir).catch(() => [])).length === 0) {
    throw new InfraError(
      `cannot build ${kind}: no sources in ${sourceDir}`,
      'reinstall hopscope or restore reference-services/ from its repository',
    );
  }
  const hash = await sourceHash(recipe);
  const hash12 = hash.slice(0, 12);
  const binDir = join(cacheRoot(), 'bin');
  mkdirSync(binDir, { recursive: true });
  const path = join(binDir, `${kind}-${hash12}`);
  const built: BuiltBinary = { name: kind, path, hash12, sourceDir };
  if (await isFile(path)) {
    log(`${kind}: using cached binary ${path}`);
    return built;
  }

  // Made under a temporary name and renamed, so a concurrent hopscope never runs a half-written binary.
  const partialPath = `${path}.partial-${process.pid}`;
  // Copied into the cache rather than run in place: npm may drop the executable bit, and the package may be read-only.
  const prebuilt = await findPrebuilt(prebuiltDir(), kind, currentPlatform(), hash);
  if (prebuilt.found) {
    await copyFile(prebuilt.path, partialPath);
    log(`${kind}: using the prebuilt binary ${prebuilt.path}`);
  } else {
    await buildFromSource(recipe, { path, partialPath }, prebuilt.why, log);
  }
  await chmod(partialPath, 0o755);
  await rename(partialPath, path);
  await pruneOtherVersions(binDir, kind, path);
  if (!prebuilt.found) log(`${kind}: built ${path}`);
  return built;
}

/** Builds into partialPath; `noPrebuilt` says why no prebuilt binary fits, for the error when the tool is missing too. */
async function buildFromSource(
  recipe: BinarySource,
  { path, partialPath }: { path: string; partialPath: string },
  noPrebuilt: string,
  log: (line: string) => void,
): Promise<void> {
  const { name: kind, sourceDir } = recipe;
  const targetDir =
    process.env.CARGO_TARGET_DIR ?? (isWritableDir(sourceDir) ? join(sourceDir, 'target') : join(cacheRoot(), 'cargo-target'));
  const command = shellCommand(recipe.env, recipe.tool, recipe.args(path));
  log(`${kind}: building (${command}) in ${sourceDir}`);
  const outcome = await runTool(
    {
      tool: recipe.tool,
      args: recipe.args(partialPath),
      cwd: sourceDir,
      env: { ...process.env, ...recipe.env, CARGO_TARGET_DIR: targetDir },
      timeoutMs: BUILD_TIMEOUT_MS,
      tailLines: FAILURE_TAIL_LINES,
    },
    () => noBuildToolError(recipe, noPrebuilt),
  );
  if (!outcome.ok) {
    for (const line of outcome.tail) log(`${kind} build: ${line}`);
    await rm(partialPath, { force: true });
    throw new InfraError(
      `building ${kind} failed: ${recipe.tool} ${outcome.why}; its last output lines:\n${indent(outcome.tail)}`,
      `to see the whole output, run in ${sourceDir}: ${command}`,
    );
  }
  if (recipe.producedAt) await copyFile(recipe.producedAt(targetDir), partialPath);
}

/** Neither a fitting prebuilt binary nor the tool to build one: say both, and what to install. */
export function noBuildToolError(recipe: BinarySource, noPrebuilt: string): InfraError {
  return new InfraError(`cannot run ${recipe.name}: \`${recipe.tool}\` is not on PATH to build it from source, and no prebuilt binary fits: ${noPrebuilt}`, recipe.installHint);
}

/** The build as a user would type it, to rerun by hand. */
function shellCommand(env: Record<string, string>, tool: string, args: string[]): string {
  const quote = (word: string): string => (/^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", "'\\''")}'`);
  const assignments = Object.entries(env).map(([key, value]) => `${key}=${quote(value)}`);
  return [...assignments, tool, ...args.map(quote)].join(' ');
}

/** Each source change leaves a ~10 MB binary behind; keep only the current one. Running copies are unaffected. */
async function pruneOtherVersions(binDir: string, kind: string, keepPath: string): Promise<void> {
  for (const name of await readdir(binDir)) {
    const match = CACHED_BINARY.exec(name);
    if (match?.groups?.kind !== kind || join(binDir, name) === keepPath) continue;
    await rm(join(binDir, name), { force: true });
  }
}
