/**
 * One `services:` entry -> ServiceDecl: a reference kind (its defaults from the kinds registry) or the user's
 * own service (image, build and/or command). Mistakes a schema cannot express are reported here, with their
 * place in the file.
 */

import { existsSync, statSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { isServiceKind, kindDescriptor, SERVICE_KINDS } from './reference-kinds.js';
import { TLS_FILES, TLS_TEMPLATE, type GcSource, type ReadyCheck } from './service-spec.js';
import { DEFAULT_READY_TIMEOUT_MS } from './defaults.js';
import { parseDurationMs } from './duration.js';
import type { ServiceDecl, ServiceOrigin } from './types.js';
import type { ScenarioLocator } from './validate.js';

type Raw = Record<string, any>;

const OWN_FIELDS = ['image', 'pull', 'build', 'dockerfile', 'command', 'cwd', 'ready', 'gc', 'language', 'hop'] as const;

export function stringMap(raw: Raw | undefined): Record<string, string> {
  return Object.fromEntries(Object.entries(raw ?? {}).map(([k, v]) => [k, String(v)]));
}

export function serviceEntry(s: Raw, i: number, at: ScenarioLocator, baseDir: string): ServiceDecl {
  const here = ['services', i];
  const instances: number = s.instances ?? 1;
  if (s.port + instances - 1 > 65535) at.fail([...here, 'port'], 'port + instances - 1 must be at most 65535');
  const common = {
    name: s.name as string,
    port: s.port as number,
    instances,
    args: ((s.args ?? []) as unknown[]).map(String),
    env: stringMap(s.env),
    tls: tlsOf(s, here, at),
  };
  if (s.kind !== undefined) {
    const stray = OWN_FIELDS.find((field) => s[field] !== undefined);
    if (stray) at.fail([...here, stray], `is for your own services; a reference kind (${s.kind}) brings its own`);
    const kind = s.kind as string;
    if (!isServiceKind(kind)) at.fail([...here, 'kind'], `unknown kind "${kind}"`);
    const d = kindDescriptor(kind);
    const flags = stringMap(s.flags);
    return {
      ...common,
      kind,
      origin: { type: 'reference', kind },
      flags,
      ready: { probe: 'http', path: d.readyPath, status: 200, timeoutMs: DEFAULT_READY_TIMEOUT_MS },
      gc: d.gc,
      hop: flags[d.hopFlag] ?? kind,
      language: d.language,
      counters: d.counters,
    };
  }
  if (s.image === undefined && s.build === undefined && s.command === undefined) {
    at.fail(here, 'needs kind (a reference service), or image, build and/or command (your own service)');
  }
  if (s.flags !== undefined) at.fail([...here, 'flags'], 'flags are for reference kinds; give your own service args: [...]');
  if (s.image !== undefined && s.build !== undefined) at.fail([...here, 'build'], 'give image or build, not both');
  if (s.dockerfile !== undefined && s.build === undefined) at.fail([...here, 'dockerfile'], 'needs build: a context folder');
  if (s.pull !== undefined && s.image === undefined) at.fail([...here, 'pull'], 'needs image');
  if (s.cwd !== undefined && s.command === undefined) at.fail([...here, 'cwd'], 'needs command');
  return {
    ...common,
    kind: 'own',
    origin: ownOrigin(s, here, at, baseDir),
    flags: {},
    ready: readyCheck(s.ready, [...here, 'ready'], at),
    gc: gcSource(s.gc),
    hop: s.hop ?? s.name,
    language: s.language ?? 'other',
    counters: undefined,
  };
}

/**
 * `tls: true` is for a kind that has TLS flags, or an own service told where the run's files are through
 * `{{tls.cert}}` and `{{tls.key}}`; those templates, in turn, only mean something on a TLS service.
 */
function tlsOf(s: Raw, here: (string | number)[], at: ScenarioLocator): boolean {
  const tls = s.tls === true;
  const places: [(string | number)[], string][] = [
    ...((s.args ?? []) as unknown[]).map((v, j): [(string | number)[], string] => [['args', j], String(v)]),
    ...Object.entries((s.env ?? {}) as Raw).map(([k, v]): [(string | number)[], string] => [['env', k], String(v)]),
    ...Object.entries((s.flags ?? {}) as Raw).map(([k, v]): [(string | number)[], string] => [['flags', k], String(v)]),
    ...((s.command ?? []) as string[]).map((v, j): [(string | number)[], string] => [['command', j], v]),
  ];
  const used = new Set<string>();
  for (const [path, value] of places) {
    for (const match of value.matchAll(TLS_TEMPLATE)) {
      const file = match[1]!;
      if (!(TLS_FILES as readonly string[]).includes(file)) at.fail([...here, ...path], `${match[0]} is not a TLS file; allowed: ${TLS_FILES.map((f) => `{{tls.${f}}}`).join(', ')}`);
      if (!tls) at.fail([...here, ...path], `${match[0]} names the run's certificate files, which exist only for a service with tls: true`);
      used.add(file);
    }
  }
  if (!tls) return false;
  const canServe = SERVICE_KINDS.filter((k) => kindDescriptor(k).tlsArgs !== undefined);
  if (s.kind !== undefined && isServiceKind(s.kind) && kindDescriptor(s.kind).tlsArgs === undefined) {
    at.fail([...here, 'tls'], `${s.kind} cannot serve TLS; tls: true is allowed on ${canServe.join(', ')} and on your own services`);
  }
  if (s.kind === undefined && !(used.has('cert') && used.has('key'))) {
    at.fail([...here, 'tls'], 'your own service must be told where its certificate is: use {{tls.cert}} and {{tls.key}} in its args, env or command');
  }
  return true;
}

function ownOrigin(s: Raw, here: (string | number)[], at: ScenarioLocator, baseDir: string): ServiceOrigin {
  const origin: Extract<ServiceOrigin, { type: 'own' }> = { type: 'own' };
  if (s.image !== undefined) origin.image = { tag: s.image, pull: s.pull ?? false };
  if (s.build !== undefined) {
    const contextDir = resolve(baseDir, s.build);
    if (!isDirectory(contextDir)) at.fail([...here, 'build'], `${contextDir} is not a folder`);
    const dockerfile: string = s.dockerfile ?? 'Dockerfile';
    if (isAbsolute(dockerfile) || dockerfile.split(/[\\/]/).includes('..')) at.fail([...here, 'dockerfile'], 'must be a path inside the build context');
    if (!existsSync(join(contextDir, dockerfile))) at.fail([...here, s.dockerfile ? 'dockerfile' : 'build'], `${join(contextDir, dockerfile)} does not exist`);
    origin.build = { contextDir, dockerfile };
  }
  if (s.command !== undefined) {
    const [program, ...rest] = s.command as string[];
    const cwd = resolve(baseDir, s.cwd ?? '.');
    if (!isDirectory(cwd)) at.fail([...here, 'cwd'], `${cwd} is not a folder`);
    // A path is relative to the scenario file, like build:; a bare name is looked up on PATH.
    const argv0 = program!.includes('/') ? resolve(baseDir, program!) : program!;
    origin.command = { argv: [argv0, ...rest], cwd };
  }
  return origin;
}

function readyCheck(r: Raw | undefined, here: (string | number)[], at: ScenarioLocator): ReadyCheck {
  const timeoutMs = r?.timeout !== undefined ? parseDurationMs(r.timeout, at.where([...here, 'timeout'])) : DEFAULT_READY_TIMEOUT_MS;
  if (r === undefined) return { probe: 'tcp', timeoutMs };
  const probes = ['http', 'tcp', 'log'].filter((p) => r[p] !== undefined);
  if (probes.length !== 1) at.fail(here, `give exactly one of http, tcp or log${probes.length ? `, not ${probes.join(' and ')}` : ''}`);
  if (r.status !== undefined && r.http === undefined) at.fail([...here, 'status'], 'goes with http');
  if (r.http !== undefined) return { probe: 'http', path: r.http, status: r.status ?? 200, timeoutMs };
  if (r.tcp !== undefined) return { probe: 'tcp', timeoutMs };
  return { probe: 'log', text: r.log, timeoutMs };
}

function gcSource(g: Raw | undefined): GcSource {
  if (g?.['go-expvar'] !== undefined) return { source: 'go-expvar', path: g['go-expvar'] };
  if (g?.hopscope !== undefined) return { source: 'hopscope', path: g.hopscope };
  return { source: 'none' };
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
