/**
 * Pack time (scripts/build-prebuilt.mjs, npm's prepack): builds the binaries the package ships in prebuilt/,
 * through the runtime's own build and cache, and writes the manifest that runtime/build/prebuilt.ts checks.
 */

import { chmod, copyFile, mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SERVICE_KINDS } from '../../scenario/reference-kinds.js';
import { ensureBinary, sourceHash } from './build.js';
import { currentPlatform, MANIFEST_FILE, manifestOf, prebuiltDir, type PrebuiltEntry, type PrebuiltManifest } from './prebuilt.js';
import type { BinarySource } from './recipes.js';
import { kindBinary, reaperBinary, RUST_PLATFORM } from './reference-recipes.js';

/** Go cross-builds with nothing but its own toolchain; these are the Linux platforms Docker and CI hosts run. */
const GO_PLATFORMS = ['linux-x64', 'linux-arm64'];
const GOARCH: Record<string, string> = { x64: 'amd64', arm64: 'arm64' };

export interface PrebuiltTarget {
  /** The binary as the runtime asks for it on `platform`: the manifest records its name and source hash. */
  binary: BinarySource;
  platform: string;
  /** How it is built now: the runtime's own recipe where that makes it (sharing its build cache), a cross-build elsewhere. */
  build: BinarySource;
}

export function prebuiltTargets(hostPlatform = currentPlatform()): PrebuiltTarget[] {
  const binaries = [...SERVICE_KINDS.map(kindBinary), reaperBinary()];
  return binaries.flatMap((binary) =>
    binary.tool === 'cargo'
      ? // The recipe names its target triple, so it makes the same binary on any host.
        [{ binary, platform: RUST_PLATFORM, build: binary }]
      : GO_PLATFORMS.map((platform) => ({ binary, platform, build: platform === hostPlatform ? binary : goCrossBuild(binary, platform) })),
  );
}

/** Its own name, so that its cache entry does not replace the native one. */
function goCrossBuild(binary: BinarySource, platform: string): BinarySource {
  const [goos, arch] = platform.split('-') as [string, string];
  const goarch = GOARCH[arch];
  if (goarch === undefined) throw new Error(`no GOARCH for ${platform}`);
  return {
    ...binary,
    name: `${binary.name}-${platform}`,
    env: { ...binary.env, GOOS: goos, GOARCH: goarch },
    fingerprint: `${binary.fingerprint} GOOS=${goos} GOARCH=${goarch}`,
  };
}

/** Replaces prebuilt/ with freshly checked binaries; one at a time, since a release build takes both cores. */
export async function writePrebuilt(log: (line: string) => void, targets = prebuiltTargets()): Promise<PrebuiltManifest> {
  const dir = prebuiltDir();
  await rm(dir, { recursive: true, force: true });
  const entries: PrebuiltEntry[] = [];
  for (const { binary, platform, build } of targets) {
    const built = await ensureBinary(build, log);
    const file = `${binary.name}/${platform}/${binary.name}`;
    await mkdir(join(dir, binary.name, platform), { recursive: true });
    await copyFile(built.path, join(dir, file));
    await chmod(join(dir, file), 0o755);
    entries.push({ name: binary.name, platform, file, sourceHash: await sourceHash(binary) });
  }
  const manifest = manifestOf(entries);
  await writeFile(join(dir, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}
