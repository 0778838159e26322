/**
 * What a user gets from npm: `npm pack` makes a tarball holding the built CLI and the reference services'
 * prebuilt binaries; `npx` runs it from an empty folder (installing the dependencies from the registry), and
 * the quickstart runs where neither cargo nor go is on PATH. Bounded: the pack builds only what the runtime's
 * cache lacks (a cold fastjson-api release build is minutes on two cores), everything after it a few minutes.
 */

import { execFile, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { summaryOf } from './cli-helpers.js';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** The runtime's own build bound (a cold release build) plus tsc twice (prepack, then npm's prepare). */
const PACK_TIMEOUT_MS = 22 * 60_000;
const NPX_TIMEOUT_MS = 150_000;
const INSTALL_TIMEOUT_MS = 240_000;
const RUN_TIMEOUT_MS = 180_000;
const BUILD_TOOLS = ['cargo', 'rustc', 'rustup', 'go'];

const empty = mkdtempSync(join(tmpdir(), 'hopscope-npx-'));
let tarball: { filename: string; files: string[] };
afterAll(() => rmSync(empty, { recursive: true, force: true }));

beforeAll(async () => {
  // prepack builds dist/ and prebuilt/; `prepare` builds dist/ again before packing.
  const packed = await run('npm', ['pack', '--json', '--pack-destination', empty], { cwd: ROOT, timeout: PACK_TIMEOUT_MS, maxBuffer: 64 << 20 });
  const [info] = JSON.parse(packed.stdout.slice(packed.stdout.indexOf('['))) as { filename: string; files: { path: string }[] }[];
  tarball = { filename: info!.filename, files: info!.files.map((f) => f.path) };
}, PACK_TIMEOUT_MS);

describe('npm pack + npx', () => {
  it('packs the CLI and runs `npx --yes ./hopscope-<version>.tgz --help` in an empty folder', { timeout: NPX_TIMEOUT_MS }, async () => {
    const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    expect(tarball.filename).toBe(`hopscope-${version}.tgz`);
    // the start, and the package.json that makes it CommonJS
    expect(tarball.files).toEqual(expect.arrayContaining(['dist/cli/main.js', 'dist/cli/package.json']));
    expect(tarball.files).toContain('scenarios/quickstart.yaml');
    expect(tarball.files.filter((f) => f.startsWith('src/') || f.startsWith('test/'))).toEqual([]);

    // The folder holds nothing but the tarball: no package.json, no node_modules.
    const npx = await run('npx', ['--yes', `./${tarball.filename}`, '--help'], {
      cwd: empty,
      timeout: NPX_TIMEOUT_MS,
      env: { ...process.env, npm_config_update_notifier: 'false' },
    });
    expect(npx.stdout).toContain('Usage: hopscope [options] [command]');
    for (const command of ['run', 'gate', 'compare']) expect(npx.stdout).toMatch(new RegExp(`^  ${command} `, 'm'));
  });

  it('ships the binaries prebuilt and runs the quickstart from the installed tarball with Node alone', { timeout: INSTALL_TIMEOUT_MS + RUN_TIMEOUT_MS }, async () => {
    for (const file of ['prebuilt/manifest.json', 'prebuilt/fastjson-api/linux-x64/fastjson-api', 'prebuilt/rust-cache-server/linux-x64/rust-cache-server'])
      expect(tarball.files).toContain(file);
    expect(tarball.files).toContain('prebuilt/rust-cache-server/linux-arm64/rust-cache-server');

    const { project, env } = await installed();
    const scenario = shortQuickstart(join(project, 'node_modules/hopscope/scenarios'), project);
    const out = join(project, 'run');
    const result = await run('npx', ['hopscope', 'run', scenario, '--runtime', 'process', '--out', out], { cwd: project, env, timeout: RUN_TIMEOUT_MS, maxBuffer: 64 << 20 }).catch(
      (error: { code: number; stderr: string }) => {
        throw new Error(`hopscope exited ${error.code}:\n${error.stderr}`);
      },
    );
    for (const kind of ['fastjson-api', 'rust-cache-server']) expect(result.stderr).toContain(`${kind}: using the prebuilt binary`);
    expect(summaryOf(out).overall.count).toBeGreaterThan(0);
  });
});

