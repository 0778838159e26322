/**
 * A validated scenario as one line of text, for the fleet's generators: the coordinator loads and checks
 * the scenario once and each generator runs exactly that, with no file of its own to read. Bodies
 * (bodyFile included) and TLS PEMs are already in the Scenario, so they travel inside it. The text is
 * gzipped JSON in base64: base64 has no `{{` (swarm templates env values) and no `$(` (the kubelet expands
 * it in args and env), so every engine passes it through unchanged.
 */

import { UsageError } from '../errors.js';
import { builtinModule } from '../import-module.js';
import { formatCount } from '../units.js';
import { HOPSCOPE_VERSION } from '../version.js';
import type { Scenario } from './types.js';

/** The environment variable a generator reads the scenario from (`hopscope run --shipped-scenario`). */
export const SHIPPED_SCENARIO_ENV = 'HOPSCOPE_SCENARIO';
/**
 * Linux caps one argument or environment string at 128 KiB (MAX_ARG_STRLEN, "NAME=value" included), and
 * `kubectl apply` keeps the whole Job in a 256 KiB annotation: this leaves room for both.
 */
export const MAX_SHIPPED_SCENARIO_CHARS = 120_000;
const FORMAT = 'hopscope.scenario/v1';

interface ShippedDocument {
  format: typeof FORMAT;
  hopscope: string;
  scenario: Omit<Scenario, 'requests'> & { requests: (Omit<Scenario['requests'][number], 'body'> & { body?: string })[] };
}

/** Throws a UsageError naming the limit when the scenario is too large to ship. */
export function encodeScenario(scenario: Scenario): string {
  const document: ShippedDocument = {
    format: FORMAT,
    hopscope: HOPSCOPE_VERSION,
    scenario: { ...scenario, requests: scenario.requests.map(({ body, ...r }) => ({ ...r, ...(body ? { body: body.toString('base64') } : {}) })) },
  };
  // node:zlib is required when used (import-module.ts): every run loads this module, and only a fleet's zip.
  const text = builtinModule<typeof import('node:zlib')>('node:zlib').gzipSync(JSON.stringify(document)).toString('base64');
  if (text.length > MAX_SHIPPED_SCENARIO_CHARS) {
    throw new UsageError(
      `${scenario.source}: the scenario is ${formatCount(text.length)} characters shipped (gzip, base64, bodies and TLS PEMs inlined); a fleet ships at most ${formatCount(MAX_SHIPPED_SCENARIO_CHARS)} to each generator, in one environment variable`,
      'make the request bodies smaller, or run it on one machine (without --generators)',
    );
  }
  return text;
}

/** The scenario as the coordinator validated it; a generator of another hopscope version is refused, not guessed at. */
export function decodeScenario(text: string | undefined): Scenario {
  if (!text) throw new UsageError(`--shipped-scenario: ${SHIPPED_SCENARIO_ENV} is not set; only a fleet's generator gets it`);
  let document: ShippedDocument;
  try {
    document = JSON.parse(builtinModule<typeof import('node:zlib')>('node:zlib').gunzipSync(Buffer.from(text, 'base64')).toString('utf8')) as ShippedDocument;
  } catch (error) {
    throw new UsageError(`--shipped-scenario: ${SHIPPED_SCENARIO_ENV} is not a scenario the coordinator encoded (${(error as Error).message})`);
  }
  if (document.format !== FORMAT) throw new UsageError(`--shipped-scenario: expected format ${FORMAT}, got ${String(document.format)}`);
  if (document.hopscope !== HOPSCOPE_VERSION) {
    throw new UsageError(
      `--shipped-scenario: the coordinator is hopscope ${document.hopscope}, this generator ${HOPSCOPE_VERSION}`,
      'give --generator-image an image of the coordinator\'s version',
    );
  }
  const { scenario } = document;
  return { ...scenario, requests: scenario.requests.map(({ body, ...r }) => ({ ...r, body: body === undefined ? undefined : Buffer.from(body, 'base64') })) };
}
