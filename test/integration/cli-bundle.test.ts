/**
 * The bundled CLI (dist/bin/, scripts/bundle-cli.mjs) that the package's `bin` runs: every file it loads is
 * in dist/bin/ or is a runtime dependency, so an installed package without devDependencies runs it, and the
 * files its code finds beside itself (validators, the --workers thread entry) are there. The end-to-end tests
 * run this same CLI; this one reads the bundle's text.
 */

import { accessSync, constants, existsSync, readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLI, ROOT } from './cli-helpers.js';

const BIN = join(ROOT, 'dist/bin');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { bin: Record<string, string>; dependencies: Record<string, string> };
const files = readdirSync(BIN).filter((f) => f.endsWith('.js'));

/** What each bundle file imports (static, re-exported, dynamic) and what it opens beside itself by URL. */
function references(text: string): { specifiers: string[]; beside: string[] } {
  // esbuild writes each static import or re-export as a statement whose line ends in `from "x";` (a
  // multi-line one's last line starts with `}`), a bare import as `import "x";`, a dynamic one as import("x").
  const statements = [...text.matchAll(/^(?:import|export|\})[^\n;]*?\bfrom\s*"([^"]+)";$|^import\s*"([^"]+)";$/gm)].map((m) => (m[1] ?? m[2])!);
  const dynamic = [...text.matchAll(/\bimport\("([^"]+)"\)/g)].map((m) => m[1]!);
  const specifiers = [...statements, ...dynamic];
  const beside = [...text.matchAll(/new URL\(\s*"([^"]+)",\s*import\.meta\.url\s*\)/g)].map((m) => m[1]!);
  return { specifiers, beside };
}

/** 'ajv/dist/x.js' -> 'ajv'; '@scope/name/x' -> '@scope/name'. */
function packageOf(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
}

describe('the bundled CLI', () => {
  it('is what the package runs as `hopscope`: dist/bin/hopscope.js, executable, with a node shebang', () => {
    expect(join(ROOT, pkg.bin.hopscope!)).toBe(CLI);
    expect(readFileSync(CLI, 'utf8').startsWith('#!/usr/bin/env node\n')).toBe(true);
    expect(() => accessSync(CLI, constants.X_OK)).not.toThrow();
  });

  it('imports only its own chunks, Node built-ins and runtime dependencies', () => {
    const allowedPackages = new Set(Object.keys(pkg.dependencies));
    const builtins = new Set(builtinModules);
    const wrong: string[] = [];
    for (const file of files) {
      for (const specifier of references(readFileSync(join(BIN, file), 'utf8')).specifiers) {
        if (specifier.startsWith('./')) {
          if (!existsSync(join(BIN, specifier))) wrong.push(`${file}: ${specifier} (not in dist/bin)`);
        } else if (specifier.startsWith('.') || specifier.startsWith('/')) {
          wrong.push(`${file}: ${specifier} (outside dist/bin)`);
        } else if (!specifier.startsWith('node:') && !builtins.has(specifier) && !allowedPackages.has(packageOf(specifier))) {
          wrong.push(`${file}: ${specifier} (not a runtime dependency)`);
        }
      }
    }
    expect(wrong).toEqual([]);
    // The bundle is the CLI's whole tree: the entry and some shared chunks at least.
    expect(files).toContain('hopscope.js');
    expect(files.length).toBeGreaterThan(2);
  });

  it('has beside it every file its code opens by a relative URL: the validators and the --workers entry', () => {
    const beside = new Set(files.flatMap((file) => references(readFileSync(join(BIN, file), 'utf8')).beside));
    expect([...beside].sort()).toEqual(['./scenario-validator.cjs', './summary-validator.cjs', './worker-main.js']);
    for (const name of beside) expect(existsSync(join(BIN, name)), name).toBe(true);
  });
});
