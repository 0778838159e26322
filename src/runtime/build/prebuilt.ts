/**
 * The static binaries built when the package was packed (scripts/build-prebuilt.mjs), so that a machine with
 * Node alone runs the reference services. A binary is used only where it was built for this platform from the
 * very sources the package ships: its manifest entry records their hash, made by the same code as the build
 * cache's key (source-hash.ts).
 */

import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isFile, packageRoot } from '../package-root.js';

/** The package-root folder holding them: `<name>/<platform>/<name>` and the manifest. */
export const PREBUILT_DIR = 'prebuilt';
export const MANIFEST_FILE = 'manifest.json';
const MANIFEST_FORMAT = 1;

export interface PrebuiltEntry {
  /** The binary's source name: "fastjson-api", "reaper". */
  name: string;
  /** As Node names it: `${process.platform}-${process.arch}`, e.g. "linux-x64". */
  platform: string;
  /** Relative to the prebuilt folder, '/'-separated. */
  file: string;
  /** hashSources() of the service folder with the runtime's recipe, in full. */
  sourceHash: string;
}

export interface PrebuiltManifest {
  format: typeof MANIFEST_FORMAT;
  entries: PrebuiltEntry[];
}

export type PrebuiltLookup = { found: true; path: string } | { found: false; why: string };

/** Where this installation's prebuilt binaries are, if it has any. */
export function prebuiltDir(): string {
  return join(packageRoot(), PREBUILT_DIR);
}

export function currentPlatform(): string {
  return `${process.platform}-${process.arch}`;
}

export function manifestOf(entries: PrebuiltEntry[]): PrebuiltManifest {
  return { format: MANIFEST_FORMAT, entries };
}

/** The prebuilt binary of `name` for `platform` if it was built from sources hashing to `sourceHash`; otherwise why not, for the error that follows when no build tool is there either. */
export async function findPrebuilt(dir: string, name: string, platform: string, sourceHash: string): Promise<PrebuiltLookup> {
  const manifestPath = join(dir, MANIFEST_FILE);
  let text: string;
  try {
    text = await readFile(manifestPath, 'utf8');
  } catch {
    // A git checkout: binaries are only prebuilt by `npm pack`.
    return { found: false, why: `this copy of hopscope has no prebuilt binaries (no ${manifestPath})` };
  }
  const manifest = parseManifest(text);
  if (manifest === undefined) return { found: false, why: `${manifestPath} is not a prebuilt manifest of format ${MANIFEST_FORMAT}` };

  const ofName = manifest.entries.filter((entry) => entry.name === name);
  const entry = ofName.find((candidate) => candidate.platform === platform);
  if (entry === undefined) {
    const platforms = ofName.map((candidate) => candidate.platform).join(', ');
    return { found: false, why: ofName.length === 0 ? `the package ships no prebuilt ${name}` : `prebuilt ${name} binaries exist for ${platforms}, not for ${platform}` };
  }
  if (entry.sourceHash !== sourceHash) {
    return {
      found: false,
      why: `the prebuilt ${name} for ${platform} was built from sources ${entry.sourceHash.slice(0, 12)}, but the package now holds sources ${sourceHash.slice(0, 12)}`,
    };
  }
  const path = join(dir, ...entry.file.split('/'));
  if (!(await isFile(path))) return { found: false, why: `${path}, listed in ${manifestPath}, is missing` };
  return { found: true, path };
}

function parseManifest(text: string): PrebuiltManifest | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const { format, entries } = value as { format?: unknown; entries?: unknown };
  if (format !== MANIFEST_FORMAT || !Array.isArray(entries) || !entries.every(isEntry)) return undefined;
  return { format, entries };
}

function isEntry(value: unknown): value is PrebuiltEntry {
  if (typeof value !== 'object' || value === null) return false;
  const entry = value as Record<string, unknown>;
  return ['name', 'platform', 'file', 'sourceHash'].every((key) => typeof entry[key] === 'string');
}
