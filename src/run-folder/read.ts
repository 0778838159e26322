/** Reads a run folder's summary.json back, with errors that say which path and what was expected. */

import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../errors.js';
import { SUMMARY_SCHEMA, type RunSummary } from './summary.js';

const RUN_FOLDER_HINT = 'give a run folder written by `hopscope run`, e.g. reports/quickstart-<timestamp>';

export function readRunSummary(runDir: string): RunSummary {
  if (!statSync(runDir, { throwIfNoEntry: false })?.isDirectory()) {
    throw new UsageError(`${runDir}: no such run folder (expected a folder holding summary.json)`, RUN_FOLDER_HINT);
  }
  const path = join(runDir, 'summary.json');
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new UsageError(`${path}: not found; a run folder holds summary.json`, RUN_FOLDER_HINT);
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
  return parsed as RunSummary;
}
