/**
 * The scenario file's JSON Schema. Each leaf carries a `description` phrased as what is allowed:
 * validation messages quote it ("expected a duration like 10s"), so this file is also the reference.
 */

import { SERVICE_KINDS } from './reference-kinds.js';
import { LANGUAGES } from './service-traits.js';
import { DURATION_PATTERN } from './duration.js';

const duration = { type: 'string', pattern: DURATION_PATTERN, description: 'a duration like 500ms, 10s, 2m' };
const name = { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$', description: 'a name of letters, digits, "_", "-" or "." (at most 63)' };
const positiveInt = (max: number, what: string) => ({ type: 'integer', minimum: 1, maximum: max, description: `${what} from 1 to ${max}` });
const rate = { type: 'number', exclusiveMinimum: 0, maximum: 1_000_000, description: 'requests per second, above 0 and at most 1000000' };
const protocol = { enum: ['h1', 'h2'], description: 'h1 (HTTP/1.1) or h2 (HTTP/2: ALPN over TLS, prior knowledge over http://)' };
const stringMap = { type: 'object', additionalProperties: { type: ['string', 'number', 'boolean'] }, description: 'a map of names to values' };

const varSpec = {
  type: 'object',
  description: 'one of {uniform: [min, max]}, {zipf: {n, s}}, {sequence: start}',
  minProperties: 1,
  maxProperties: 1,
  additionalProperties: false,
  properties: {
    uniform: { type: 'array', items: { type: 'integer' }, minItems: 2, maxItems: 2, description: '[min, max], integers' },
    zipf: {
      type: 'object',
      additionalProperties: false,
      required: ['n'],
      properties: { n: positiveInt(1_000_000, 'the number of distinct values'), s: { type: 'number', exclusiveMinimum: 0, maximum: 10, description: 'the exponent, above 0 and at most 10' } },
    },
    sequence: { type: 'integer', description: 'the first integer of the sequence' },
  },
};

const fault = {
  type: 'object',
  additionalProperties: false,
  required: ['kind', 'service', 'at'],
  properties: {
    kind: { enum: ['pause', 'kill', 'gc-pressure'], description: 'pause, kill or gc-pressure' },
    service: name,
    at: duration,
    duration,
    every: duration,
    ballastMb: { type: 'integer', minimum: 0, maximum: 16384, description: 'MB of live heap ballast, 0 to 16384' },
    garbageKb: { type: 'integer', minimum: 0, maximum: 65536, description: 'KB of garbage per request, 0 to 65536' },
  },
};

const load = {
  type: 'object',
  additionalProperties: false,
  required: ['model'],
  properties: {
    model: { enum: ['closed', 'open'], description: 'closed (connections send back to back) or open (requests at a set arrival rate)' },
    connections: positiveInt(10_000, 'a number of connections'),
    pipelining: positiveInt(256, 'requests in flight per connection'),
    streams: positiveInt(1000, 'HTTP/2 streams in flight per connection'),
    rate: {
      description: 'a rate in requests/s, or {from, to} for a linear ramp',
      oneOf: [rate, { type: 'object', additionalProperties: false, required: ['from', 'to'], properties: { from: rate, to: rate } }],
    },
    arrival: { enum: ['constant', 'poisson'], description: 'constant or poisson' },
  },
};

export const scenarioSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'requests'],
  properties: {
    name,
    description: { type: 'string' },
    seed: { type: 'integer', description: 'an integer seed for the request mix' },
    target: { type: 'string', description: 'a service name or an http://127.x.y.z:port URL' },
    timeout: duration,
    protocol,
    allowRemote: { type: 'boolean', description: 'true to allow targets beyond loopback (hosts you are allowed to load)' },
    tls: {
      type: 'object',
      additionalProperties: false,
      description: 'TLS for https:// targets: {insecure, ca, cert, key, servername}',
      properties: {
        insecure: { type: 'boolean', description: 'true to skip certificate verification' },
        ca: { type: 'string', description: 'a PEM file of CA certificates to trust, relative to the scenario file' },
        cert: { type: 'string', description: 'a PEM client certificate file (mTLS), relative to the scenario file' },
        key: { type: 'string', description: "a PEM file with the client certificate's key, relative to the scenario file" },
        servername: { type: 'string', description: 'the server name for SNI and the certificate check' },
      },
    },
    services: {
      type: 'array',
      maxItems: 16,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['name', 'port'],
        properties: {
          name,
          kind: { enum: SERVICE_KINDS, description: SERVICE_KINDS.join(' or ') },
          port: { type: 'integer', minimum: 1024, maximum: 65535, description: 'a port from 1024 to 65535' },
          instances: positiveInt(8, 'a number of instances'),
          flags: stringMap,
          env: stringMap,
          image: { type: 'string', minLength: 1, description: 'a local image name, e.g. acme/orders:1.4' },
          pull: { type: 'boolean', description: 'true or false' },
          build: { type: 'string', minLength: 1, description: 'a build context folder, relative to the scenario file' },
          dockerfile: { type: 'string', minLength: 1, description: 'a Dockerfile path inside the build context' },
          command: { type: 'array', minItems: 1, items: { type: 'string' }, description: 'a command as a list of strings, e.g. ["./bin/orders", "--port", "{{port}}"]' },
          cwd: { type: 'string', minLength: 1, description: 'a folder, relative to the scenario file' },
          args: { type: 'array', items: { type: ['string', 'number'] }, description: 'a list of arguments' },
          hop: { ...name, description: 'the Server-Timing entry name the service writes' },
          language: { enum: LANGUAGES, description: LANGUAGES.join(', ') },
          tls: {
            type: 'boolean',
            description: 'true to serve HTTPS with a certificate hopscope makes for the run (a kind with TLS flags, or your own service given {{tls.cert}} and {{tls.key}})',
          },
          ready: {
            type: 'object',
            additionalProperties: false,
            description: 'one of {http: /path, status}, {tcp: true}, {log: "text"}, each with an optional timeout',
            properties: {
              http: { type: 'string', pattern: '^/[^\\s]*$', description: 'a path starting with "/"' },
              status: { type: 'integer', minimum: 100, maximum: 599, description: 'an HTTP status from 100 to 599' },
              tcp: { const: true, description: 'true' },
              log: { type: 'string', minLength: 1, description: 'text the service prints once it is ready' },
              timeout: duration,
            },
          },
          gc: {
            type: 'object',
            additionalProperties: false,
            minProperties: 1,
            maxProperties: 1,
            description: 'one GC source: {go-expvar: /debug/vars} or {hopscope: /debug/gc}',
            properties: {
              'go-expvar': { type: 'string', pattern: '^/', description: 'the expvar path, e.g. /debug/vars' },
              hopscope: { type: 'string', pattern: '^/', description: "the path of hopscope's GC report, e.g. /debug/gc" },
            },
          },
        },
      },
    },
    requests: {
      type: 'array',
      minItems: 1,
      maxItems: 64,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['name', 'path'],
        properties: {
          name,
          method: { enum: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'], description: 'an HTTP method in capitals' },
          path: { type: 'string', pattern: '^/[^\\s]*$', description: 'a path starting with "/", without spaces' },
          headers: stringMap,
          body: { type: 'string', description: 'the request body as text' },
          bodyFile: { type: 'string', description: 'a file path, relative to the scenario file' },
          weight: { type: 'number', minimum: 0, description: 'a weight of 0 or more (0: only in phases whose mix names it)' },
          vars: { type: 'object', additionalProperties: varSpec },
        },
      },
    },
    phases: {
      type: 'array',
      minItems: 1,
      maxItems: 100,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['name', 'duration', 'load'],
        properties: {
          name,
          duration,
          load,
          protocol,
          target: { type: 'string', description: 'a service name or an http://127.x.y.z:port URL' },
          mix: { type: 'object', additionalProperties: { type: 'number', minimum: 0 }, description: 'request names to weights' },
          record: { type: 'boolean' },
          faults: { type: 'array', maxItems: 100, items: fault },
        },
      },
    },
    knee: {
      type: 'object',
      additionalProperties: false,
      required: ['from', 'step', 'max', 'stepDuration', 'slo'],
      description: 'a knee search: {from, step, max, stepDuration, slo: {percentile, below}, target, mix, connections}',
      properties: {
        from: rate,
        step: rate,
        max: rate,
        stepDuration: duration,
        target: { type: 'string', description: 'a service name or an http://127.x.y.z:port URL' },
        mix: { type: 'object', additionalProperties: { type: 'number', minimum: 0 }, description: 'request names to weights' },
        connections: positiveInt(10_000, 'a number of connections'),
        arrival: { enum: ['constant', 'poisson'], description: 'constant or poisson' },
        slo: {
          type: 'object',
          additionalProperties: false,
          required: ['percentile', 'below'],
          properties: {
            percentile: { type: 'number', exclusiveMinimum: 0, exclusiveMaximum: 100, description: 'a percentile above 0 and below 100, e.g. 99' },
            below: duration,
            maxErrorRate: { type: 'number', minimum: 0, maximum: 1, description: 'a share of errors from 0 to 1 (default 0.01)' },
          },
        },
      },
    },
    thresholds: {
      type: 'array',
      items: {
        description: 'an expression like "p99 < 5ms", or {expr, request} / {expr, hop}',
        oneOf: [
          { type: 'string' },
          { type: 'object', additionalProperties: false, required: ['expr'], properties: { expr: { type: 'string' }, request: { type: 'string' }, hop: { type: 'string' } } },
        ],
      },
    },
  },
} as const;
