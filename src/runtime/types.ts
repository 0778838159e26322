/** What every runtime (docker, process) offers the rest of hopscope. Nothing outside src/runtime imports dockerode. */

import type { ServiceKind } from './service-kinds.js';

export type { ServiceKind } from './service-kinds.js';
export type RuntimeKind = 'docker' | 'process';
export const LANGUAGES = ['go', 'rust', 'java', 'node', 'python', 'other'] as const;
export type Language = (typeof LANGUAGES)[number];

/** Where a service's GC pauses can be read: Go's expvar memstats, the reference service's /debug/gc, or nowhere. */
export type GcSource = { source: 'go-expvar'; path: string } | { source: 'hopscope'; path: string } | { source: 'none' };

/** When a started service counts as ready. */
export type ReadyCheck =
  | { probe: 'http'; path: string; status: number; timeoutMs: number }
  | { probe: 'tcp'; timeoutMs: number }
  | { probe: 'log'; text: string; timeoutMs: number };

/** Where a service's Prometheus counters are, and which names count what (summed per role). */
export interface CounterNames {
  /** The text-format endpoint, e.g. /metrics. */
  path: string;
  requests: readonly string[];
  upstream: readonly string[];
  timeouts: readonly string[];
  retries: readonly string[];
}

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

/** One instance to start: the scenario's topology resolves to a list of these. */
export interface ServiceSpec {
  /** Instance name, unique in a run, e.g. "api", "cache-1"; used for log files and per-service stats. */
  name: string;
  /** The reference kind, or "own" for a service the user brings. */
  kind: ServiceKind | 'own';
  source: ServiceSource;
  /** Loopback port the instance listens on (always 127.0.0.1). */
  port: number;
  /**
   * Arguments after the binary, the image's entrypoint or the command: for a reference kind its port flag
   * and the scenario's flags, for an own service its `args:`; templates filled.
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
