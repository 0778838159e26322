/** scenario YAML file -> validated Scenario, with defaults applied and every reference checked. */

import { existsSync, readFileSync } from 'node:fs';
import { dirname, extname, resolve } from 'node:path';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { UsageError } from '../errors.js';
import { importModule } from '../import-module.js';
import { kindDescriptor, SERVICE_KINDS, type ServiceKind } from './reference-kinds.js';
import { DEFAULT_CLOSED_CONNECTIONS, DEFAULT_CONNECTIONS, DEFAULT_PIPELINING, DEFAULT_REQUEST_TIMEOUT_MS, DEFAULT_SEED } from './defaults.js';
import { parseDurationMs } from './duration.js';
import { assertTargetUrl } from './loopback.js';
import type { FaultDecl, KneeDecl, LoadModel, PhaseDecl, RequestDecl, Scenario, ServiceDecl, ThresholdDecl, TlsDecl, VarSpec } from './types.js';
import { serviceEntry, stringMap } from './service-entry.js';
import { ScenarioLocator, validateShape } from './validate.js';

type Raw = Record<string, any>;

// The YAML parser is required when a YAML text is parsed, not at start-up: ad-hoc runs, scenario objects and
// modules never need it, and loading it is a fixed cost of every run (the generator's CPU is measured).
const require = createRequire(import.meta.url);
const yaml = (): typeof import('yaml') => require('yaml');

/**
 * What flags add to any scenario (`--allow-remote`, `--insecure`, `--ca` ...): they override the file's
 * settings; file paths are absolute (resolved against the working directory by the CLI).
 */
export interface ConnectionOverrides {
  allowRemote?: boolean;
  protocol?: 'h1' | 'h2';
  tls?: { insecure?: boolean; ca?: string; cert?: string; key?: string; servername?: string };
}

export function loadScenarioFile(path: string, overrides: ConnectionOverrides = {}): Scenario {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read scenario file ${path}: ${(error as NodeJS.ErrnoException).code ?? error}`);
  }
  return parseScenario(text, path, overrides);
}

/**
 * A scenario given as data (from code, or a JS module's default export): validated against the same schema
 * as a file, with `source` naming it in messages; relative paths (bodyFile, tls files) resolve against baseDir.
 */
export function scenarioFromObject(input: unknown, source: string, baseDir: string, overrides: ConnectionOverrides = {}): Scenario {
  const locator = new ScenarioLocator(source, undefined, undefined);
  validateShape(input, locator);
  return normalize(input as Raw, locator, baseDir, overrides);
}

const MODULE_EXTENSIONS = ['.js', '.mjs', '.cjs', '.ts', '.mts'];

/** A scenario file: YAML, or a JS module (.js, .mjs; .ts under a TypeScript loader) whose default export is the scenario. */
export async function loadScenarioPath(path: string, overrides: ConnectionOverrides = {}): Promise<Scenario> {
  if (!MODULE_EXTENSIONS.includes(extname(path))) return loadScenarioFile(path, overrides);
  if (!existsSync(path)) throw new UsageError(`cannot read scenario file ${path}: ENOENT`);
  let exported: unknown;
  try {
    const module = await importModule<{ default?: unknown }>(pathToFileURL(path).href);
    // A function lets a module build its phases lazily (and asynchronously).
    exported = typeof module.default === 'function' ? await (module.default as () => unknown)() : module.default;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const hint = code === 'ERR_UNKNOWN_FILE_EXTENSION' ? 'Node runs .ts files only under a TypeScript loader (e.g. tsx); compile the module to .js or write the scenario in YAML' : undefined;
    throw new UsageError(`cannot load scenario module ${path}: ${(error as Error).message ?? error}`, hint);
  }
  if (exported === undefined) throw new UsageError(`${path}: no default export; a scenario module ends with \`export default defineScenario({ ... })\``);
  return scenarioFromObject(exported, path, dirname(resolve(path)), overrides);
}

export function parseScenario(text: string, source: string, overrides: ConnectionOverrides = {}): Scenario {
  const { LineCounter, parseDocument } = yaml();
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const yamlError = doc.errors[0];
  if (yamlError) {
    const line = lines.linePos(yamlError.pos[0]).line;
    throw new UsageError(`${source}${line ? `:${line}` : ''}: not valid YAML: ${yamlError.message.split('\n')[0]}`);
  }
  const locator = new ScenarioLocator(source, doc, lines);
  const data = doc.toJS() as unknown;
  validateShape(data, locator);
  return normalize(data as Raw, locator, dirname(resolve(source)), overrides);
}

