/** A validated scenario: what `scenario/load.ts` returns and every later stage reads. Units are in the names. */

import type { ServiceKind, ServiceSettings, ServiceSource } from './service-spec.js';

/** Where a service comes from, as written: the runtime's ServiceSource, with templates such as {{port}} still unfilled. */
export type ServiceOrigin = ServiceSource;

export interface ServiceDecl extends ServiceSettings {
  /** Name in the scenario; instances are NAME when instances = 1, else NAME-1 .. NAME-N. */
  name: string;
  /** The reference kind, or "own" for a service the user brings (image, build and/or command). */
  kind: ServiceKind | 'own';
  origin: ServiceOrigin;
  /** Port of the first instance; instance i listens on port + i - 1. */
  port: number;
  instances: number;
  /**
   * Reference kinds: flags as name -> value. Values, args, env and command may reference `{{port}}`,
   * `{{other.url}}`, `{{other.urls}}` and `{{self.url}}`.
   */
  flags: Record<string, string>;
}

export type VarSpec =
  | { kind: 'uniform'; min: number; max: number }
  | { kind: 'zipf'; n: number; s: number }
  | { kind: 'sequence'; start: number };

export interface RequestDecl {
  name: string;
  method: string;
  /** Path template: `/v1/items/{id}`; every `{var}` has an entry in vars. */
  path: string;
  headers: Record<string, string>;
  body: Buffer | undefined;
  weight: number;
  vars: Record<string, VarSpec>;
}

export type Arrival = 'constant' | 'poisson';

export type LoadModel =
  | { model: 'closed'; connections: number; pipelining: number }
  | {
      model: 'open';
      /** Rate at the start and at the end of the phase (equal for a constant rate; a ramp otherwise). */
      fromRps: number;
      toRps: number;
      arrival: Arrival;
      /** Upper bound on connections; each carries up to `pipelining` requests at once. */
      connections: number;
      pipelining: number;
    };

export type FaultDecl =
  | { kind: 'pause'; service: string; atMs: number; durationMs: number; everyMs: number | undefined }
  | { kind: 'kill'; service: string; atMs: number }
  | { kind: 'gc-pressure'; service: string; atMs: number; ballastMb: number | undefined; garbageKb: number | undefined };

export interface PhaseDecl {
  name: string;
  durationMs: number;
  /** h1 or h2: the phase's own `protocol`, else the scenario's; --http2 sets every phase's. */
  protocol: 'h1' | 'h2';
  load: LoadModel;
  /** Service (instance) name or absolute http://127.x URL that this phase's requests go to. */
  target: string;
  /** Request names and weights of this phase's mix; all the scenario's requests when not given. */
  mix: { request: string; weight: number }[];
  /** false for a warm-up: measured and shown, but left out of the run's summary and gates. */
  record: boolean;
  faults: FaultDecl[];
  /** Set on the steps a knee search generated: the phase's open-loop rate. */
  kneeStepRps?: number;
}

/** find-knee: step an open-loop rate up until a latency percentile crosses an SLO. */
export interface KneeDecl {
  percentile: number;
  belowUs: number;
  /** Also a failure: a step whose errors exceed this share of its requests. */
  maxErrorRate: number;
}

export interface ThresholdDecl {
  expression: string;
  /** A request name, or `hop:NAME` for a hop (the `--threshold` flag's syntax); the whole run when absent. */
  scope: string | undefined;
}

/** TLS client settings for https:// targets, certificates as PEM text (read from the files named). */
export interface TlsDecl {
  insecure: boolean;
  ca?: string;
  cert?: string;
  key?: string;
  servername?: string;
}

export interface Scenario {
  name: string;
  description: string;
  /** Where it came from, for messages: a file path, or "ad-hoc". */
  source: string;
  seed: number;
  services: ServiceDecl[];
  requests: RequestDecl[];
  phases: PhaseDecl[];
  requestTimeoutMs: number;
  thresholds: ThresholdDecl[];
  knee: KneeDecl | undefined;
  /** For https:// targets; verification on with the system's CAs when the scenario sets nothing. */
  tls: TlsDecl;
  /** The user opted in to targets beyond loopback (--allow-remote, allowRemote: true). */
  allowRemote: boolean;
  /**
   * The phases' default (each PhaseDecl carries its own): h2 is HTTP/2 (ALPN over TLS, prior knowledge for
   * http://), and a phase's `pipelining` is then its streams per connection.
   */
  protocol: 'h1' | 'h2';
}
