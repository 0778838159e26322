/**
 * The pipeline's one-way dependencies: scenario -> runtime -> load -> record -> analyze -> run-folder ->
 * gate -> report, with pipeline, fleet, the library's API and the CLI on top (src/index.ts re-exports the library). A module may import its own stage or an earlier one,
 * never a later one, and no chain of imports comes back to where it started.
 */

import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = resolve(import.meta.dirname, '../../src');
/**
 * Shared by every stage: errors, version, the display units, the process's own temp folders and the import()
 * of modules loaded when used sit below them all.
 */
const SHARED = ['errors', 'version', 'units', 'temp-folder', 'import-module', 'node-flags'];
const STAGES = ['scenario', 'runtime', 'load', 'record', 'analyze', 'run-folder', 'gate', 'report', 'pipeline', 'fleet', 'library', 'cli', 'index'];

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
}

const files = sources(SRC);
const imports = new Map(
  files.map((file) => {
    const text = readFileSync(file, 'utf8');
    const targets = [...text.matchAll(/(?:from|import\()\s*'(\.[^']+)'/g)].map((m) => resolve(dirname(file), m[1]!).replace(/\.js$/, '.ts'));
    return [file, targets] as const;
  }),
);
const stageOf = (file: string) => relative(SRC, file).split('/')[0]!.replace(/\.ts$/, '');
const rank = (stage: string) => (SHARED.includes(stage) ? -1 : STAGES.indexOf(stage));

describe('dependencies between stages', () => {
  it('knows the stage of every file under src/', () => {
    const unknown = files.map(stageOf).filter((s) => !SHARED.includes(s) && !STAGES.includes(s));
    expect(unknown).toEqual([]);
  });

  it('imports only from its own stage or an earlier one', () => {
    const backEdges = [...imports].flatMap(([from, targets]) =>
      targets.filter((to) => stageOf(to) !== stageOf(from) && rank(stageOf(to)) >= rank(stageOf(from))).map((to) => `${relative(SRC, from)} -> ${relative(SRC, to)}`),
    );
    expect(backEdges).toEqual([]);
  });

  it('has no import cycle between files', () => {
    const state = new Map<string, 'open' | 'done'>();
    const cycles: string[] = [];
    const visit = (file: string, path: string[]): void => {
      if (state.get(file) === 'done') return;
      if (state.get(file) === 'open') {
        cycles.push([...path.slice(path.indexOf(file)), file].map((f) => relative(SRC, f)).join(' -> '));
        return;
      }
      state.set(file, 'open');
      for (const to of imports.get(file) ?? []) visit(to, [...path, file]);
      state.set(file, 'done');
    };
    for (const file of files) visit(file, []);
    expect(cycles).toEqual([]);
  });
});