/** Builds a Scenario from already-shaped data (used by ad-hoc mode too). */
export function normalize(raw: Raw, at: ScenarioLocator, baseDir: string, overrides: ConnectionOverrides = {}): Scenario {
  const allowRemote = overrides.allowRemote === true || raw.allowRemote === true;
  const protocol: 'h1' | 'h2' = overrides.protocol ?? raw.protocol ?? 'h1';
  const services = (raw.services ?? []).map((s: Raw, i: number) => serviceEntry(s, i, at, baseDir));
  const instanceKinds = new Map<string, ServiceKind | 'own'>();
  services.forEach((s: ServiceDecl) => instanceNamesOf(s).forEach((n) => instanceKinds.set(n, s.kind)));
  const instanceNames = new Set(instanceKinds.keys());
  checkUnique(services.map((s: ServiceDecl) => s.name), 'services', at);
  checkPorts(services, at);

  const requests: RequestDecl[] = raw.requests.map((r: Raw, i: number) => request(r, i, at, baseDir));
  checkUnique(requests.map((r) => r.name), 'requests', at);
  const requestNames = new Set(requests.map((r) => r.name));

  const defaultTarget: string | undefined = raw.target ?? (services.length === 1 ? services[0]!.name : undefined);
  const ctx = { defaultTarget, instanceNames, instanceKinds, requestNames, requests, allowRemote, protocol, protocolFlag: overrides.protocol };
  const phases: PhaseDecl[] = (raw.phases ?? []).map((p: Raw, i: number) => phase(p, i, at, ctx));
  const knee = raw.knee ? kneeSteps(raw.knee, at, ctx, phases) : undefined;
  if (phases.length === 0) at.fail([], 'no phases: give phases, a knee search, or both');
  checkUnique(phases.map((p) => p.name), 'phases', at);

  const thresholds: ThresholdDecl[] = (raw.thresholds ?? []).map((t: string | Raw) =>
    typeof t === 'string' ? { expression: t, scope: undefined } : { expression: t.expr, scope: t.hop !== undefined ? `hop:${t.hop}` : t.request },
  );

  return {
    name: raw.name,
    description: raw.description ?? '',
    source: at.source,
    seed: raw.seed ?? DEFAULT_SEED,
    services,
    requests,
    phases,
    requestTimeoutMs: raw.timeout ? parseDurationMs(raw.timeout, `${at.where(['timeout'])}`) : DEFAULT_REQUEST_TIMEOUT_MS,
    thresholds,
    knee,
    tls: tlsSettings(raw.tls ?? {}, at, baseDir, overrides.tls ?? {}),
    allowRemote,
    protocol,
  };
}

/** The scenario's tls block with the flags over it; certificate files read now, so a bad path fails before any load. */
function tlsSettings(raw: Raw, at: ScenarioLocator, baseDir: string, flags: NonNullable<ConnectionOverrides['tls']>): TlsDecl {
  const pem = (key: 'ca' | 'cert' | 'key'): string | undefined => {
    const fromFlag = flags[key];
    const path = fromFlag ?? (raw[key] === undefined ? undefined : resolve(baseDir, raw[key]));
    if (path === undefined) return undefined;
    try {
      return readFileSync(path, 'utf8');
    } catch (error) {
      const where = fromFlag !== undefined ? `--${key}` : at.where(['tls', key]);
      throw new UsageError(`${where}: cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? error}`);
    }
  };
  const tls: TlsDecl = { insecure: flags.insecure ?? raw.insecure ?? false };
  const ca = pem('ca');
  const cert = pem('cert');
  const key = pem('key');
  if ((cert === undefined) !== (key === undefined)) {
    throw new UsageError(`${at.source}: a client certificate needs both cert and key (--cert FILE --key FILE, or tls.cert and tls.key)`);
  }
  const servername = flags.servername ?? raw.servername;
  return { ...tls, ...(ca ? { ca } : {}), ...(cert ? { cert } : {}), ...(key ? { key } : {}), ...(servername ? { servername } : {}) };
}

