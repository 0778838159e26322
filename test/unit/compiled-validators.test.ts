/**
 * The build writes the scenario and summary validators as ajv standalone code (startup CPU: the run-time
 * compilation cost a few hundred milliseconds). The built code must judge exactly as a fresh compilation of
 * the same schema does; `npm test` builds dist/ first, so the standalone files exist here.
 */

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import AjvModule, { type ValidateFunction } from 'ajv';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { AJV_OPTIONS } from '../../src/scenario/compiled-validator.js';
import { scenarioSchema } from '../../src/scenario/schema.js';
import summarySchema from '../../src/run-folder/summary.schema.json' with { type: 'json' };
import { makeSummary } from '../fixtures/runs/make-summary.js';

const ROOT = resolve(import.meta.dirname, '../..');
const require = createRequire(import.meta.url);
const fresh = (schema: object) => new AjvModule.default(AJV_OPTIONS).compile(schema);
const built = (file: string) => require(join(ROOT, 'dist', file)) as ValidateFunction;

function verdicts(validate: ValidateFunction, inputs: unknown[]) {
  return inputs.map((input) => (validate(input) ? 'valid' : validate.errors!.map((e) => `${e.instancePath} ${e.keyword} ${e.message} ${JSON.stringify((e.parentSchema as { description?: string }).description)}`)));
}

describe('precompiled validators', () => {
  it('exist in dist/ after the build', () => {
    for (const file of ['scenario/scenario-validator.cjs', 'run-folder/summary-validator.cjs']) expect(existsSync(join(ROOT, 'dist', file)), file).toBe(true);
  });

  it('judge scenarios as a fresh compilation does: every shipped scenario, and broken ones', () => {
    const shipped = readdirSync(join(ROOT, 'scenarios')).filter((f) => f.endsWith('.yaml')).map((f) => parse(readFileSync(join(ROOT, 'scenarios', f), 'utf8')) as Record<string, unknown>);
    const broken = [
      {},
      { name: 'x', requests: [] },
      { ...shipped[0], phases: [{ name: 'p', duration: 'soon', load: { model: 'open', rate: -1 } }] },
      { ...shipped[0], services: [{ name: 'a', port: 80, kind: 'nginx', extra: true }] },
      { ...shipped[0], thresholds: [{ expr: 1 }] },
    ];
    const inputs = [...shipped, ...broken];
    const expected = verdicts(fresh(scenarioSchema), inputs);
    expect(expected.slice(0, shipped.length).every((v) => v === 'valid')).toBe(true);
    expect(expected.slice(shipped.length).every((v) => v !== 'valid')).toBe(true);
    expect(verdicts(built('scenario/scenario-validator.cjs'), inputs)).toEqual(expected);
  });

  it('judge summaries as a fresh compilation does', () => {
    const good = makeSummary({ seed: 3 });
    const inputs = [good, { ...good, overall: { ...good.overall, latency: { ...good.overall.latency, p99Us: 'fast' } } }, { ...good, extra: 1 }, { schema: good.schema }];
    expect(verdicts(built('run-folder/summary-validator.cjs'), inputs)).toEqual(verdicts(fresh(summarySchema), inputs));
  });
});
