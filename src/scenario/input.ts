/**
 * A scenario as a user writes it, in YAML or in code: the fields of docs/scenarios.md with their
 * defaults left out. `defineScenario` types a JS/TS scenario module's default export, as vite.config.js is
 * typed by defineConfig, so that phases can be generated in code. Every value is still validated at load
 * time against the same JSON Schema as a YAML file (src/scenario/schema.ts); these types only help editors.
 */

import type { ServiceKind } from './service-spec.js';
import type { Language } from './service-traits.js';

/** "500ms", "10s", "2m". */
export type DurationText = string;
type Scalar = string | number | boolean;

export interface VarInput {
  uniform?: [number, number];
  zipf?: { n: number; s?: number };
  sequence?: number;
}

export interface RequestInput {
  name: string;
  /** Starts with "/"; `{var}` is filled from vars. */
  path: string;
  method?: 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'OPTIONS';
  headers?: Record<string, Scalar>;
  body?: string;
  /** Relative to the scenario file (or the working directory for a scenario object). */
  bodyFile?: string;
  weight?: number;
  vars?: Record<string, VarInput>;
}

export interface LoadInput {
  model: 'closed' | 'open';
  connections?: number;
  pipelining?: number;
  streams?: number;
  /** Open loop: requests/s, or a linear ramp. */
  rate?: number | { from: number; to: number };
  arrival?: 'constant' | 'poisson';
}

export interface FaultInput {
  kind: 'pause' | 'kill' | 'gc-pressure';
  service: string;
  at: DurationText;
  duration?: DurationText;
  every?: DurationText;
  ballastMb?: number;
  garbageKb?: number;
}

export interface PhaseInput {
  name: string;
  duration: DurationText;
  load: LoadInput;
  /** A service name or a URL. */
  target?: string;
  mix?: Record<string, number>;
  /** false: a warm-up, left out of the results. */
  record?: boolean;
  faults?: FaultInput[];
  /** Overrides the scenario's protocol for this phase. */
  protocol?: 'h1' | 'h2';
}

export interface ServiceInput {
  name: string;
  port: number;
  kind?: ServiceKind;
  instances?: number;
  flags?: Record<string, Scalar>;
  env?: Record<string, Scalar>;
  image?: string;
  pull?: boolean;
  build?: string;
  dockerfile?: string;
  command?: string[];
  cwd?: string;
  args?: (string | number)[];
  hop?: string;
  language?: Language;
  ready?: { http?: string; status?: number; tcp?: true; log?: string; timeout?: DurationText };
  gc?: { 'go-expvar'?: string; hopscope?: string };
  /** Serve HTTPS with a certificate made for the run; an own service names it with {{tls.cert}} and {{tls.key}}. */
  tls?: boolean;
}

export interface KneeInput {
  from: number;
  step: number;
  max: number;
  stepDuration: DurationText;
  slo: { percentile: number; below: DurationText; maxErrorRate?: number };
  target?: string;
  mix?: Record<string, number>;
  connections?: number;
  arrival?: 'constant' | 'poisson';
}

export interface TlsInput {
  insecure?: boolean;
  ca?: string;
  cert?: string;
  key?: string;
  servername?: string;
}

export interface ScenarioInput {
  name: string;
  requests: RequestInput[];
  description?: string;
  seed?: number;
  target?: string;
  timeout?: DurationText;
  protocol?: 'h1' | 'h2';
  allowRemote?: boolean;
  tls?: TlsInput;
  services?: ServiceInput[];
  phases?: PhaseInput[];
  knee?: KneeInput;
  /** "p99 < 5ms", or scoped to a request or a hop. */
  thresholds?: (string | { expr: string; request?: string; hop?: string })[];
}

/** Types a scenario written in code; returns it unchanged. */
export function defineScenario<const T extends ScenarioInput>(scenario: T): T {
  return scenario;
}
