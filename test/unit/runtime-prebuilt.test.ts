import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ExitCode } from '../../src/errors.js';
import { noBuildToolError } from '../../src/runtime/build/build.js';
import { prebuiltTargets } from '../../src/runtime/build/pack-prebuilt.js';
import { findPrebuilt, MANIFEST_FILE, manifestOf, type PrebuiltEntry } from '../../src/runtime/build/prebuilt.js';
import { kindBinary } from '../../src/runtime/build/reference-recipes.js';

const HASH = 'a'.repeat(64);
const OTHER_HASH = 'b'.repeat(64);
const dirs: string[] = [];

/** A prebuilt folder as writePrebuilt leaves it: the manifest and each listed file (unless `missing`). */
function prebuiltFolder(entries: PrebuiltEntry[], missing: string[] = []): string {
  const dir = mkdtempSync(join(tmpdir(), 'hopscope-prebuilt-'));
  dirs.push(dir);
  for (const entry of entries) {
    if (missing.includes(entry.file)) continue;
    mkdirSync(join(dir, entry.name, entry.platform), { recursive: true });
    writeFileSync(join(dir, entry.file), 'binary');
  }
  writeFileSync(join(dir, MANIFEST_FILE), JSON.stringify(manifestOf(entries)));
  return dir;
}

const entry = (name: string, platform: string, sourceHash = HASH): PrebuiltEntry => ({ name, platform, file: `${name}/${platform}/${name}`, sourceHash });

afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('choosing a prebuilt binary', () => {
  it('uses the one built for this platform from the same sources', async () => {
    const dir = prebuiltFolder([entry('rust-cache-server', 'linux-x64'), entry('rust-cache-server', 'linux-arm64', OTHER_HASH)]);
    expect(await findPrebuilt(dir, 'rust-cache-server', 'linux-x64', HASH)).toEqual({ found: true, path: join(dir, 'rust-cache-server/linux-x64/rust-cache-server') });
    expect(await findPrebuilt(dir, 'rust-cache-server', 'linux-arm64', OTHER_HASH)).toEqual({
      found: true,
      path: join(dir, 'rust-cache-server/linux-arm64/rust-cache-server'),
    });
  });

  it('refuses one built from other sources, naming both hashes', async () => {
    const dir = prebuiltFolder([entry('fastjson-api', 'linux-x64')]);
    expect(await findPrebuilt(dir, 'fastjson-api', 'linux-x64', OTHER_HASH)).toEqual({
      found: false,
      why: 'the prebuilt fastjson-api for linux-x64 was built from sources aaaaaaaaaaaa, but the package now holds sources bbbbbbbbbbbb',
    });
  });

  it('names the platforms it has when this one is missing', async () => {
    const dir = prebuiltFolder([entry('fastjson-api', 'linux-x64'), entry('reaper', 'linux-arm64')]);
    expect(await findPrebuilt(dir, 'fastjson-api', 'linux-arm64', HASH)).toEqual({ found: false, why: 'prebuilt fastjson-api binaries exist for linux-x64, not for linux-arm64' });
    expect(await findPrebuilt(dir, 'rust-cache-server', 'linux-x64', HASH)).toEqual({ found: false, why: 'the package ships no prebuilt rust-cache-server' });
  });

  it('says so when the folder, the manifest or a listed file is missing or damaged', async () => {
    const none = join(tmpdir(), 'hopscope-prebuilt-none');
    expect(await findPrebuilt(none, 'reaper', 'linux-x64', HASH)).toEqual({ found: false, why: `this copy of hopscope has no prebuilt binaries (no ${join(none, MANIFEST_FILE)})` });

    const damaged = prebuiltFolder([]);
    writeFileSync(join(damaged, MANIFEST_FILE), '{"format": 1, "entries": [{"name": "reaper"}]}');
    expect(await findPrebuilt(damaged, 'reaper', 'linux-x64', HASH)).toEqual({ found: false, why: `${join(damaged, MANIFEST_FILE)} is not a prebuilt manifest of format 1` });

    const gone = prebuiltFolder([entry('reaper', 'linux-x64')], ['reaper/linux-x64/reaper']);
    expect(await findPrebuilt(gone, 'reaper', 'linux-x64', HASH)).toEqual({
      found: false,
      why: `${join(gone, 'reaper/linux-x64/reaper')}, listed in ${join(gone, MANIFEST_FILE)}, is missing`,
    });
  });

  it('says, when the build tool is missing too, why no prebuilt binary fits and what to install (exit 3)', () => {
    const error = noBuildToolError(kindBinary('fastjson-api'), 'prebuilt fastjson-api binaries exist for linux-x64, not for linux-arm64');
    expect(error.exitCode).toBe(ExitCode.infrastructure);
    expect(error.message).toBe(
      'cannot run fastjson-api: `cargo` is not on PATH to build it from source, and no prebuilt binary fits: prebuilt fastjson-api binaries exist for linux-x64, not for linux-arm64',
    );
    expect(error.hint).toContain('https://rustup.rs');
    expect(noBuildToolError(kindBinary('rust-cache-server'), 'x').hint).toContain('https://go.dev/dl');
  });
});

describe('what the package prebuilds', () => {
  it('fastjson-api for its pinned target; the Go binaries for linux x64 and arm64, natively where the host is one of them', () => {
    const targets = prebuiltTargets('linux-x64').map((t) => ({ name: t.binary.name, platform: t.platform, build: t.build.name, env: t.build.env }));
    expect(targets).toEqual([
      { name: 'fastjson-api', platform: 'linux-x64', build: 'fastjson-api', env: kindBinary('fastjson-api').env },
      { name: 'rust-cache-server', platform: 'linux-x64', build: 'rust-cache-server', env: { CGO_ENABLED: '0', GOTOOLCHAIN: 'local' } },
      {
        name: 'rust-cache-server',
        platform: 'linux-arm64',
        build: 'rust-cache-server-linux-arm64',
        env: { CGO_ENABLED: '0', GOTOOLCHAIN: 'local', GOOS: 'linux', GOARCH: 'arm64' },
      },
      { name: 'reaper', platform: 'linux-x64', build: 'reaper', env: { CGO_ENABLED: '0', GOTOOLCHAIN: 'local' } },
      { name: 'reaper', platform: 'linux-arm64', build: 'reaper-linux-arm64', env: { CGO_ENABLED: '0', GOTOOLCHAIN: 'local', GOOS: 'linux', GOARCH: 'arm64' } },
    ]);
    // A cross-build's fingerprint differs, so it is cached apart; the manifest still records the runtime's hash.
    const arm = prebuiltTargets('linux-x64').find((t) => t.build.name === 'reaper-linux-arm64')!;
    expect(arm.build.fingerprint).not.toBe(arm.binary.fingerprint);
  });
});
