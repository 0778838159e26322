#!/usr/bin/env node
// After tsc and the validators: bundles the CLI. The program (tsc's dist/cli/main.js and what it imports)
// becomes one CommonJS file, dist/bin/cli.cjs, and dist/cli/main.js, the package's `bin`, is replaced by
// tsc's dist/cli/start.js, which runs that bundle through a V8 code cache (src/cli/start.ts says why: a
// run's start is part of the generator's measured CPU, and Node 20 has neither a compile cache for ES
// modules nor a cheap way to load ~30 of them). The --workers thread entry is an ES module bundle of its own,
// dist/bin/worker-main.js. The library (dist/index.js) stays tsc's module tree.
//
// What the program imports lazily (other commands, HTTP/2, Docker, Kubernetes) is still evaluated only when
// used: esbuild turns those imports into lazy module initializers. Packages stay external (node_modules, as
// installed), but for the two every run loads (IN_BUNDLE). The files the bundled code finds beside itself
// (new URL('./x', import.meta.url)) are copied into dist/bin/ too, and import.meta.url there is the
// bundle's own URL. The bundle's last line carries a hash of its content, which names its code cache. The
// entry keeps its path, so every way of starting the CLI (npx, `node dist/cli/main.js`, an older npx cache's
// link, the fleet's generator image) runs the bundle.
//
// Only changed files are written, each to a temporary name and renamed: a build while a CLI runs (a second
// terminal, a test's `npm pack`) never shows it a missing, empty or non-executable file. Files of dist/bin/
// this build did not write (older bundles' files, a code cache) are removed.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const dist = (path) => fileURLToPath(new URL(`../dist/${path}`, import.meta.url));
const entry = dist('cli/main.js');
const bin = dist('bin');
const BUNDLE_URL = '__hopscopeBundleUrl';

if (readFileSync(entry, 'utf8').includes('../bin/cli.cjs')) {
  console.error(`${entry} is already the bundle's start: run \`npm run build\`, which emits tsc's tree first`);
  process.exit(1);
}
const common = { bundle: true, platform: 'node', target: 'node20', sourcemap: true, logLevel: 'warning', write: false };
// The packages every run loads go into the program's bundle, under its code cache: loaded from node_modules,
// commander and hdr-histogram-js's classes cost ~10 ms of each start to resolve, read and compile. The rest,
// loaded for some commands only or large, stay installed packages.
const IN_BUNDLE = new Set(['commander', 'hdr-histogram-js']);
const { dependencies } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
const installed = Object.keys(dependencies).filter((name) => !IN_BUNDLE.has(name));
const program = await build({
  ...common,
  external: installed.flatMap((name) => [name, `${name}/*`]),
  entryPoints: [entry],
  outfile: join(bin, 'cli.cjs'),
  format: 'cjs',
  define: { 'import.meta.url': BUNDLE_URL },
  // Strict as the ES modules were: a directive before the banner's code, since esbuild's own comes after it.
  banner: { js: `"use strict";\nconst ${BUNDLE_URL} = require("node:url").pathToFileURL(__filename).href;` },
});
const worker = await build({ ...common, packages: 'external', entryPoints: [dist('pipeline/workers/worker-main.js')], outfile: join(bin, 'worker-main.js'), format: 'esm' });

const files = [...program.outputFiles, ...worker.outputFiles].map((f) => ({ path: f.path, contents: Buffer.from(f.contents) }));
const cli = files.find((f) => f.path === join(bin, 'cli.cjs'));
// start.ts runs the bundle inside a function, where an entry's shebang (esbuild keeps it) would not parse: it
// is emptied, not removed, and the hash goes last, so that the source map's lines stay the bundle's.
const code = cli.contents.toString('utf8').replace(/^#!.*/, '');
cli.contents = Buffer.from(`${code}// bundle ${createHash('sha256').update(code).digest('hex').slice(0, 16)}\n`);
files.push(
  ...['scenario/scenario-validator.cjs', 'run-folder/summary-validator.cjs'].map((p) => ({ path: join(bin, basename(p)), contents: readFileSync(dist(p)) })),
  { path: entry, contents: readFileSync(dist('cli/start.js')) },
);

mkdirSync(bin, { recursive: true });
for (const { path, contents } of files) {
  if (existsSync(path) && readFileSync(path).equals(contents)) continue;
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, contents, { mode: path === entry ? 0o755 : 0o644 });
  renameSync(temporary, path);
}
const written = new Set(files.filter((f) => dirname(f.path) === bin).map((f) => basename(f.path)));
for (const name of readdirSync(bin)) if (!written.has(name)) rmSync(join(bin, name));
