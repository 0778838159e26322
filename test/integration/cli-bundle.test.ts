/**
 * The bundled CLI (scripts/bundle-cli.mjs): dist/cli/main.js, the package's `bin`, is the start
 * (src/cli/start.cts), which runs the CommonJS bundle dist/bin/cli.cjs through a V8 code cache beside it; the
 * --workers thread entry is dist/bin/worker-main.js, CommonJS too. Every file they load is one of those or a runtime
 * dependency, so an installed package without devDependencies runs them, and the files their code finds
 * beside itself (the --workers entry, the summary validator) are there; the scenario validator's code is
 * inside the bundle. The end-to-end tests run this same CLI; these read the bundle's text and run a copy of
 * it to see its code cache made, used and replaced.
 */

import { accessSync, constants, cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { basename, dirname, join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI_V8_FLAGS } from '../../src/node-flags.js';
import { CLI, ROOT, run } from './cli-helpers.js';

const BIN = join(ROOT, 'dist/bin');
const PROGRAM = join(BIN, 'cli.cjs');
const WORKER = join(BIN, 'worker-main.js');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string; bin: Record<string, string>; dependencies: Record<string, string> };

/** What a file imports or requires (static, dynamic) and what it opens beside itself by URL. */
function references(path: string): { specifiers: string[]; beside: string[] } {
  const text = readFileSync(path, 'utf8');
  // esbuild writes each static import or re-export as a statement whose line ends in `from "x";` (a
  // multi-line one's last line starts with `}`), a bare import as `import "x";`, a dynamic one as import("x"),
  // and in CommonJS a require("x"); tsc's start writes single quotes.
  const statements = [...text.matchAll(/^(?:import|export|\})[^\n;]*?\bfrom\s*["']([^"']+)["'];$|^import\s*["']([^"']+)["'];$/gm)].map((m) => (m[1] ?? m[2])!);
  const calls = [...text.matchAll(/\b(?:import|require)\("([^"]+)"\)/g)].map((m) => m[1]!);
  const beside = [...text.matchAll(/new URL\(\s*["']([^"']+)["'],\s*(?:import\.meta\.url|__hopscopeBundleUrl)\s*\)/g)].map((m) => m[1]!);
  return { specifiers: [...statements, ...calls], beside };
}

/** 'ajv/dist/x.js' -> 'ajv'; '@scope/name/x' -> '@scope/name'. */
function packageOf(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
}

const builtins = new Set(builtinModules);
const isBuiltin = (specifier: string) => specifier.startsWith('node:') || builtins.has(specifier);

