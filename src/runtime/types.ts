/** What every runtime (docker, process) offers the rest of hopscope. Nothing outside src/runtime imports dockerode. */

import type { ServiceSpec } from '../scenario/service-spec.js';
import type { ServiceCertificates } from './tls/certificates.js';

export type * from '../scenario/service-spec.js';
export type RuntimeKind = 'docker' | 'process';

export interface ResourceSample {
  /** Date.now() when sampled. */
  atMs: number;
  cpuPercent: number;
  memoryBytes: number;
}

export interface StartedService {
  readonly spec: ServiceSpec;
  /** http://127.0.0.1:PORT, or https:// for a `tls: true` service. */
  readonly url: string;
  /** PEM of the CA a `tls: true` service's certificate chains to (made for the run); undefined without TLS. */
  readonly ca: string | undefined;
  /** Free text for the report: image id or binary path, and how it runs. */
  readonly describe: string;
  /** Freeze every thread of the service (cgroup freezer or SIGSTOP): a stop-the-world stall on demand. */
  pause(): Promise<void>;
  unpause(): Promise<void>;
  /** Kill it hard and start it again with the same spec; resolves once ready again. */
  restart(): Promise<void>;
  /**
   * CPU (percent of one core, averaged since the previous sample) and resident memory now. On Docker a call
   * can take up to ~1 s (the engine collects stats once a second): sample from a timer, not per request.
   */
  sample(): Promise<ResourceSample>;
  /** Stop and remove; idempotent. */
  down(): Promise<void>;
}

export interface UpOptions {
  runId: string;
  /** Each service's stdout/stderr are streamed to LOGDIR/<name>.log. */
  logDir: string;
  /** The run's certificate for the `tls: true` services; required when any spec has tls. */
  certificates?: ServiceCertificates;
  /** Overrides every service's own `ready.timeoutMs` when set (tests). */
  readyTimeoutMs?: number;
  /** Progress lines for the user (building, starting, ready). */
  log: (line: string) => void;
}

export interface Runtime {
  readonly kind: RuntimeKind;
  /** Starts the services in order (upstreams first, as listed), waits for each to be ready. */
  up(specs: ServiceSpec[], options: UpOptions): Promise<StartedService[]>;
  /** Releases what the runtime itself holds for the run (the docker reaper); after every service is down. */
  close(): Promise<void>;
}
