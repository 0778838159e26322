#!/usr/bin/env node
// After tsc and the validators: bundles the CLI. dist/cli/main.js, the package's `bin`, is replaced by the
// bundle's entry, and the chunks and the --workers thread entry go to dist/bin/. Node loads ESM module by
// module (resolve, read, link: ~145 of hopscope's files for a `run`), and no compile cache exists on Node 20:
// a run's start-up cost ~50 ms less CPU bundled (the CPU is the generator's, taken from the services it
// measures). The library (dist/index.js) stays tsc's module tree.
//
// Chunks are split so that what the CLI imports lazily (other commands, HTTP/2, Docker, Kubernetes) is still
// loaded only when used, and packages stay external (node_modules, as installed). The files the bundled code
// finds beside itself (new URL('./x', import.meta.url)) are copied into dist/bin/ too. The entry keeps its
// path, so every way of starting the CLI (npx, `node dist/cli/main.js`, an older npx cache's link, the fleet's
// generator image) runs the bundle.
//
// Only changed files are written, each to a temporary name and renamed: a build while a CLI runs (a second
// terminal, a test's `npm pack`) never shows it a missing, empty or non-executable file.
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const dist = (path) => fileURLToPath(new URL(`../dist/${path}`, import.meta.url));
const entry = dist('cli/main.js');
const chunks = dist('bin');
const CHUNK_IMPORT = '"../bin/';

if (readFileSync(entry, 'utf8').includes(CHUNK_IMPORT)) {
  console.error(`${entry} is already the bundle: run \`npm run build\`, which emits tsc's tree first`);
  process.exit(1);
}
const { outputFiles } = await build({
  entryPoints: { 'cli/main': entry, 'bin/worker-main': dist('pipeline/workers/worker-main.js') },
  outdir: dist(''),
  chunkNames: 'bin/[name]-[hash]',
  allowOverwrite: true,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  packages: 'external',
  sourcemap: true,
  logLevel: 'warning',
  write: false,
});
const files = [
  ...outputFiles.map((f) => ({ path: f.path, contents: Buffer.from(f.contents) })),
  ...['scenario/scenario-validator.cjs', 'run-folder/summary-validator.cjs'].map((p) => ({ path: join(chunks, basename(p)), contents: readFileSync(dist(p)) })),
];

mkdirSync(chunks, { recursive: true });
for (const { path, contents } of files) {
  if (existsSync(path) && readFileSync(path).equals(contents)) continue;
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, contents, { mode: path === entry ? 0o755 : 0o644 });
  renameSync(temporary, path);
}
// Chunks are named by their content: those of earlier builds are left over.
const written = new Set(files.filter((f) => dirname(f.path) === chunks).map((f) => basename(f.path)));
for (const name of readdirSync(chunks)) if (!written.has(name)) rmSync(join(chunks, name));
