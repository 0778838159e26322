/**
 * What a user gets from npm: `npm pack` makes a tarball holding the built CLI, and `npx` runs it from an
 * empty folder (installing the dependencies from the registry). Bounded: a few minutes at most.
 */

import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const PACK_TIMEOUT_MS = 90_000;
const NPX_TIMEOUT_MS = 150_000;

const empty = mkdtempSync(join(tmpdir(), 'hopscope-npx-'));
afterAll(() => rmSync(empty, { recursive: true, force: true }));

describe('npm pack + npx', () => {
  it('packs the CLI and runs `npx --yes ./hopscope-<version>.tgz --help` in an empty folder', { timeout: PACK_TIMEOUT_MS + NPX_TIMEOUT_MS }, async () => {
    // `prepare` builds dist/ before packing.
    const packed = await run('npm', ['pack', '--json', '--pack-destination', empty], { cwd: ROOT, timeout: PACK_TIMEOUT_MS, maxBuffer: 64 << 20 });
    const [info] = JSON.parse(packed.stdout.slice(packed.stdout.indexOf('['))) as { filename: string; files: { path: string }[] }[];
    const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    expect(info!.filename).toBe(`hopscope-${version}.tgz`);
    const files = info!.files.map((f) => f.path);
    expect(files).toContain('dist/cli/main.js');
    expect(files).toContain('scenarios/quickstart.yaml');
    expect(files.filter((f) => f.startsWith('src/') || f.startsWith('test/'))).toEqual([]);

    // The folder holds nothing but the tarball: no package.json, no node_modules.
    const npx = await run('npx', ['--yes', `./${info!.filename}`, '--help'], {
      cwd: empty,
      timeout: NPX_TIMEOUT_MS,
      env: { ...process.env, npm_config_update_notifier: 'false' },
    });
    expect(npx.stdout).toContain('Usage: hopscope [options] [command]');
    for (const command of ['run', 'gate', 'compare']) expect(npx.stdout).toMatch(new RegExp(`^  ${command} `, 'm'));
  });
});
