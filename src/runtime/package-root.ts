import { accessSync, constants, mkdirSync, readFileSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InfraError } from '../errors.js';

const PACKAGE_NAME = 'hopscope';
/** src/runtime and dist/runtime are two levels down; the bound only guards against a broken install. */
const MAX_LEVELS_UP = 8;

let cachedRoot: string | undefined;

/** The folder holding hopscope's package.json, whether run from a checkout (src/) or an installed tarball (dist/). */
export function packageRoot(): string {
  if (cachedRoot !== undefined) return cachedRoot;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let level = 0; level < MAX_LEVELS_UP; level++) {
    if (isHopscopePackage(join(dir, 'package.json'))) return (cachedRoot = dir);
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  throw new InfraError(
    `cannot find hopscope's package.json above ${fileURLToPath(import.meta.url)}`,
    'reinstall hopscope: its reference services are located relative to its package root',
  );
}

function isHopscopePackage(packageJsonPath: string): boolean {
  try {
    return (JSON.parse(readFileSync(packageJsonPath, 'utf8')) as { name?: unknown }).name === PACKAGE_NAME;
  } catch {
    return false;
  }
}

export function isWritableDir(dir: string): boolean {
  try {
    accessSync(dir, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

export async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

/**
 * Where built binaries are kept: <package root>/.cache, or a folder in the temp dir when hopscope is installed
 * somewhere read-only (a global npm prefix owned by root).
 */
export function cacheRoot(): string {
  const root = packageRoot();
  const preferred = join(root, '.cache');
  try {
    mkdirSync(preferred, { recursive: true });
    if (isWritableDir(preferred)) return preferred;
  } catch {
    // fall through to the temp dir
  }
  const fallback = join(tmpdir(), 'hopscope-cache');
  mkdirSync(fallback, { recursive: true });
  return fallback;
}