describe('the installed package as a library', () => {
  it('compiles examples/library with tsc --strict against its declarations, and runs it and the plain-ESM example against a local server', { timeout: INSTALL_TIMEOUT_MS + RUN_TIMEOUT_MS }, async () => {
    const { project, env } = await installed();
    expect(tarball.files).toContain('dist/index.d.ts');
    for (const file of ['scenario.ts', 'load-test.ts', 'quick.mjs', 'tsconfig.json']) cpSync(join(ROOT, 'examples/library', file), join(project, file));
    // The repository's TypeScript and Node types: the example's own devDependencies, without another install.
    const tsc = await run(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json', '--typeRoots', join(ROOT, 'node_modules/@types')], { cwd: project, env }).catch(
      (error: { stdout: string }) => {
        throw new Error(`tsc --strict failed:\n${error.stdout}`);
      },
    );
    expect(tsc.stdout).toBe('');

    const server = spawn(process.execPath, ['-e', "const s = require('node:http').createServer((q, r) => r.end('ok')).listen(0, '127.0.0.1', () => console.log(s.address().port))"], { stdio: ['ignore', 'pipe', 'ignore'] });
    try {
      const port = await new Promise<string>((resolve) => server.stdout.once('data', (d: Buffer) => resolve(d.toString().trim())));
      const exampleEnv = { ...env, TARGET: `http://127.0.0.1:${port}`, STEP: '1s' };
      const typed = await run(process.execPath, ['load-test.js'], { cwd: project, env: { ...exampleEnv, OUT: join(project, 'typed') }, timeout: RUN_TIMEOUT_MS });
      expect(typed.stdout).toMatch(/^p50 \d+ us, p99 \d+ us, \d+ responses; run folder /);
      expect(typed.stdout).toContain('pass request root p50 < 20ms: p50 = ');
      expect(typed.stderr).toContain('phase rate-400: ');
      expect(summaryOf(join(project, 'typed')).phases.map((p) => p.name)).toEqual(['rate-100', 'rate-200', 'rate-400']);

      const plain = await run(process.execPath, ['quick.mjs'], { cwd: project, env: { ...exampleEnv, OUT: join(project, 'plain') }, timeout: RUN_TIMEOUT_MS });
      const printed = JSON.parse(plain.stdout) as { p99Us: number; count: number; outDir: string };
      expect(printed.count).toBeGreaterThan(100);
      expect(printed.p99Us).toBe(summaryOf(join(project, 'plain')).overall.latency.p99Us);
    } finally {
      server.kill();
    }
  });
});

/** The tarball installed once in an empty ESM project on a Node-only PATH; the tests above share it. */
const installed = (() => {
  let done: Promise<{ project: string; env: NodeJS.ProcessEnv }> | undefined;
  return () =>
    (done ??= (async () => {
      const project = join(empty, 'project');
      mkdirSync(project);
      writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'uses-hopscope', private: true, type: 'module' }));
      const env = { ...nodeOnlyEnv(join(empty, 'node-bin')), npm_config_update_notifier: 'false' };
      const tools = await run('sh', ['-c', `for t in ${BUILD_TOOLS.join(' ')}; do command -v $t; done; true`], { env });
      expect(tools.stdout, 'the PATH of this test must hold no build tool').toBe('');
      await run('npm', ['install', '--no-audit', '--no-fund', join(empty, tarball.filename)], { cwd: project, env, timeout: INSTALL_TIMEOUT_MS });
      return { project, env };
    })());
})();

/**
 * The environment of a machine with Node but no Rust or Go: node, npm and npx linked into one folder, then
 * every PATH folder that holds none of the build tools.
 */
function nodeOnlyEnv(binDir: string): NodeJS.ProcessEnv {
  const path = (process.env.PATH ?? '').split(delimiter).filter((dir) => dir !== '');
  mkdirSync(binDir);
  symlinkSync(process.execPath, join(binDir, 'node'));
  for (const tool of ['npm', 'npx']) {
    const found = path.map((dir) => join(dir, tool)).find((file) => existsSync(file));
    if (found === undefined) throw new Error(`${tool} is not on PATH`);
    symlinkSync(realpathSync(found), join(binDir, tool));
  }
  const kept = path.filter((dir) => !BUILD_TOOLS.some((tool) => existsSync(join(dir, tool))));
  const env: NodeJS.ProcessEnv = { ...process.env, PATH: [binDir, ...kept].join(delimiter) };
  for (const key of ['CARGO_HOME', 'RUSTUP_HOME', 'CARGO_TARGET_DIR', 'GOROOT', 'GOPATH']) delete env[key];
  return env;
}

/**
 * The packaged quickstart with its services, chain and request mix, in seconds instead of half a minute and
 * without its thresholds: the test is about the binaries running, not about this busy machine's p99.
 */
function shortQuickstart(scenarios: string, into: string): string {
  const scenario = parse(readFileSync(join(scenarios, 'quickstart.yaml'), 'utf8')) as {
    phases: { duration: string; load: { rate?: number } }[];
    thresholds?: string[];
  };
  for (const phase of scenario.phases) {
    phase.duration = '2s';
    if (phase.load.rate !== undefined) phase.load.rate = Math.min(phase.load.rate, 300);
  }
  delete scenario.thresholds;
  cpSync(join(scenarios, 'payloads'), join(into, 'payloads'), { recursive: true });
  const file = join(into, 'quickstart-short.yaml');
  writeFileSync(file, stringify(scenario));
  return file;
}
