/**
 * Which runtime each service can run in: a reference kind in both; the user's own service in a container when
 * it has image or build, as a process when it has command. Checked before anything starts.
 */

import type { RuntimeKind, ServiceSpec } from './types.js';

export function runsIn(spec: ServiceSpec, runtime: RuntimeKind): boolean {
  const source = spec.source;
  if (source.type === 'reference') return true;
  return runtime === 'docker' ? source.image !== undefined || source.build !== undefined : source.command !== undefined;
}

/** Names of the services that run only in `runtime` (they lack what the other one needs). */
export function onlyIn(specs: ServiceSpec[], runtime: RuntimeKind): string[] {
  const other: RuntimeKind = runtime === 'docker' ? 'process' : 'docker';
  return specs.filter((spec) => !runsIn(spec, other)).map((spec) => spec.name);
}

export function quoteNames(names: string[]): string {
  return names.map((name) => `"${name}"`).join(', ');
}

