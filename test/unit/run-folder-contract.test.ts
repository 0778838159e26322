/**
 * summary.json's contract: the schema readers validate against is the one the RunSummary type implies
 * (regenerated here and compared, so a type change without `npm run schema:summary` fails), the fixtures the
 * report tests use satisfy it, and the CLI tells a hopscope bug (exit 4) from the user's and the machine's.
 */

import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Writable } from 'node:stream';
import { createGenerator } from 'ts-json-schema-generator';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/program.js';
import { ExitCode } from '../../src/errors.js';
import { readExactRecord } from '../../src/run-folder/histograms.js';
import { readRunSummary } from '../../src/run-folder/read.js';
import { makeSummary } from '../fixtures/runs/make-summary.js';
import { steadyIntervals, writeRun } from './gate-fixtures.js';

const ROOT = resolve(import.meta.dirname, '../..');

describe('summary.schema.json', () => {
  it('is what `npm run schema:summary` generates from the RunSummary type today', { timeout: 60_000 }, () => {
    const generated = createGenerator({ path: join(ROOT, 'src/run-folder/summary.ts'), type: 'RunSummary', tsconfig: join(ROOT, 'tsconfig.json'), topRef: false }).createSchema('RunSummary');
    const committed = JSON.parse(readFileSync(join(ROOT, 'src/run-folder/summary.schema.json'), 'utf8'));
    expect(committed).toEqual(JSON.parse(JSON.stringify(generated)));
  });

  it('accepts the fixtures the report tests render', () => {
    for (const seed of [1, 2]) {
      const dir = mkdtempSync(join(tmpdir(), 'hopscope-contract-'));
      const summary = makeSummary({ seed });
      writeFileSync(join(dir, 'summary.json'), JSON.stringify(summary));
      expect(readRunSummary(dir)).toEqual(summary);
    }
  });

  it('accepts the run folders the gate tests write, and their histograms.json reads back', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hopscope-contract-'));
    const spec = { warmUp: steadyIntervals(3, 1, 50, 800), intervals: steadyIntervals(1, 2, 100, 1000), failures: { item: 2 }, serverTiming: { item: ['fastjson-api;dur=0.500'] } };
    const { summary } = await writeRun(dir, spec);
    expect(readRunSummary(dir)).toEqual(summary);
    const exact = readExactRecord(dir);
    expect(exact.requestNames).toEqual(['item']);
    expect(exact.intervals.map((i) => i.phase)).toEqual(['warm-up', 'main', 'main']);
  });
});

describe('exit codes', () => {
  it('an error hopscope did not anticipate is an internal error, exit 4, not an infrastructure one', async () => {
    let stderr = '';
    const io = {
      // A stdout that breaks under the command: nothing a user did, so it must read as hopscope's bug.
      stdout: new Writable({ write: () => { throw new TypeError('stdout exploded'); } }),
      stderr: new Writable({ write: (chunk, _e, done) => { stderr += String(chunk); done(); } }),
      env: {},
      cwd: ROOT,
    };
    const dir = mkdtempSync(join(tmpdir(), 'hopscope-contract-'));
    writeFileSync(join(dir, 'summary.json'), JSON.stringify(makeSummary({ seed: 1 })));
    expect(await main(['gate', dir], io)).toBe(ExitCode.internal);
    expect(stderr).toBe('hopscope: internal error (a bug in hopscope): stdout exploded\nhint: set HOPSCOPE_DEBUG=1 for the stack trace, and report it\n');
  });
});
