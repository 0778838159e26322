/**
 * The registry of the reference service kinds as a scenario sees them: how each is told its port, how it
 * says it is ready, where its GC and counters are, and what the report should say about it. How each is
 * built is the runtime's business (runtime/build/reference-recipes.ts). Everything else reads a kind's
 * descriptor or the ServiceSpec made from it.
 */

import type { CounterNames, GcSource, Language } from './service-traits.js';

export interface KindDescriptor {
  language: Language;
  /** Flags that tell an instance its port; the scenario's `flags:` follow them. */
  portArgs(port: number): string[];
  /** The flag that renames its Server-Timing entry (the kind's name by default). */
  hopFlag: string;
  /** A readiness endpoint every reference service answers once it serves. */
  readyPath: string;
  gc: GcSource;
  /** Prometheus counters in /metrics, for per-hop counts and retry amplification. */
  counters: CounterNames;
  /** Accepts the `gc-pressure` fault (POST /debug/pressure). */
  gcPressure: boolean;
  /** Flags that make it serve TLS with a certificate and key file; absent for a kind that cannot. */
  tlsArgs?: (certPath: string, keyPath: string) => string[];
}

const KINDS = {
  'fastjson-api': {
    language: 'rust',
    portArgs: (port) => ['--port', String(port)],
    hopFlag: 'hop-name',
    readyPath: '/healthz',
    gc: { source: 'none' },
    counters: {
      path: '/metrics',
      requests: ['fastjson_requests_total'],
      upstream: ['fastjson_upstream_requests_total'],
      timeouts: ['fastjson_upstream_timeouts_total'],
      retries: ['fastjson_upstream_retries_total'],
    },
    gcPressure: false,
    tlsArgs: (certPath, keyPath) => ['--tls-cert', certPath, '--tls-key', keyPath],
  },
  'rust-cache-server': {
    language: 'go',
    portArgs: (port) => ['--port', String(port)],
    hopFlag: 'hop-name',
    readyPath: '/healthz',
    gc: { source: 'hopscope', path: '/debug/gc' },
    counters: {
      path: '/metrics',
      requests: ['rcs_requests_total'],
      upstream: ['rcs_origin_requests_total', 'rcs_forwards_total'],
      timeouts: ['rcs_origin_timeouts_total'],
      retries: [],
    },
    gcPressure: true,
  },
} as const satisfies Record<string, KindDescriptor>;

export type ServiceKind = keyof typeof KINDS;
export const SERVICE_KINDS = Object.keys(KINDS) as ServiceKind[];

export function isServiceKind(name: string): name is ServiceKind {
  return Object.hasOwn(KINDS, name);
}

export function kindDescriptor(kind: ServiceKind): KindDescriptor {
  return KINDS[kind];
}

/** The report's note for a service whose collector hopscope does not see, by language. */
export function unseenGcNote(language: Language, configured: boolean): string {
  switch (language) {
    case 'rust':
      return 'Rust: memory is freed deterministically, there is no garbage collector and so no GC pause to record';
    case 'go':
      return configured
        ? 'Go: no GC pause was readable'
        : 'Go: no GC source configured; add `import _ "expvar"` to the service and `gc: { go-expvar: /debug/vars }` to its entry to see its pauses';
    case 'java':
    case 'node':
    case 'python':
      return `${language}: it has a garbage collector, but no GC source is configured, so its pauses are not visible here`;
    default:
      return 'no GC source configured: if the service has a garbage collector, its pauses are not visible here';
  }
}
