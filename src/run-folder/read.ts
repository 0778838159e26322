/**
 * Reads a run folder's summary.json back, validated against its JSON Schema (summary.schema.json, generated
 * from the RunSummary type by `npm run schema:summary`): a damaged or foreign file fails here, naming the file
 * and the field, instead of later as an internal error.
 */

import { readFileSync, statSync } from 'node:fs';
import type { ErrorObject } from 'ajv';
import { UsageError } from '../errors.js';
import { compiledValidator } from '../scenario/compiled-validator.js';
import { formatPath } from '../scenario/validate.js';
import { RUN_FILES, runFile } from './layout.js';
import summarySchema from './summary.schema.json' with { type: 'json' };
import { SUMMARY_SCHEMA, type RunSummary } from './summary.js';

const RUN_FOLDER_HINT = 'give a run folder written by `hopscope run`, e.g. reports/quickstart-<timestamp>';
const SHOWN_ERRORS = 5;

export const SUMMARY_VALIDATOR = new URL('./summary-validator.cjs', import.meta.url);
let validator: ReturnType<typeof compiledValidator> | undefined;

export function readRunSummary(runDir: string): RunSummary {
  if (!statSync(runDir, { throwIfNoEntry: false })?.isDirectory()) {
    throw new UsageError(`${runDir}: no such run folder (expected a folder holding ${RUN_FILES.summary})`, RUN_FOLDER_HINT);
  }
  const path = runFile(runDir, 'summary');
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new UsageError(`${path}: not found; a run folder holds ${RUN_FILES.summary}`, RUN_FOLDER_HINT);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${path}: not valid JSON (${(error as Error).message}); expected a hopscope run summary`, RUN_FOLDER_HINT);
  }
  const schema = typeof parsed === 'object' && parsed !== null ? (parsed as { schema?: unknown }).schema : undefined;
  if (schema !== SUMMARY_SCHEMA) {
    const found = typeof schema === 'string' ? `schema "${schema}"` : 'no "schema" field';
    const why = typeof schema === 'string' && schema.startsWith('hopscope.summary/') ? 'written by a different hopscope version' : 'not a hopscope run summary';
    throw new UsageError(`${path}: ${why} (${found}, expected "${SUMMARY_SCHEMA}")`);
  }
  // Loaded on first use: commands that never read a run back do not pay for it.
  validator ??= compiledValidator(SUMMARY_VALIDATOR, summarySchema);
  if (!validator(parsed)) {
    const problems = (validator.errors ?? []).map(describe);
    const shown = [...new Set(problems)].slice(0, SHOWN_ERRORS);
    throw new UsageError(`${path}: not a valid ${SUMMARY_SCHEMA} summary:\n  ${shown.join('\n  ')}`, 'the file was edited or damaged; run the scenario again, or restore the file');
  }
  return parsed as RunSummary;
}

/** "overall.latency.p99Us: must be number" */
function describe(error: ErrorObject): string {
  const field = formatPath(error.instancePath.split('/').slice(1).map((s) => (/^\d+$/.test(s) ? Number(s) : s)));
  const extra = error.keyword === 'additionalProperties' ? ` "${(error.params as { additionalProperty: string }).additionalProperty}"` : '';
  return `${field || '(top level)'}: ${error.message ?? 'invalid'}${extra}`;
}
