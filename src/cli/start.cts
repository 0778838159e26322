#!/usr/bin/env node
/**
 * The CLI's start once built: scripts/bundle-cli.mjs copies it over dist/cli/main.js (the package's `bin`),
 * and it runs the bundled program, dist/bin/cli.cjs, through a V8 code cache kept beside it.
 *
 * It is CommonJS (a .cts file, and a package.json of type commonjs beside it in dist/cli/): started as an ES
 * module, Node loads its ES module loader first, ~2 CPU-ms of every start (14 alternating rounds).
 *
 * Node 20 has no compile cache (module.enableCompileCache came in Node 22), so every start parsed and
 * compiled the program again, and a run's start is part of the generator's measured CPU. With V8's own
 * cache (vm.Script's cachedData) the functions a run compiled before are read back instead: a 1-s run at
 * 10 req/s cost 79 CPU-ms against 94 without the cache, and 113 as the ES module chunks of before, which
 * Node 20 links one by one (8 alternating rounds under /usr/bin/time; bench/start-up.ts against that
 * build: 107 against 132).
 *
 * The cache is made at the end of a `run`, so that it holds what a run compiles and not only what starting
 * does, whenever there was none or V8 refused it (another Node, other V8 flags), and is written beside the
 * bundle: where the user cannot write (a global install), hopscope runs without one. V8 checks a cache
 * against its source's length only, so its name carries the bundle's content hash (the bundle's last
 * line): a rebuilt bundle never reads an old cache. Nothing here can fail a command: a cache that cannot be
 * read or written is compiling as before.
 */

import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { Script } from 'node:vm';

// V8's memory reducer for small heaps: once the old generation has grown by a megabyte before any full
// collection (this program's source alone is 0.9 MB), it schedules full collections 8 s later, 2 of them in
// a run at 2,000 req/s against nginx (`--trace-gc`: "Mark-Compact (reduce)" at 8.2 and 8.8 s), each marking
// the heap on V8's helper threads while the load runs, and it shrinks the young generation, whose
// scavenges then come twice as often. A load generator's heap is not idle when its allocation is low. Off,
// those runs had no such collection, and V8's helper threads cost ~30 ms less a 10-s run (4 alternating
// pairs, per-thread CPU). Set before the bundle is read, and so in force whenever its code cache is made and
// checked. A process started with a memory-reducer flag of its own keeps it.
if (!/--(?:no-)?memory-reducer/.test(process.execArgv.join(' '))) setFlagsFromString('--no-memory-reducer-for-small-heaps');

// import-module.ts's key; an ES module, it cannot be required from here, and Symbol.for makes the two one.
const IMPORTER = Symbol.for('hopscope.import');
const bundle = join(__dirname, '../bin/cli.cjs');
const source = readFileSync(bundle, 'utf8');
// Only the end: the expression tried at every line of the ~900-kB source cost 0.5 ms.
const hash = /\n\/\/ bundle ([0-9a-f]+)\n$/.exec(source.slice(-64))?.[1];
const cacheFile = hash ? join(dirname(bundle), `cli-${hash}.v8cache`) : undefined;
const startedWithGc = typeof (globalThis as { gc?: unknown }).gc === 'function';
// The test pipeline/analysis-tier.ts makes (an ES module, which this start cannot require): optimizer flags
// the user started Node with are theirs, and the cache is made under them.
const startedWithOptimizerFlags = /--(?:no-)?(?:opt|turbofan|jitless)\b|--max-opt\b/.test(`${process.execArgv.join(' ')} ${process.env.NODE_OPTIONS ?? ''}`);
// The program's own import() calls do not work in a script read from the cache (import-module.ts): it uses
// this module's.
(globalThis as { [IMPORTER]?: (specifier: string) => Promise<unknown> })[IMPORTER] = (specifier) => import(specifier);

// A bundle without its hash (not one the build made) runs without a cache.
const cachedData = cacheFile ? readCache(cacheFile) : undefined;
// CommonJS's own wrapper: the bundle sees require, module and its path as Node would give them to it.
const wrapped = `(function (exports, require, module, __filename, __dirname) {${source}\n})`;
const script = new Script(wrapped, { filename: bundle, cachedData });
if (cacheFile && (!cachedData || script.cachedDataRejected) && process.argv[2] === 'run') process.once('exit', () => writeCache(script, cacheFile));
const program = { exports: {} };
(script.runInThisContext() as (...args: unknown[]) => void)(program.exports, createRequire(bundle), program, bundle, dirname(bundle));

function readCache(path: string): Buffer | undefined {
  try {
    return readFileSync(path);
  } catch {
    return undefined;
  }
}

/** Written whole under a temporary name and renamed: runs that end together each replace it whole. */
function writeCache(script: Script, path: string): void {
  const temporary = `${path}.${process.pid}.tmp`;
  // V8 refuses a cache made under other flags than its own, and the engine sets --expose-gc while it runs
  // (load/settle-heap.ts): made under it, the cache would be refused by every next start.
  if (!startedWithGc) setFlagsFromString('--no-expose-gc');
  // And a run's end turns TurboFan off while it analyses (pipeline/analysis-tier.ts): an exit meanwhile (a
  // Ctrl-C, an error) would make the cache under --no-turbofan, and the next start would refuse it.
  if (!startedWithOptimizerFlags) setFlagsFromString('--turbofan');
  try {
    writeFileSync(temporary, script.createCachedData());
    renameSync(temporary, path);
  } catch {
    rmSync(temporary, { force: true });
  }
}