describe('the bundled CLI', () => {
  it('is what the package runs as `hopscope`: dist/cli/main.js, executable, CommonJS, a shell start for Node, starting dist/bin/cli.cjs with Node built-ins', () => {
    expect(join(ROOT, pkg.bin.hopscope!)).toBe(CLI);
    const text = readFileSync(CLI, 'utf8');
    expect(text.startsWith("#!/bin/sh\n':' //; ")).toBe(true);
    expect(() => accessSync(CLI, constants.X_OK)).not.toThrow();
    expect(JSON.parse(readFileSync(join(dirname(CLI), 'package.json'), 'utf8'))).toEqual({ type: 'commonjs' });
    expect(references(CLI).specifiers.filter((s) => !isBuiltin(s))).toEqual([]);
    expect(join(dirname(CLI), /\(__dirname, '([^']+)'\)/.exec(text)![1]!)).toBe(PROGRAM);
  });

  it("started as its bin, runs Node with the CLI's V8 flags, but not over a young generation sized in NODE_OPTIONS (node-flags.ts)", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hopscope-bin-flags-'));
    try {
      const probe = join(dir, 'argv.cjs');
      const seen = join(dir, 'argv.json');
      writeFileSync(probe, `require('node:fs').writeFileSync(${JSON.stringify(seen)}, JSON.stringify(process.execArgv));\n`);
      const execArgv = async (nodeOptions: string) => {
        const { stdout } = await run(CLI, ['--version'], { cwd: dir, timeout: 30_000, env: { ...process.env, NODE_OPTIONS: nodeOptions } });
        expect(stdout.trim()).toBe(pkg.version);
        return JSON.parse(readFileSync(seen, 'utf8')) as string[];
      };
      expect(await execArgv(`--require ${probe}`)).toEqual(CLI_V8_FLAGS);
      expect(await execArgv(`--require ${probe} --max-semi-space-size=8`)).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('imports no package or file with its own import(): read from the code cache, it could not (import-module.ts)', () => {
    expect([...readFileSync(PROGRAM, 'utf8').matchAll(/\bimport\(\s*["'`]/g)]).toEqual([]);
  });

  it('imports only its own files, Node built-ins and runtime dependencies', () => {
    const allowedPackages = new Set(Object.keys(pkg.dependencies));
    const wrong: string[] = [];
    for (const file of [PROGRAM, WORKER]) {
      const name = relative(ROOT, file);
      for (const specifier of references(file).specifiers) {
        if (specifier.startsWith('.') || specifier.startsWith('/')) wrong.push(`${name}: ${specifier} (a file: each bundle is one)`);
        else if (!isBuiltin(specifier) && !allowedPackages.has(packageOf(specifier))) wrong.push(`${name}: ${specifier} (not a runtime dependency)`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('has beside its code every file that code opens by a relative URL (the --workers entry, the summary validator), or carries it inside (the scenario validator)', () => {
    const program = readFileSync(PROGRAM, 'utf8');
    const carrier = program.slice(program.lastIndexOf('\nfunction __hopscopeCarriedModule(name) {'));
    const carried = [...carrier.matchAll(/^ {4}case "([^"]+)":$/gm)].map((m) => m[1]!);
    expect(carried).toEqual(['scenario-validator.cjs']);
    const beside = [PROGRAM, WORKER].flatMap((file) => references(file).beside.map((url) => join(dirname(file), url)));
    const opened = [...new Set(beside)].filter((path) => !carried.includes(basename(path)));
    expect(opened.map((path) => relative(ROOT, path)).sort()).toEqual(['dist/bin/summary-validator.cjs', 'dist/bin/worker-main.js']);
    for (const path of opened) expect(existsSync(path), path).toBe(true);
    expect(carried.filter((name) => existsSync(join(BIN, name)))).toEqual([]);
  });

  it('is strict code, as the ES modules it was made of', () => {
    for (const file of [PROGRAM, WORKER]) expect(readFileSync(file, 'utf8').split('\n').find((line) => line.trim() !== '')).toBe('"use strict";');
  });

  it('starts a --workers thread from one CommonJS file that loads Node built-ins only: no ES module loader, no package to resolve', () => {
    expect(JSON.parse(readFileSync(join(BIN, 'package.json'), 'utf8'))).toEqual({ type: 'commonjs' });
    expect(references(WORKER).specifiers.filter((s) => !isBuiltin(s))).toEqual([]);
  });
});

describe("the CLI's code cache", () => {
  // A copy of the package's built files, so that the cache these runs write is theirs alone.
  let root: string;
  let server: Server;
  let target: string;

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'hopscope-code-cache-'));
    cpSync(join(ROOT, 'dist'), join(root, 'dist'), { recursive: true, filter: (path) => !path.endsWith('.v8cache') });
    cpSync(join(ROOT, 'package.json'), join(root, 'package.json'));
    symlinkSync(join(ROOT, 'node_modules'), join(root, 'node_modules'));
    server = createServer((_req, res) => res.end('ok'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    target = `http://127.0.0.1:${(server.address() as { port: number }).port}/`;
  });

  afterAll(() => {
    server?.close();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  const cli = (args: string[]) => run('node', [join(root, 'dist/cli/main.js'), ...args], { cwd: root, timeout: 60_000 });
  const runOnce = () => cli(['run', '--target', target, '--rate', '20', '--duration', '300ms', '--json', '--quiet', '--out', join(root, 'out')]);
  const caches = () => readdirSync(join(root, 'dist/bin')).filter((name) => name.endsWith('.v8cache'));

  it('is made by a run, named by the bundle, and read by the next run, not made again', async () => {
    await cli(['--version']);
    expect(caches()).toEqual([]);
    const first = await runOnce();
    expect(JSON.parse(first.stdout).overall.count).toBeGreaterThan(0);
    const hash = /\n\/\/ bundle ([0-9a-f]{16})\n$/.exec(readFileSync(join(root, 'dist/bin/cli.cjs'), 'utf8'))?.[1];
    expect(caches()).toEqual([`cli-${hash}.v8cache`]);
    const path = join(root, 'dist/bin', caches()[0]!);
    const made = statSync(path);
    expect(made.size).toBeGreaterThan(100_000);
    await runOnce();
    // V8 took it: a refused cache is written again at the end of the run, a new file under the same name.
    expect(statSync(path).ino).toBe(made.ino);
    expect(statSync(path).mtimeMs).toBe(made.mtimeMs);
  });

  it('read back, still imports what is loaded when used: a scenario module', async () => {
    expect(caches()).toHaveLength(1);
    const module = join(root, 'scenario.mjs');
    writeFileSync(module, `export default { name: 'module', target: '${target}', requests: [{ name: 'root', path: '/' }], phases: [{ name: 'p', duration: '300ms', load: { model: 'open', rate: 20 } }] };\n`);
    const { stdout } = await cli(['run', module, '--json', '--quiet', '--out', join(root, 'out')]);
    expect(JSON.parse(stdout).scenario.name).toBe('module');
  });

  it('a run against a URL loads none of the built-ins such a run does not use: child_process and dgram (commander), worker_threads (no thread started), zlib (no HDR read back), the ES module resolver (chart.js)', async () => {
    const probe = join(root, 'loaded.cjs');
    const list = join(root, 'loaded.txt');
    writeFileSync(probe, `process.on('exit', () => require('node:fs').writeFileSync(${JSON.stringify(list)}, process.moduleLoadList.join('\\n')));\n`);
    const { stdout } = await run('node', ['--require', probe, join(root, 'dist/cli/main.js'), 'run', '--target', target, '--rate', '20', '--duration', '300ms', '--json', '--quiet', '--out', join(root, 'out')], { cwd: root, timeout: 60_000 });
    expect(JSON.parse(stdout).overall.count).toBeGreaterThan(0);
    // chart.js, found without its exports, is still inlined whole: its banner names its version.
    expect(readFileSync(join(root, 'out', 'report.html'), 'utf8')).toContain(' * Chart.js v');
    const loaded = readFileSync(list, 'utf8').split('\n');
    expect(loaded).toContain('NativeModule net');
    expect(loaded.filter((name) => /^NativeModule (child_process|dgram|worker_threads|zlib|internal\/modules\/esm\/resolve)$/.test(name))).toEqual([]);
  });

  it("under --pending-deprecation, prints no deprecation warning of its own: its requests go through socket.write then (socket-writer.ts)", async () => {
    const { stdout, stderr } = await run('node', [join(root, 'dist/cli/main.js'), 'run', '--target', target, '--rate', '20', '--duration', '300ms', '--json', '--quiet', '--out', join(root, 'out')], {
      cwd: root,
      timeout: 60_000,
      env: { ...process.env, NODE_OPTIONS: '--pending-deprecation' },
    });
    expect(JSON.parse(stdout).overall.count).toBeGreaterThan(0);
    expect(stderr).not.toContain('DEP0111');
  });

  it('that V8 refuses is compiling as before, and is replaced by the run', async () => {
    const path = join(root, 'dist/bin', caches()[0]!);
    writeFileSync(path, Buffer.alloc(200_000, 7));
    const { stdout } = await runOnce();
    expect(JSON.parse(stdout).overall.count).toBeGreaterThan(0);
    const replaced = readFileSync(path);
    expect(replaced.equals(Buffer.alloc(200_000, 7))).toBe(false);
    expect(replaced.length).toBeGreaterThan(100_000);
  });

  it("made at an exit while a run's end had V8's optimizer off (pipeline/analysis-tier.ts), is read by the next run", async () => {
    const path = join(root, 'dist/bin', caches()[0]!);
    rmSync(path);
    // Registered before the CLI's start registers its own: the exit finds the optimizer off, as a Ctrl-C
    // during the analysis would.
    const probe = join(root, 'optimizer-off-at-exit.cjs');
    writeFileSync(probe, `process.once('exit', () => require('node:v8').setFlagsFromString('--no-turbofan'));\n`);
    await run('node', ['--require', probe, join(root, 'dist/cli/main.js'), 'run', '--target', target, '--rate', '20', '--duration', '300ms', '--json', '--quiet', '--out', join(root, 'out')], { cwd: root, timeout: 60_000 });
    const made = statSync(path);
    await runOnce();
    // A refused cache is written again at the end of the run, a new file under the same name.
    expect(statSync(path).ino).toBe(made.ino);
    expect(statSync(path).mtimeMs).toBe(made.mtimeMs);
  });

  // Last here: --trace-gc is a V8 flag of its own, under which the cache is refused and made again.
  it("runs without V8's memory reducer for small heaps: no full collection of its own 8 s into a run (cli/start.cts)", async () => {
    const { stdout } = await run('node', ['--trace-gc', join(root, 'dist/cli/main.js'), 'run', '--target', target, '--rate', '50', '--duration', '9s', '--quiet', '--out', join(root, 'out')], { cwd: root, timeout: 60_000 });
    // The collection before the load's clock starts (load/settle-heap.ts): the trace is there to read.
    expect(stdout).toContain('Mark-Compact');
    expect(stdout).not.toContain('(reduce)');
  });
});
