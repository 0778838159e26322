/**
 * The scenario a `run` or `fleet manifest` command line names: a scenario file, ad-hoc --target flags, or,
 * on a fleet's generator, the validated scenario its coordinator shipped (scenario/shipped.ts).
 */

import { resolve } from 'node:path';
import { UsageError } from '../../errors.js';
import { loadScenario } from '../../library/scenario.js';
import { adhocScenario } from '../../scenario/adhoc.js';
import { DEFAULT_DURATION } from '../../scenario/defaults.js';
import type { ConnectionOverrides } from '../../scenario/load.js';
import { decodeScenario, SHIPPED_SCENARIO_ENV } from '../../scenario/shipped.js';
import type { Scenario } from '../../scenario/types.js';
import type { CliIO } from '../io.js';
import type { RunFlags } from './run-flags.js';

/**
 * Flags that only describe an ad-hoc load: with a file they would be ignored, so they are refused. None has a
 * commander default (--duration's is applied below), or it would look given every time.
 */
const AD_HOC_ONLY: [keyof RunFlags, string][] = [
  ['rate', '--rate'],
  ['duration', '--duration'],
  ['connections', '--connections'],
  ['pipelining', '--pipelining'],
  ['streams', '--streams'],
  ['warmUp', '--warm-up'],
  ['arrival', '--arrival'],
  ['method', '--method'],
  ['header', '--header'],
  ['body', '--body'],
  ['timeout', '--timeout'],
];

export async function scenarioOf(file: string | undefined, flags: RunFlags, io: CliIO): Promise<Scenario> {
  if (flags.shippedScenario) {
    if (file || flags.target) throw new UsageError('--shipped-scenario: a generator runs the scenario its coordinator shipped, not a file or --target');
    return decodeScenario(io.env[SHIPPED_SCENARIO_ENV]);
  }
  if (file && flags.target) throw new UsageError('give a scenario file or --target, not both');
  const adhocOnly = file ? AD_HOC_ONLY.filter(([key]) => flags[key] !== undefined).map(([, flag]) => flag) : [];
  if (adhocOnly.length > 0) {
    throw new UsageError(`${adhocOnly.join(', ')}: for ad-hoc runs (--target URL) only; ${file} sets the load in its phases`, 'edit the phase in the file, or run ad hoc: hopscope run --target URL --rate R');
  }
  if (!file && !flags.target) {
    throw new UsageError('nothing to run: give a scenario file (e.g. scenarios/quickstart.yaml) or --target URL with --rate or --connections');
  }
  const overrides = connectionOverrides(flags, io.cwd);
  return file
    ? await loadScenario(file, { baseDir: io.cwd, ...overrides })
    : adhocScenario({ ...flags, target: flags.target!, duration: flags.duration ?? DEFAULT_DURATION }, overrides);
}

/** The connection flags, over whatever the scenario says; file paths resolved against the working directory. */
function connectionOverrides(flags: RunFlags, cwd: string): ConnectionOverrides {
  const file = (path: string | undefined) => (path === undefined ? undefined : resolve(cwd, path));
  const tls = {
    ...(flags.insecure ? { insecure: true } : {}),
    ...(flags.ca ? { ca: file(flags.ca) } : {}),
    ...(flags.cert ? { cert: file(flags.cert) } : {}),
    ...(flags.key ? { key: file(flags.key) } : {}),
    ...(flags.servername ? { servername: flags.servername } : {}),
  };
  return { ...(flags.allowRemote ? { allowRemote: true } : {}), ...(flags.http2 ? { protocol: 'h2' as const } : {}), tls };
}
