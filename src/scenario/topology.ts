/**
 * Resolves the scenario's services into concrete instances: names, ports, and arguments, env and commands
 * with their `{{port}}` and `{{service.url}}` references filled in, so upstream wiring is written once in the
 * scenario.
 */

import { UsageError } from '../errors.js';
import { kindDescriptor } from './reference-kinds.js';
import type { ServiceSource, ServiceSpec } from './service-spec.js';
import { instanceNamesOf } from './load.js';
import type { Scenario, ServiceDecl } from './types.js';

export function urlOf(port: number, tls = false): string {
  return `${tls ? 'https' : 'http'}://127.0.0.1:${port}`;
}

const TEMPLATE = /\{\{\s*(?:(port)|([A-Za-z0-9_.-]+?)\.(url|urls))\s*\}\}/g;

/** True when a value names another service (`{{x.url}}`), i.e. its service calls an upstream. */
export function referencesAService(value: string): boolean {
  return [...value.matchAll(TEMPLATE)].some((m) => m[2] !== undefined && m[2] !== 'self');
}

/** The end of the chain: the last-declared service instance whose flags call no other service. */
export function deepestService(scenario: Scenario): string | undefined {
  const leaves = scenario.services.filter((s) => ![...Object.values(s.flags), ...Object.values(s.env), ...s.args].some(referencesAService));
  const leaf = leaves[leaves.length - 1];
  return leaf && (leaf.instances === 1 ? leaf.name : `${leaf.name}-1`);
}

export function resolveTopology(scenario: Scenario): ServiceSpec[] {
  const urls = new Map<string, string[]>();
  const servesTls = new Set<string>();
  for (const s of scenario.services) {
    const all = instanceNamesOf(s).map((_, i) => urlOf(s.port + i, s.tls));
    urls.set(s.name, all);
    instanceNamesOf(s).forEach((name, i) => urls.set(name, [all[i]!]));
    if (s.tls) [s.name, ...instanceNamesOf(s)].forEach((name) => servesTls.add(name));
  }
  return scenario.services.flatMap((s) =>
    instanceNamesOf(s).map((name, i): ServiceSpec => {
      const port = s.port + i;
      const fill = (value: string, where: string) =>
        value.replace(TEMPLATE, (whole, isPort: string | undefined, ref: string, which: string) => {
          if (isPort) return String(port);
          const found = ref === 'self' ? [urlOf(port, s.tls)] : urls.get(ref);
          if (!found) {
            throw new UsageError(
              `${scenario.source}: services.${s.name}.${where}: ${whole} names no service; known: port, self, ${[...urls.keys()].join(', ')}`,
            );
          }
          if (s.origin.type === 'reference' && ref !== 'self' && servesTls.has(ref)) {
            throw new UsageError(
              `${scenario.source}: services.${s.name}.${where}: ${whole} is a TLS service (tls: true), and ${s.kind} calls its upstreams over plain HTTP only`,
              `drop tls: true from "${ref}", or point ${s.name} at a service without TLS`,
            );
          }
          return which === 'url' ? found[0]! : found.join(',');
        });
      const flags = Object.entries(s.flags).map(([flag, value]) => `--${flag}=${fill(value, `flags.${flag}`)}`);
      const args = s.args.map((arg, j) => fill(arg, `args[${j}]`));
      const kind = s.origin.type === 'reference' ? kindDescriptor(s.origin.kind) : undefined;
      const tlsArgs = s.tls && kind?.tlsArgs ? kind.tlsArgs('{{tls.cert}}', '{{tls.key}}') : [];
      return {
        name,
        kind: s.kind,
        source: source(s, fill),
        port,
        args: kind ? [...kind.portArgs(port), ...tlsArgs, ...flags, ...args] : args,
        env: Object.fromEntries(Object.entries(s.env).map(([k, v]) => [k, fill(v, `env.${k}`)])),
        ready: s.ready,
        gc: s.gc,
        hop: s.hop,
        language: s.language,
        counters: s.counters,
        tls: s.tls,
      };
    }),
  );
}

function source(s: ServiceDecl, fill: (value: string, where: string) => string): ServiceSource {
  const origin = s.origin;
  if (origin.type === 'reference' || origin.command === undefined) return origin;
  return { ...origin, command: { ...origin.command, argv: origin.command.argv.map((arg, j) => fill(arg, `command[${j}]`)) } };
}

/** host and port a phase's target names: a service instance, or a URL (checked at load time). */
export function resolveTarget(target: string, specs: ServiceSpec[]): { host: string; port: number; url: string; tls: boolean } {
  const spec = specs.find((s) => s.name === target);
  if (spec) return { host: '127.0.0.1', port: spec.port, url: urlOf(spec.port, spec.tls), tls: spec.tls };
  const url = new URL(target);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const tls = url.protocol === 'https:';
  return { host: host === 'localhost' ? '127.0.0.1' : host, port: Number(url.port || (tls ? 443 : 80)), url: url.origin, tls };
}