/** Expands a knee search into open-loop steps appended to the phases; the run stops at the first failing step. */
function kneeSteps(k: Raw, at: ScenarioLocator, ctx: PhaseContext, phases: PhaseDecl[]): KneeDecl {
  if (k.max < k.from) at.fail(['knee', 'max'], `is below from (${k.from})`);
  const steps = Math.floor((k.max - k.from) / k.step) + 1;
  if (steps > 200) at.fail(['knee', 'step'], `makes ${steps} steps; at most 200 are allowed`);
  for (let i = 0; i < steps; i++) {
    const rateRps = k.from + i * k.step;
    const raw = {
      name: `knee-${rateRps}`,
      duration: k.stepDuration,
      target: k.target,
      mix: k.mix,
      load: { model: 'open', rate: rateRps, arrival: k.arrival ?? 'constant', connections: k.connections ?? DEFAULT_CONNECTIONS },
    };
    phases.push({ ...phase(raw, phases.length, new ScenarioLocator(`${at.where(['knee'])}`, undefined, undefined), ctx), kneeStepRps: rateRps });
  }
  return {
    percentile: k.slo.percentile,
    belowUs: parseDurationMs(k.slo.below, at.where(['knee', 'slo', 'below'])) * 1000,
    maxErrorRate: k.slo.maxErrorRate ?? 0.01,
  };
}

export function instanceNamesOf(s: ServiceDecl): string[] {
  return s.instances === 1 ? [s.name] : Array.from({ length: s.instances }, (_, i) => `${s.name}-${i + 1}`);
}

function checkUnique(names: string[], field: string, at: ScenarioLocator): void {
  const seen = new Set<string>();
  names.forEach((n, i) => {
    if (seen.has(n)) at.fail([field, i, 'name'], `duplicate name "${n}"; names must be unique in ${field}`);
    seen.add(n);
  });
}

function checkPorts(services: ServiceDecl[], at: ScenarioLocator): void {
  const owner = new Map<number, string>();
  services.forEach((s, i) => {
    for (let p = s.port; p < s.port + s.instances; p++) {
      const other = owner.get(p);
      if (other) at.fail(['services', i, 'port'], `port ${p} is already used by service "${other}"`);
      owner.set(p, s.name);
    }
  });
}

function request(r: Raw, i: number, at: ScenarioLocator, baseDir: string): RequestDecl {
  if (r.body !== undefined && r.bodyFile !== undefined) at.fail(['requests', i], 'give either body or bodyFile, not both');
  let body: Buffer | undefined = r.body !== undefined ? Buffer.from(r.body) : undefined;
  if (r.bodyFile !== undefined) {
    try {
      body = readFileSync(resolve(baseDir, r.bodyFile));
    } catch (error) {
      at.fail(['requests', i, 'bodyFile'], `cannot read ${resolve(baseDir, r.bodyFile)}: ${(error as NodeJS.ErrnoException).code}`);
    }
  }
  const vars: Record<string, VarSpec> = {};
  for (const [name, spec] of Object.entries((r.vars ?? {}) as Record<string, Raw>)) {
    if (spec.uniform) {
      const [min, max] = spec.uniform as [number, number];
      if (min > max) at.fail(['requests', i, 'vars', name, 'uniform'], `min ${min} is greater than max ${max}`);
      vars[name] = { kind: 'uniform', min, max };
    } else if (spec.zipf) vars[name] = { kind: 'zipf', n: spec.zipf.n, s: spec.zipf.s ?? 1 };
    else vars[name] = { kind: 'sequence', start: spec.sequence };
  }
  for (const match of (r.path as string).matchAll(/\{([^}]*)\}/g)) {
    if (!vars[match[1]!]) {
      at.fail(['requests', i, 'path'], `uses {${match[1]}} but vars has no "${match[1]}"; defined: ${Object.keys(vars).join(', ') || 'none'}`);
    }
  }
  return {
    name: r.name,
    method: r.method ?? (body ? 'POST' : 'GET'),
    path: r.path,
    headers: stringMap(r.headers),
    body,
    weight: r.weight ?? 1,
    vars,
  };
}

interface PhaseContext {
  defaultTarget: string | undefined;
  instanceNames: Set<string>;
  instanceKinds: Map<string, ServiceKind | 'own'>;
  requestNames: Set<string>;
  requests: RequestDecl[];
  allowRemote: boolean;
  /** The scenario's protocol, for phases that set none. */
  protocol: 'h1' | 'h2';
  /** --http2: every phase speaks it, whatever the file says. */
  protocolFlag: 'h1' | 'h2' | undefined;
}

