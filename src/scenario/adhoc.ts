/** `hopscope run --target URL ...` without a file: a one-request, one-phase scenario, validated like a file. */

import { UsageError } from '../errors.js';
import { DEFAULT_CONNECTIONS } from './defaults.js';
import { parseDurationMs } from './duration.js';
import { scenarioFromObject, type ConnectionOverrides } from './load.js';
import { assertTargetUrl } from './loopback.js';
import type { Scenario } from './types.js';

export interface AdhocFlags {
  target: string;
  rate?: string;
  connections?: string;
  pipelining?: string;
  streams?: string;
  duration: string;
  /** A phase before `duration` with the same load, run but not recorded: the generator's code and the target warm up in it. */
  warmUp?: string;
  arrival?: string;
  method?: string;
  header?: string[];
  body?: string;
  timeout?: string;
}

function positiveInt(text: string | undefined, flag: string): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`${flag}: expected a whole number of at least 1, got "${text}"`);
  return n;
}

export function adhocScenario(flags: AdhocFlags, overrides: ConnectionOverrides = {}): Scenario {
  const url = assertTargetUrl(flags.target, '--target', overrides.allowRemote === true);
  const rate = flags.rate === undefined ? undefined : Number(flags.rate);
  if (rate !== undefined && !(rate > 0)) throw new UsageError(`--rate: expected requests per second above 0, got "${flags.rate}"`);
  if (rate === undefined && flags.connections === undefined) {
    throw new UsageError('ad-hoc mode needs --rate R (open loop) or --connections C (closed loop)', 'example: hopscope run --target http://127.0.0.1:8080/ --rate 1000 --duration 10s');
  }
  parseDurationMs(flags.duration, '--duration');
  if (flags.warmUp !== undefined) parseDurationMs(flags.warmUp, '--warm-up');
  const headers: Record<string, string> = {};
  for (const h of flags.header ?? []) {
    const colon = h.indexOf(':');
    if (colon < 1) throw new UsageError(`--header: expected "Name: value", got "${h}"`);
    headers[h.slice(0, colon).trim()] = h.slice(colon + 1).trim();
  }
  const inFlight = flags.streams !== undefined ? { streams: positiveInt(flags.streams, '--streams') } : { pipelining: positiveInt(flags.pipelining, '--pipelining') ?? 1 };
  const load =
    rate !== undefined
      ? { model: 'open', rate, arrival: flags.arrival ?? 'constant', connections: positiveInt(flags.connections, '--connections') ?? DEFAULT_CONNECTIONS, ...inFlight }
      : { model: 'closed', connections: positiveInt(flags.connections, '--connections'), ...inFlight };
  const raw = {
    name: 'adhoc',
    target: url.origin,
    ...(flags.timeout ? { timeout: flags.timeout } : {}),
    requests: [
      {
        name: `${(flags.method ?? (flags.body ? 'POST' : 'GET')).toUpperCase()} ${url.pathname}`.replace(/[^A-Za-z0-9_.-]+/g, '_').replace(/_+$/, ''),
        method: (flags.method ?? (flags.body ? 'POST' : 'GET')).toUpperCase(),
        path: `${url.pathname}${url.search}`,
        headers,
        ...(flags.body !== undefined ? { body: flags.body } : {}),
      },
    ],
    phases: [...(flags.warmUp === undefined ? [] : [{ name: 'warm-up', duration: flags.warmUp, record: false, load }]), { name: 'main', duration: flags.duration, load }],
  };
  return scenarioFromObject(raw, 'ad-hoc flags', process.cwd(), overrides);
}
