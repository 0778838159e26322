/**
 * Resolves the scenario's services into concrete instances: names, ports, and flags with their
 * `{{service.url}}` references filled in, so upstream wiring is written once in the scenario.
 */

import { UsageError } from '../errors.js';
import type { ServiceSpec } from '../runtime/types.js';
import { instanceNamesOf } from './load.js';
import type { Scenario } from './types.js';

export function urlOf(port: number): string {
  return `http://127.0.0.1:${port}`;
}

export function resolveTopology(scenario: Scenario): ServiceSpec[] {
  const urls = new Map<string, string[]>();
  for (const s of scenario.services) {
    const all = instanceNamesOf(s).map((_, i) => urlOf(s.port + i));
    urls.set(s.name, all);
    instanceNamesOf(s).forEach((name, i) => urls.set(name, [all[i]!]));
  }
  return scenario.services.flatMap((s) =>
    instanceNamesOf(s).map((name, i) => {
      const self = urlOf(s.port + i);
      const fill = (value: string, where: string) =>
        value.replace(/\{\{\s*([A-Za-z0-9_.-]+?)\.(url|urls)\s*\}\}/g, (whole, ref: string, which: string) => {
          const found = ref === 'self' ? [self] : urls.get(ref);
          if (!found) {
            throw new UsageError(
              `${scenario.source}: services.${s.name}.${where}: ${whole} names no service; known: self, ${[...urls.keys()].join(', ')}`,
            );
          }
          return which === 'url' ? found[0]! : found.join(',');
        });
      return {
        name,
        kind: s.kind,
        port: s.port + i,
        args: Object.entries(s.flags).map(([flag, value]) => `--${flag}=${fill(value, `flags.${flag}`)}`),
        env: Object.fromEntries(Object.entries(s.env).map(([k, v]) => [k, fill(v, `env.${k}`)])),
      };
    }),
  );
}

/** host and port a phase's target names: a service instance, or a URL (checked at load time). */
export function resolveTarget(target: string, specs: ServiceSpec[]): { host: string; port: number; url: string; tls: boolean } {
  const spec = specs.find((s) => s.name === target);
  if (spec) return { host: '127.0.0.1', port: spec.port, url: urlOf(spec.port), tls: false };
  const url = new URL(target);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const tls = url.protocol === 'https:';
  return { host: host === 'localhost' ? '127.0.0.1' : host, port: Number(url.port || (tls ? 443 : 80)), url: url.origin, tls };
}
