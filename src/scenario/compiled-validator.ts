/**
 * ajv compiles a schema into code at run time, and for hopscope's two large schemas (scenario files and
 * summary.json) that costs a few hundred CPU milliseconds at every start, on the machine under test. The build
 * (scripts/precompile-validators.mjs) writes each validator as ajv's standalone code beside the module that
 * uses it; this loads that code, and compiles at run time only where it is absent (tests run from src/). The
 * CLI's bundle carries the scenario validator's code inside itself, under its code cache, and hands it over by
 * file name (scripts/bundle-cli.mjs).
 */

import { createRequire } from 'node:module';
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ValidateFunction } from 'ajv';

/** The options both paths compile with: verbose, so that messages can quote each field's description. */
export const AJV_OPTIONS = { allErrors: true, verbose: true, strict: false } as const;

// require, not import(): Node lexes a CommonJS file imported from ESM for its export names, and for a few
// hundred kilobytes of generated code that alone costs more than loading it.
const require = createRequire(import.meta.url);

// Defined in the CLI's bundle only: the module of a file it carries, or undefined.
declare const __hopscopeCarriedModule: ((name: string) => unknown) | undefined;

export function compiledValidator(standalone: URL, schema: object): ValidateFunction {
  const path = fileURLToPath(standalone);
  const carried = typeof __hopscopeCarriedModule === 'function' ? __hopscopeCarriedModule(basename(path)) : undefined;
  if (carried) return carried as ValidateFunction;
  try {
    return require(path) as ValidateFunction;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'MODULE_NOT_FOUND') throw error;
  }
  // ajv is CommonJS with a default export; loaded only when no standalone code was built.
  const Ajv = require('ajv') as { default: new (options: typeof AJV_OPTIONS) => { compile(schema: object): ValidateFunction } };
  return new Ajv.default(AJV_OPTIONS).compile(schema);
}
