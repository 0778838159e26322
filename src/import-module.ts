/**
 * import() of a package or a file that is loaded only when used: dockerode, the Kubernetes client, the YAML
 * writer, a scenario module.
 *
 * The CLI's bundle runs from V8's code cache (cli/start.ts), and in a script read back from that cache Node
 * 20 has lost what import() needs ("A dynamic import callback was not specified"). So the CLI's start, an
 * ES module of its own, hands over its import() under IMPORTER, and these imports go through it; the
 * specifiers are package names or absolute file URLs, which resolve alike from either file. Everywhere else
 * (the library, the tests) import() is the language's own.
 */

export const IMPORTER = Symbol.for('hopscope.import');

type Importer = (specifier: string) => Promise<unknown>;

export function importModule<T>(specifier: string): Promise<T> {
  const importer = (globalThis as { [IMPORTER]?: Importer })[IMPORTER];
  return (importer ? importer(specifier) : import(specifier)) as Promise<T>;
}
