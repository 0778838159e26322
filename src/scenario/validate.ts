/** Turns schema violations into messages that name the file, the path, the line, what is wrong and what is allowed. */

import type { ErrorObject } from 'ajv';
import type { Document, LineCounter } from 'yaml';
import { UsageError } from '../errors.js';
import { compiledValidator } from './compiled-validator.js';
import { scenarioSchema } from './schema.js';

export const SCENARIO_VALIDATOR = new URL('./scenario-validator.cjs', import.meta.url);
const validator = compiledValidator(SCENARIO_VALIDATOR, scenarioSchema);

/** A place in the scenario document, for messages: "phases[1].load.rate". */
export function formatPath(segments: (string | number)[]): string {
  return segments.map((s, i) => (typeof s === 'number' ? `[${s}]` : i === 0 ? s : `.${s}`)).join('');
}

export class ScenarioLocator {
  constructor(
    readonly source: string,
    private readonly doc: Document | undefined,
    private readonly lines: LineCounter | undefined,
  ) {}

  /** "scenarios/x.yaml:12: phases[1].load.rate" */
  where(path: (string | number)[]): string {
    const node = this.doc?.getIn(path, true) as { range?: [number, number, number] } | undefined;
    const line = node?.range && this.lines ? `:${this.lines.linePos(node.range[0]).line}` : '';
    return path.length ? `${this.source}${line}: ${formatPath(path)}` : this.source;
  }

  fail(path: (string | number)[], message: string): never {
    throw new UsageError(`${this.where(path)}: ${message}`);
  }
}

function describeValue(value: unknown): string {
  const text = JSON.stringify(value);
  return text === undefined ? String(value) : text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function explain(error: ErrorObject): { path: (string | number)[]; message: string } {
  const path = error.instancePath
    .split('/')
    .slice(1)
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s.replace(/~1/g, '/').replace(/~0/g, '~')));
  const allowed = (error.parentSchema as { description?: string } | undefined)?.description;
  const got = describeValue(error.data);
  switch (error.keyword) {
    case 'required':
      return { path, message: `missing required field "${(error.params as { missingProperty: string }).missingProperty}"` };
    case 'additionalProperties': {
      const field = (error.params as { additionalProperty: string }).additionalProperty;
      const known = Object.keys((error.parentSchema as { properties?: object }).properties ?? {});
      return { path: [...path, field], message: `unknown field; allowed here: ${known.join(', ')}` };
    }
    default:
      return { path, message: allowed ? `expected ${allowed}, got ${got}` : `${error.message ?? 'invalid'}, got ${got}` };
  }
}

/** Throws a UsageError listing every schema violation (at most 10), each with its place and line. */
export function validateShape(data: unknown, locator: ScenarioLocator): void {
  if (validator(data)) return;
  const errors = validator.errors ?? [];
  // A failed oneOf also reports every failed branch; its own description says what is allowed more plainly.
  const alternatives = errors.filter((e) => e.keyword === 'oneOf').map((e) => e.instancePath);
  const fromBranch = (e: ErrorObject) =>
    e.keyword !== 'oneOf' && alternatives.some((p) => e.instancePath === p || e.instancePath.startsWith(`${p}/`));
  const lines = [
    ...new Set(
      errors.filter((e) => !fromBranch(e)).map((e) => {
        const { path, message } = explain(e);
        return `${locator.where(path)}: ${message}`;
      }),
    ),
  ];
  if (lines.length === 0) lines.push(`${locator.source}: invalid scenario`);
  const shown = lines.slice(0, 10);
  if (lines.length > 10) shown.push(`... and ${lines.length - 10} more`);
  throw new UsageError(shown.join('\n'));
}
