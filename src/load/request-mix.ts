/**
 * The weighted request mix of a phase, compiled to wire bytes. Requests without variables are encoded once;
 * templated ones (`/v1/items/{id}`) render their path per request from seeded draws.
 */

import type { RequestDecl, VarSpec } from '../scenario/types.js';
import { seededRandom, uniformInt, zipfInt, type Random } from './random.js';

export interface MixEntry {
  /** Index of the request in the scenario's request list: what the recorder keys on. */
  requestIndex: number;
  weight: number;
}

/** One instance of a request, as fields (HTTP/2 sends these; HTTP/1.1 sends encode()'s bytes). */
export interface RequestParts {
  method: string;
  path: string;
  authority: string;
  headers: Record<string, string>;
  body: Buffer | undefined;
}

export interface RequestMix {
  /** Picks the next request; returns its scenario index. */
  pick(): number;
  /** Wire bytes of one instance of the request (a fresh draw of its variables, if it has any). */
  encode(requestIndex: number): Buffer;
  /** The same as fields (a fresh draw of its variables, if it has any). */
  describe(requestIndex: number): RequestParts;
  isHead(requestIndex: number): boolean;
}

function drawer(spec: VarSpec, random: Random): () => number {
  switch (spec.kind) {
    case 'uniform':
      return uniformInt(random, spec.min, spec.max);
    case 'zipf':
      return zipfInt(random, spec.n, spec.s);
    case 'sequence': {
      let next = spec.start;
      return () => next++;
    }
  }
}

function headOf(request: RequestDecl, path: string, authority: string): string {
  let head = `${request.method} ${path} HTTP/1.1\r\nHost: ${authority}\r\n`;
  for (const [name, value] of Object.entries(request.headers)) head += `${name}: ${value}\r\n`;
  if (request.body) head += `Content-Length: ${request.body.length}\r\n`;
  return `${head}\r\n`;
}

/** Renders the request's path: the template itself, or a fresh draw of its variables. */
function pathRenderer(request: RequestDecl, random: Random): (() => string) | undefined {
  const parts = request.path.split(/\{([^}]*)\}/);
  if (parts.length === 1) return undefined;
  // split() with a capture group alternates literal, variable name, literal, ...
  const draws = parts.map((part, i) => (i % 2 === 1 ? drawer(request.vars[part]!, random) : undefined));
  return () => {
    let path = '';
    for (let i = 0; i < parts.length; i++) path += i % 2 === 1 ? String(draws[i]!()) : parts[i];
    return path;
  };
}

function compile(request: RequestDecl, authority: string, random: Random): { encode: () => Buffer; describe: () => RequestParts } {
  const render = pathRenderer(request, random);
  const parts = (path: string): RequestParts => ({ method: request.method, path, authority, headers: request.headers, body: request.body });
  if (!render) {
    const fixed = Buffer.concat([Buffer.from(headOf(request, request.path, authority)), request.body ?? Buffer.alloc(0)]);
    const fixedParts = parts(request.path);
    return { encode: () => fixed, describe: () => fixedParts };
  }
  return {
    encode: () => {
      const head = Buffer.from(headOf(request, render(), authority), 'latin1');
      return request.body ? Buffer.concat([head, request.body]) : head;
    },
    describe: () => parts(render()),
  };
}

export function compileMix(requests: RequestDecl[], mix: MixEntry[], authority: string, seed: number): RequestMix {
  const random = seededRandom(seed);
  const encoders = requests.map((r) => compile(r, authority, random));
  const heads = requests.map((r) => r.method === 'HEAD');
  const live = mix.filter((m) => m.weight > 0);
  const total = live.reduce((sum, m) => sum + m.weight, 0);
  let acc = 0;
  const cumulative = live.map((m) => (acc += m.weight / total));
  const only = live.length === 1 ? live[0]!.requestIndex : -1;
  return {
    pick() {
      if (only >= 0) return only;
      const u = random();
      for (let i = 0; i < cumulative.length; i++) if (u < cumulative[i]!) return live[i]!.requestIndex;
      return live[live.length - 1]!.requestIndex;
    },
    encode: (i) => encoders[i]!.encode(),
    describe: (i) => encoders[i]!.describe(),
    isHead: (i) => heads[i]!,
  };
}