function phase(p: Raw, i: number, at: ScenarioLocator, ctx: PhaseContext): PhaseDecl {
  const here = ['phases', i];
  const target: string | undefined = p.target ?? ctx.defaultTarget;
  if (!target) at.fail(here, 'no target: set target on the phase or the scenario (a service name or a loopback URL)');
  if (/^[a-z]+:\/\//i.test(target)) assertTargetUrl(target, at.where([...here, 'target']), ctx.allowRemote);
  else if (!ctx.instanceNames.has(target)) {
    at.fail([...here, 'target'], `no service instance named "${target}"; known: ${[...ctx.instanceNames].join(', ') || 'none'}`);
  }
  let mix = ctx.requests.map((r) => ({ request: r.name, weight: r.weight }));
  if (p.mix) {
    mix = Object.entries(p.mix as Record<string, number>).map(([request, weight]) => {
      if (!ctx.requestNames.has(request)) {
        at.fail([...here, 'mix', request], `no request named "${request}"; known: ${[...ctx.requestNames].join(', ')}`);
      }
      return { request, weight };
    });
  }
  if (!mix.some((m) => m.weight > 0)) at.fail(p.mix ? [...here, 'mix'] : here, 'at least one request of the mix needs a weight above 0');
  const durationMs = parseDurationMs(p.duration, at.where([...here, 'duration']));
  if (durationMs < 100) at.fail([...here, 'duration'], 'must be at least 100ms');
  const protocol: 'h1' | 'h2' = ctx.protocolFlag ?? p.protocol ?? ctx.protocol;
  return {
    name: p.name,
    durationMs,
    protocol,
    load: loadModel(p.load, [...here, 'load'], at, protocol),
    target,
    mix,
    record: p.record ?? true,
    faults: (p.faults ?? []).map((f: Raw, j: number) => fault(f, [...here, 'faults', j], at, ctx, durationMs)),
  };
}

function loadModel(l: Raw, here: (string | number)[], at: ScenarioLocator, protocol: 'h1' | 'h2'): LoadModel {
  if (l.streams !== undefined && protocol !== 'h2') {
    at.fail([...here, 'streams'], 'streams are HTTP/2 streams: set protocol: h2 on the phase or the scenario (or --http2), or use pipelining');
  }
  if (l.streams !== undefined && l.pipelining !== undefined) at.fail([...here, 'streams'], 'give streams (HTTP/2) or pipelining (HTTP/1.1), not both');
  // One field inside: the requests a connection carries at once, pipelined (h1) or as streams (h2).
  const pipelining = l.streams ?? l.pipelining ?? DEFAULT_PIPELINING;
  if (l.model === 'closed') {
    if (l.rate !== undefined) at.fail([...here, 'rate'], 'a closed-loop phase has no rate: use model: open, or remove rate');
    return { model: 'closed', connections: l.connections ?? DEFAULT_CLOSED_CONNECTIONS, pipelining };
  }
  if (l.rate === undefined) at.fail(here, 'an open-loop phase needs rate (requests/s, or {from, to})');
  const [fromRps, toRps] = typeof l.rate === 'number' ? [l.rate, l.rate] : [l.rate.from, l.rate.to];
  return { model: 'open', fromRps, toRps, arrival: l.arrival ?? 'constant', connections: l.connections ?? DEFAULT_CONNECTIONS, pipelining };
}

function fault(f: Raw, here: (string | number)[], at: ScenarioLocator, ctx: PhaseContext, phaseMs: number): FaultDecl {
  if (!ctx.instanceNames.has(f.service)) {
    at.fail([...here, 'service'], `no service instance named "${f.service}"; known: ${[...ctx.instanceNames].join(', ') || 'none'}`);
  }
  const ms = (key: string) => (f[key] === undefined ? undefined : parseDurationMs(f[key], at.where([...here, key])));
  const atMs = ms('at')!;
  if (atMs >= phaseMs) at.fail([...here, 'at'], `is not within the phase (it lasts ${phaseMs} ms)`);
  switch (f.kind) {
    case 'pause': {
      const durationMs = ms('duration');
      if (durationMs === undefined) at.fail(here, 'a pause needs duration');
      const everyMs = ms('every');
      if (everyMs !== undefined && everyMs <= durationMs) at.fail([...here, 'every'], 'must be longer than duration');
      return { kind: 'pause', service: f.service, atMs, durationMs, everyMs };
    }
    case 'kill':
      return { kind: 'kill', service: f.service, atMs };
    default:
      const kind = ctx.instanceKinds.get(f.service)!;
      if (kind === 'own' || !kindDescriptor(kind).gcPressure) {
        const accepting = SERVICE_KINDS.filter((k) => kindDescriptor(k).gcPressure).join(', ');
        at.fail([...here, 'service'], `gc-pressure applies to ${accepting} (it needs POST /debug/pressure); "${f.service}" is ${kind === 'own' ? 'your own service' : `a ${kind}`}`);
      }
      if (f.ballastMb === undefined && f.garbageKb === undefined) at.fail(here, 'gc-pressure needs ballastMb and/or garbageKb');
      return { kind: 'gc-pressure', service: f.service, atMs, ballastMb: f.ballastMb, garbageKb: f.garbageKb };
  }
}
