/**
 * What the scenario's topology resolves to: one ServiceSpec per instance to start. The runtime stage takes
 * these and starts them; nothing here knows how.
 */

import type { ServiceKind } from './reference-kinds.js';
import type { CounterNames, GcSource, Language } from './service-traits.js';

export type { ServiceKind } from './reference-kinds.js';
export type * from './service-traits.js';

/**
 * The run's certificate files, as `{{tls.cert}}`, `{{tls.key}}`, `{{tls.ca}}`: left unfilled by the topology
 * for the runtime, since only it knows where the files are as the service sees them (a host path, or one in
 * its container).
 */
export const TLS_TEMPLATE = /\{\{\s*tls\.([A-Za-z0-9_-]*)\s*\}\}/g;
export const TLS_FILES = ['cert', 'key', 'ca'] as const;
export type TlsFile = (typeof TLS_FILES)[number];

/** When a started service counts as ready. */
export type ReadyCheck =
  | { probe: 'http'; path: string; status: number; timeoutMs: number }
  | { probe: 'tcp'; timeoutMs: number }
  | { probe: 'log'; text: string; timeoutMs: number };

/** What a service is made from: a reference kind, or the user's own image, build context and/or command. */
export type ServiceSource =
  | { type: 'reference'; kind: ServiceKind }
  | {
      type: 'own';
      /** A local image (`pull: true` lets the engine pull it). */
      image?: { tag: string; pull: boolean };
      /** A build context with a Dockerfile, built through the engine. */
      build?: { contextDir: string; dockerfile: string };
      /** Process runtime: argv (templates filled, argv[0] resolved against the scenario's folder) and its cwd. */
      command?: { argv: string[]; cwd: string };
    };

/** How a service is run and read: as declared in a scenario (templates unfilled) and as resolved to an instance. */
export interface ServiceSettings {
  /**
   * Arguments after the binary, the image's entrypoint or the command: in a ServiceSpec, for a reference
   * kind its port flag and the scenario's flags, for an own service its `args:`, templates filled.
   */
  args: string[];
  env: Record<string, string>;
  ready: ReadyCheck;
  gc: GcSource;
  /** Server-Timing entry name this service writes (the hop name in attribution). */
  hop: string;
  language: Language;
  /** Known /metrics counters, or undefined when the service's counters are unknown to hopscope. */
  counters: CounterNames | undefined;
  /**
   * Serves HTTPS with a certificate hopscope makes for the run (`tls: true`): its URL is https://, and
   * `{{tls.cert}}`, `{{tls.key}}`, `{{tls.ca}}` in its args, env and command are filled by the runtime with
   * the files' paths as the service sees them.
   */
  tls: boolean;
}

/** One instance to start: the scenario's topology resolves to a list of these. */
export interface ServiceSpec extends ServiceSettings {
  /** Instance name, unique in a run, e.g. "api", "cache-1"; used for log files and per-service stats. */
  name: string;
  /** The reference kind, or "own" for a service the user brings. */
  kind: ServiceKind | 'own';
  source: ServiceSource;
  /** Loopback port the instance listens on (always 127.0.0.1). */
  port: number;
}
