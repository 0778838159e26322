/**
 * The bundled CLI (scripts/bundle-cli.mjs): dist/cli/main.js, the package's `bin`, is the bundle's entry and
 * its chunks are in dist/bin/. Every file it loads is one of those or a runtime dependency, so an installed
 * package without devDependencies runs it, and the files its code finds beside itself (validators, the
 * --workers thread entry) are there. The end-to-end tests run this same CLI; this one reads the bundle's text.
 */

import { accessSync, constants, existsSync, readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLI, ROOT } from './cli-helpers.js';

const CHUNKS = join(ROOT, 'dist/bin');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { bin: Record<string, string>; dependencies: Record<string, string> };
const bundle = [CLI, ...readdirSync(CHUNKS).filter((f) => f.endsWith('.js')).map((f) => join(CHUNKS, f))];

/** What a bundle file imports (static, re-exported, dynamic) and what it opens beside itself by URL. */
function references(path: string): { specifiers: string[]; beside: string[] } {
  const text = readFileSync(path, 'utf8');
  // esbuild writes each static import or re-export as a statement whose line ends in `from "x";` (a
  // multi-line one's last line starts with `}`), a bare import as `import "x";`, a dynamic one as import("x").
  const statements = [...text.matchAll(/^(?:import|export|\})[^\n;]*?\bfrom\s*"([^"]+)";$|^import\s*"([^"]+)";$/gm)].map((m) => (m[1] ?? m[2])!);
  const dynamic = [...text.matchAll(/\bimport\("([^"]+)"\)/g)].map((m) => m[1]!);
  const beside = [...text.matchAll(/new URL\(\s*"([^"]+)",\s*import\.meta\.url\s*\)/g)].map((m) => m[1]!);
  return { specifiers: [...statements, ...dynamic], beside };
}

/** 'ajv/dist/x.js' -> 'ajv'; '@scope/name/x' -> '@scope/name'. */
function packageOf(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
}

const inBundle = (path: string) => path === CLI || dirname(path) === CHUNKS;

describe('the bundled CLI', () => {
  it('is what the package runs as `hopscope`: dist/cli/main.js, executable, with a node shebang, importing its chunks', () => {
    expect(join(ROOT, pkg.bin.hopscope!)).toBe(CLI);
    const text = readFileSync(CLI, 'utf8');
    expect(text.startsWith('#!/usr/bin/env node\n')).toBe(true);
    expect(() => accessSync(CLI, constants.X_OK)).not.toThrow();
    expect(references(CLI).specifiers.some((s) => s.startsWith('../bin/chunk-'))).toBe(true);
  });

  it('imports only its own files, Node built-ins and runtime dependencies', () => {
    const allowedPackages = new Set(Object.keys(pkg.dependencies));
    const builtins = new Set(builtinModules);
    const wrong: string[] = [];
    for (const file of bundle) {
      const name = relative(ROOT, file);
      for (const specifier of references(file).specifiers) {
        if (specifier.startsWith('.')) {
          const target = join(dirname(file), specifier);
          if (!inBundle(target) || !existsSync(target)) wrong.push(`${name}: ${specifier} (not a file of the bundle)`);
        } else if (specifier.startsWith('/')) {
          wrong.push(`${name}: ${specifier} (an absolute path)`);
        } else if (!specifier.startsWith('node:') && !builtins.has(specifier) && !allowedPackages.has(packageOf(specifier))) {
          wrong.push(`${name}: ${specifier} (not a runtime dependency)`);
        }
      }
    }
    expect(wrong).toEqual([]);
  });

  it('has beside its code every file that code opens by a relative URL: the validators and the --workers entry', () => {
    const beside = bundle.flatMap((file) => references(file).beside.map((url) => join(dirname(file), url)));
    expect(beside.map((path) => relative(ROOT, path)).sort()).toEqual(['dist/bin/scenario-validator.cjs', 'dist/bin/summary-validator.cjs', 'dist/bin/worker-main.js']);
    for (const path of beside) expect(existsSync(path), path).toBe(true);
  });
});
