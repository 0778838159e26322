/**
 * import() of a package or a file that is loaded only when used: dockerode, the Kubernetes client, the YAML
 * writer, a scenario module.
 *
 * The CLI's bundle runs from V8's code cache (cli/start.cts), and in a script read back from that cache Node
 * 20 has lost what import() needs ("A dynamic import callback was not specified"). So the CLI's start, a
 * module Node loaded itself, hands over its import() under IMPORTER, and these imports go through it; the
 * specifiers are package names or absolute file URLs, which resolve alike from either file. Everywhere else
 * (the library, the tests) import() is the language's own.
 */

import { createRequire } from 'node:module';

// cli/start.cts, CommonJS, makes the same key with Symbol.for.
export const IMPORTER = Symbol.for('hopscope.import');
const require = createRequire(import.meta.url);

type Importer = (specifier: string) => Promise<unknown>;

export function importModule<T>(specifier: string): Promise<T> {
  const importer = (globalThis as { [IMPORTER]?: Importer })[IMPORTER];
  return (importer ? importer(specifier) : import(specifier)) as Promise<T>;
}

/**
 * A Node built-in that only some runs use (TLS, HTTP clients, name lookups, certificates, threads, zlib),
 * required where it is used instead of at every start: loaded with the program, node:http, https, tls,
 * crypto, dns/promises and fs/promises cost ~4 CPU-ms of each start (10 alternating starts), and
 * child_process, worker_threads and zlib ~5 more, which a run against a loopback address over plain HTTP
 * never needed.
 */
export function builtinModule<T>(name: `node:${string}`): T {
  return require(name) as T;
}
