#!/usr/bin/env node
// After tsc and the validators: bundles the CLI and the --workers thread entry into dist/bin/, which the
// package's `bin` runs. Node loads ESM module by module (resolve, read, link: ~145 of hopscope's files for a
// `run`), and no compile cache exists on Node 20: a run's start-up cost ~50 ms less CPU bundled (the CPU is the
// generator's, taken from the services it measures). The library (dist/index.js) stays tsc's module tree.
//
// Chunks are split so that what the CLI imports lazily (other commands, HTTP/2, Docker, Kubernetes) is still
// loaded only when used, and packages stay external (node_modules, as installed). The files the bundled code
// finds beside itself (new URL('./x', import.meta.url)) are copied into dist/bin/ too.
import { chmodSync, copyFileSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const dist = (path) => fileURLToPath(new URL(`../dist/${path}`, import.meta.url));
const out = dist('bin');

rmSync(out, { recursive: true, force: true });
await build({
  entryPoints: { hopscope: dist('cli/main.js'), 'worker-main': dist('pipeline/workers/worker-main.js') },
  outdir: out,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  packages: 'external',
  sourcemap: true,
  logLevel: 'warning',
});
for (const beside of ['scenario/scenario-validator.cjs', 'run-folder/summary-validator.cjs']) {
  copyFileSync(dist(beside), `${out}/${beside.split('/').pop()}`);
}
chmodSync(`${out}/hopscope.js`, 0o755);
