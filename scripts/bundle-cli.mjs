#!/usr/bin/env node
// After tsc and the validators: bundles the CLI. The program (tsc's dist/cli/entry.js and what it imports)
// becomes one CommonJS file, dist/bin/cli.cjs, and dist/cli/main.js, the package's `bin`, is tsc's
// dist/cli/start.cjs, which runs that bundle through a V8 code cache (src/cli/start.cts says why: a run's
// start is part of the generator's measured CPU, and Node 20 has neither a compile cache for ES modules nor
// a cheap way to load ~30 of them). A package.json beside it makes it CommonJS, which the start is; tsc's ES
// modules in dist/cli/ are only this step's input. The --workers thread entry is a CommonJS bundle of its
// own, dist/bin/worker-main.js (a package.json in dist/bin/ says so). The library (dist/index.js) stays tsc's
// module tree.
//
// What the program imports lazily (other commands, HTTP/2, Docker, Kubernetes) is still evaluated only when
// used: esbuild turns those imports into lazy module initializers. Packages stay external (node_modules, as
// installed), but for the two every run loads (IN_BUNDLE). import.meta.url in the bundled code is the
// bundle's own URL: the --workers entry and the summary validator it finds beside itself are in dist/bin/,
// and the scenario validator it would find there it carries inside itself (carriedModules). The bundle's
// last line carries a hash of its content, which names its code cache. The `bin` keeps its path, so every
// way of starting the CLI (npx, `node dist/cli/main.js`, an older npx cache's link, the fleet's generator
// image) runs the bundle.
//
// Only changed files are written, each to a temporary name and renamed: a build while a CLI runs (a second
// terminal, a test's `npm pack`) never shows it a missing, empty or non-executable file. Files of dist/bin/
// this build did not write (older bundles' files, a code cache) are removed.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const { CLI_V8_FLAGS } = await import(new URL('../dist/node-flags.js', import.meta.url).href);

const dist = (path) => fileURLToPath(new URL(`../dist/${path}`, import.meta.url));
const start = dist('cli/main.js');
const bin = dist('bin');
const BUNDLE_URL = '__hopscopeBundleUrl';
const CARRIED_MODULE = '__hopscopeCarriedModule';

const common = { bundle: true, platform: 'node', target: 'node20', sourcemap: true, logLevel: 'warning', write: false };
// The packages every run loads go into the program's bundle, under its code cache: loaded from node_modules,
// commander and hdr-histogram-js's classes cost ~10 ms of each start to resolve, read and compile. The rest,
// loaded for some commands only or large, stay installed packages.
const IN_BUNDLE = new Set(['commander', 'hdr-histogram-js']);
const { dependencies } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
const installed = Object.keys(dependencies).filter((name) => !IN_BUNDLE.has(name));

// commander requires child_process at its load, for subcommands that are executables of their own, which
// hopscope has none of: loading it (and dgram, which it loads) cost ~3 CPU-ms of every start. Its one use,
// `childProcess.spawn`, now loads it when called. A commander whose line differs fails the build here, not a
// user's start.
const COMMANDER_CHILD_PROCESS = "const childProcess = require('node:child_process');";
const lazyChildProcess = {
  name: 'commander-lazy-child-process',
  setup(b) {
    b.onLoad({ filter: /[\\/]commander[\\/]lib[\\/]command\.js$/ }, ({ path }) => {
      const source = readFileSync(path, 'utf8');
      if (!source.includes(COMMANDER_CHILD_PROCESS)) throw new Error(`${path} no longer has the line scripts/bundle-cli.mjs makes lazy: ${COMMANDER_CHILD_PROCESS}`);
      const lazy = "const childProcess = { spawn: (...args) => require('node:child_process').spawn(...args) };";
      return { contents: source.replace(COMMANDER_CHILD_PROCESS, lazy), loader: 'js' };
    });
  },
};
// Both bundles are CommonJS, with the IN_BUNDLE packages inside. The --workers entry was an ES module once:
// importing hdr-histogram-js's CommonJS files, a worker thread's start loaded Node's ES module loader, read
// the package's package.json and parsed the files for their exports (70 CPU-ms a thread's start, 30 now).
const commonjs = {
  ...common,
  external: installed.flatMap((name) => [name, `${name}/*`]),
  format: 'cjs',
  define: { 'import.meta.url': BUNDLE_URL },
  // Strict as the ES modules were: a directive before the banner's code, since esbuild's own comes after it.
  banner: { js: `"use strict";\nconst ${BUNDLE_URL} = require("node:url").pathToFileURL(__filename).href;` },
};
const program = await build({ ...commonjs, entryPoints: [dist('cli/entry.js')], outfile: join(bin, 'cli.cjs'), plugins: [lazyChildProcess] });
const worker = await build({ ...commonjs, entryPoints: [dist('pipeline/workers/worker-main.js')], outfile: join(bin, 'worker-main.js') });

