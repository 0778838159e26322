/**
 * The one registry of the reference service kinds: how each is built, how it is told its port, how it says
 * it is ready, where its GC and counters are, and what the report should say about it. A new kind, or a
 * renamed one, touches this file only; everything else reads a kind's descriptor or the ServiceSpec made
 * from it.
 */

import { join } from 'node:path';
import type { BinarySource } from './build/recipes.js';
import { packageRoot } from './package-root.js';
import type { CounterNames, GcSource, Language } from './types.js';

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
  recipe: Omit<BinarySource, 'name' | 'sourceDir'>;
}

const RUST_TARGET = 'x86_64-unknown-linux-gnu';

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
    recipe: {
      tool: 'cargo',
      installHint: 'install Rust (https://rustup.rs) so that `cargo` is on PATH',
      args: () => ['build', '--release', '--target', RUST_TARGET],
      // The image is FROM scratch: the binary must carry its libc.
      env: { RUSTFLAGS: '-C target-feature=+crt-static' },
      producedAt: (targetDir) => join(targetDir, RUST_TARGET, 'release', 'fastjson-api'),
      fingerprint: `cargo build --release --target ${RUST_TARGET} RUSTFLAGS=-C target-feature=+crt-static`,
    },
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
    recipe: goStaticRecipe(),
  },
} as const satisfies Record<string, KindDescriptor>;

export type ServiceKind = keyof typeof KINDS;
export const SERVICE_KINDS = Object.keys(KINDS) as ServiceKind[];

/** Go's static build, shared by the Go reference service and hopscope's own reaper. */
export function goStaticRecipe(): KindDescriptor['recipe'] {
  return {
    tool: 'go',
    installHint: 'install Go (https://go.dev/dl) so that `go` is on PATH',
    args: (outputPath) => ['build', '-trimpath', '-ldflags=-s -w', '-o', outputPath, '.'],
    // Static, for images FROM scratch; the local toolchain only, since nothing may be downloaded.
    env: { CGO_ENABLED: '0', GOTOOLCHAIN: 'local' },
    fingerprint: "CGO_ENABLED=0 go build -trimpath -ldflags='-s -w'",
  };
}

export function isServiceKind(name: string): name is ServiceKind {
  return Object.hasOwn(KINDS, name);
}

export function kindDescriptor(kind: ServiceKind): KindDescriptor {
  return KINDS[kind];
}

/** Where a reference kind's sources live, and how its static binary is built. */
export function kindBinary(kind: ServiceKind): BinarySource {
  return { name: kind, sourceDir: join(packageRoot(), 'reference-services', kind), ...KINDS[kind].recipe };
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
