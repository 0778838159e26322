/** What every runtime (docker, process) offers the rest of hopscope. Nothing outside src/runtime imports dockerode. */

export type ServiceKind = 'fastjson-api' | 'rust-cache-server';
export type RuntimeKind = 'docker' | 'process';

/** One instance to start: the scenario's topology resolves to a list of these. */
export interface ServiceSpec {
  /** Instance name, unique in a run, e.g. "api", "cache-1"; used for log files and per-service stats. */
  name: string;
  kind: ServiceKind;
  /** Loopback port the instance listens on (always 127.0.0.1). */
  port: number;
  /** Extra command-line flags, e.g. ["--cache-url", "http://127.0.0.1:8081"]. */
  args: string[];
  env: Record<string, string>;
}

export interface ResourceSample {
  /** Date.now() when sampled. */
  atMs: number;
  cpuPercent: number;
  memoryBytes: number;
}

export interface StartedService {
  readonly spec: ServiceSpec;
  /** http://127.0.0.1:PORT */
  readonly url: string;
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
  readyTimeoutMs: number;
  /** Progress lines for the user (building, starting, ready). */
  log: (line: string) => void;
}

export interface Runtime {
  readonly kind: RuntimeKind;
  /** Starts the services in order (upstreams first, as listed), waits for each to answer /healthz. */
  up(specs: ServiceSpec[], options: UpOptions): Promise<StartedService[]>;
}
