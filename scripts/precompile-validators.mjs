#!/usr/bin/env node
// After tsc: writes the scenario and summary.json validators as ajv standalone code into dist/, beside the
// modules that load them (src/scenario/compiled-validator.ts says why). Run by `npm run build`.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import AjvModule from 'ajv';
import standaloneModule from 'ajv/dist/standalone/index.js';

const dist = new URL('../dist/', import.meta.url);
const { AJV_OPTIONS } = await import(new URL('scenario/compiled-validator.js', dist).href);
const { scenarioSchema } = await import(new URL('scenario/schema.js', dist).href);
const { SCENARIO_VALIDATOR } = await import(new URL('scenario/validate.js', dist).href);
const { default: summarySchema } = await import(new URL('run-folder/summary.schema.json', dist).href, { with: { type: 'json' } });
const { SUMMARY_VALIDATOR } = await import(new URL('run-folder/read.js', dist).href);

for (const [schema, target] of [[scenarioSchema, SCENARIO_VALIDATOR], [summarySchema, SUMMARY_VALIDATOR]]) {
  const ajv = new AjvModule.default({ ...AJV_OPTIONS, code: { source: true } });
  writeFileSync(fileURLToPath(target), standaloneModule.default(ajv, ajv.compile(schema)));
}