const files = [...program.outputFiles, ...worker.outputFiles].map((f) => ({ path: f.path, contents: Buffer.from(f.contents) }));
const cli = files.find((f) => f.path === join(bin, 'cli.cjs'));
// The hash goes last, so that the source map's lines stay the bundle's.
const code = cli.contents.toString('utf8') + carriedModules(['scenario/scenario-validator.cjs']);
cli.contents = Buffer.from(`${code}// bundle ${createHash('sha256').update(code).digest('hex').slice(0, 16)}\n`);
files.push(
  { path: join(bin, 'summary-validator.cjs'), contents: readFileSync(dist('run-folder/summary-validator.cjs')) },
  // The package.json files before the start and the worker entry that need them.
  { path: dist('cli/package.json'), contents: Buffer.from('{ "type": "commonjs" }\n') },
  { path: join(bin, 'package.json'), contents: Buffer.from('{ "type": "commonjs" }\n') },
  { path: start, contents: Buffer.from(shellStart(readFileSync(dist('cli/start.cjs'), 'utf8'))) },
);

/**
 * The `bin` starts Node with the CLI's V8 flags (src/node-flags.ts says why): a file that is a shell script
 * to the kernel and JavaScript to Node. sh reads the shebang, then runs the second line's `:` (a no-op)
 * and execs Node on this same file, so the process keeps its pid for signals; Node skips the shebang and
 * reads that line as a string and a comment. `env -S` on the shebang would do it with no shell, but
 * BusyBox's env (Alpine) has no -S. A user whose NODE_OPTIONS sizes the young generation keeps their
 * setting, and `node dist/cli/main.js` starts without the flags.
 */
function shellStart(source) {
  const shebang = '#!/usr/bin/env node\n';
  if (!source.startsWith(shebang)) throw new Error(`dist/cli/start.cjs does not start with ${JSON.stringify(shebang)}`);
  const flags = CLI_V8_FLAGS.join(' ');
  const exec = `case "$NODE_OPTIONS" in *semi-space-size*) exec node "$0" "$@";; esac; exec node ${flags} "$0" "$@"`;
  return `#!/bin/sh\n':' //; ${exec}\n${source.slice(shebang.length)}`;
}

/**
 * The scenario validator's standalone code (scripts/precompile-validators.mjs) goes inside the program's
 * bundle, after its code and before the hash line, so that the source map's lines stay the bundle's: required
 * as a file beside it, that code was compiled at every run (~3.5 CPU-ms, 12 alternating rounds), where the
 * bundle's code cache, made by a run, holds what it compiled before. The summary validator stays a file: no
 * run uses it, so the cache would not hold it, and its 319 kB would be read at every start.
 * scenario/compiled-validator.ts asks for a file by name, and requires it where the bundle does not carry it.
 */
function carriedModules(paths) {
  const cases = paths.map((p) => `    case ${JSON.stringify(basename(p))}:\n      ((module, exports) => {\n${readFileSync(dist(p), 'utf8')}\n})(module, module.exports);\n      return module.exports;`);
  return `function ${CARRIED_MODULE}(name) {\n  const module = { exports: {} };\n  switch (name) {\n${cases.join('\n')}\n  }\n  return undefined;\n}\n`;
}

mkdirSync(bin, { recursive: true });
for (const { path, contents } of files) {
  if (existsSync(path) && readFileSync(path).equals(contents)) continue;
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, contents, { mode: path === start ? 0o755 : 0o644 });
  renameSync(temporary, path);
}
const written = new Set(files.filter((f) => dirname(f.path) === bin).map((f) => basename(f.path)));
for (const name of readdirSync(bin)) if (!written.has(name)) rmSync(join(bin, name));
