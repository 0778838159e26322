import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { adhocScenario } from '../../src/scenario/adhoc.js';
import { parseScenario } from '../../src/scenario/load.js';
import { resolveTopology } from '../../src/scenario/topology.js';

const valid = `
name: demo
seed: 3
services:
  - name: api
    kind: fastjson-api
    port: 18080
    flags: { cache-url: "{{cache.url}}" }
  - name: cache
    kind: rust-cache-server
    port: 18081
    instances: 3
    flags: { peers: "{{cache.urls}}", self: "{{self.url}}" }
target: api
timeout: 2s
requests:
  - name: item
    path: /v1/items/{id}
    headers: { x-api-key: dev-key }
    vars: { id: { zipf: { n: 1000, s: 1.1 } } }
  - name: order
    method: POST
    path: /v1/orders
    body: '{"a":1}'
    weight: 2
phases:
  - name: warm
    duration: 2s
    record: false
    load: { model: closed, connections: 4 }
  - name: steady
    duration: 10s
    load: { model: open, rate: { from: 100, to: 500 }, arrival: poisson }
    mix: { item: 1 }
    faults:
      - { kind: pause, service: cache-2, at: 1s, duration: 50ms, every: 2s }
thresholds:
  - "p99 < 5ms"
  - { expr: "p99.9 < 20ms", request: item }
`;

function errorOf(text: string): string {
  try {
    parseScenario(text, 'x.yaml');
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return (error as Error).message;
  }
  throw new Error('expected a UsageError');
}

describe('scenario loading', () => {
  it('reads a full scenario with defaults applied', () => {
    const s = parseScenario(valid, 'x.yaml');
    expect(s.requestTimeoutMs).toBe(2000);
    expect(s.requests.map((r) => [r.name, r.method, r.weight])).toEqual([['item', 'GET', 1], ['order', 'POST', 2]]);
    expect(s.phases[0]!.load).toEqual({ model: 'closed', connections: 4, pipelining: 1 });
    expect(s.phases[0]!.record).toBe(false);
    expect(s.phases[1]!.load).toEqual({ model: 'open', fromRps: 100, toRps: 500, arrival: 'poisson', connections: 64, pipelining: 1 });
    expect(s.phases[1]!.mix).toEqual([{ request: 'item', weight: 1 }]);
    expect(s.phases[1]!.faults).toEqual([{ kind: 'pause', service: 'cache-2', atMs: 1000, durationMs: 50, everyMs: 2000 }]);
    expect(s.thresholds).toEqual([{ expression: 'p99 < 5ms', scope: undefined }, { expression: 'p99.9 < 20ms', scope: 'item' }]);
  });

  it('resolves the topology: instances, ports and {{...}} references', () => {
    const specs = resolveTopology(parseScenario(valid, 'x.yaml'));
    expect(specs.map((s) => [s.name, s.port])).toEqual([['api', 18080], ['cache-1', 18081], ['cache-2', 18082], ['cache-3', 18083]]);
    expect(specs[0]!.args).toEqual(['--port', '18080', '--cache-url=http://127.0.0.1:18081']);
    expect(specs[2]!.args).toEqual([
      '--port',
      '18082',
      '--peers=http://127.0.0.1:18081,http://127.0.0.1:18082,http://127.0.0.1:18083',
      '--self=http://127.0.0.1:18082',
    ]);
  });

  it.each([
    ['a wrong type, with its line', valid.replace('duration: 10s', 'duration: fast'), 'x.yaml:32: phases[1].duration: expected a duration like 500ms, 10s, 2m, got "fast"'],
    ['an unknown field', valid.replace('seed: 3', 'sede: 3'), 'x.yaml:3: sede: unknown field; allowed here:'],
    ['a missing field', 'name: a\nphases: []\n', 'x.yaml: missing required field "requests"'],
    ['a bad enum', valid.replace('model: closed', 'model: sometimes'), 'phases[0].load.model: expected closed (connections send back to back) or open'],
    ['a bad rate', valid.replace('{ from: 100, to: 500 }', '"fast"'), 'phases[1].load.rate: expected a rate in requests/s, or {from, to} for a linear ramp, got "fast"'],
    ['an unknown target', valid.replace('target: api', 'target: nope'), 'phases[0].target: no service instance named "nope"; known: api, cache-1, cache-2, cache-3'],
    ['a non-loopback target', valid.replace('target: api', 'target: http://10.0.0.1:80'), 'is not a loopback address'],
    ['an undefined path variable', valid.replace('/v1/items/{id}', '/v1/items/{sku}'), 'requests[0].path: uses {sku} but vars has no "sku"; defined: id'],
    ['an unknown request in a mix', valid.replace('mix: { item: 1 }', 'mix: { nope: 1 }'), 'phases[1].mix.nope: no request named "nope"; known: item, order'],
    ['a fault outside its phase', valid.replace('at: 1s', 'at: 20s'), 'phases[1].faults[0].at: is not within the phase (it lasts 10000 ms)'],
    ['a pause longer than its period', valid.replace('every: 2s', 'every: 10ms'), 'phases[1].faults[0].every: must be longer than duration'],
    ['duplicate names', valid.replace('name: order', 'name: item'), 'requests[1].name: duplicate name "item"'],
    ['overlapping ports', valid.replace('port: 18081', 'port: 18080'), 'port 18080 is already used by service "api"'],
    ['a rate on a closed loop', valid.replace('{ model: closed, connections: 4 }', '{ model: closed, rate: 5 }'), 'a closed-loop phase has no rate'],
    ['broken YAML', 'name: [a\n', 'x.yaml:2: not valid YAML'],
    ['a bad phase protocol', valid.replace('record: false', 'record: false\n    protocol: h3'), 'phases[0].protocol: expected h1 (HTTP/1.1) or h2 (HTTP/2: ALPN over TLS, prior knowledge over http://), got "h3"'],
    ['streams on an h1 phase', valid.replace('connections: 4 }', 'connections: 4, streams: 8 }'), 'phases[0].load.streams: streams are HTTP/2 streams: set protocol: h2 on the phase or the scenario'],
  ])('names the file, path and what is allowed for %s', (_what, text, message) => {
    expect(errorOf(text)).toContain(message);
  });
});

describe('per-phase protocol', () => {
  const phases = valid.replace('record: false', 'record: false\n    protocol: h2\n    load: { model: closed, connections: 4, streams: 8 }').replace(
    '    load: { model: closed, connections: 4 }\n',
    '',
  );

  it("a phase's protocol overrides the scenario's, the others keep the scenario's", () => {
    expect(parseScenario(phases, 'x.yaml').phases.map((p) => [p.name, p.protocol, p.load.pipelining])).toEqual([['warm', 'h2', 8], ['steady', 'h1', 1]]);
    expect(parseScenario(`protocol: h2\n${phases}`, 'x.yaml').phases.map((p) => p.protocol)).toEqual(['h2', 'h2']);
  });

  it('--http2 sets every phase, whatever the file says', () => {
    const flagged = parseScenario(valid.replace('record: false', 'record: false\n    protocol: h1'), 'x.yaml', { protocol: 'h2' });
    expect(flagged.phases.map((p) => p.protocol)).toEqual(['h2', 'h2']);
  });
});

describe('ad-hoc scenarios', () => {
  it('builds an open-loop phase from --rate', () => {
    const s = adhocScenario({ target: 'http://127.0.0.1:9000/hello?x=1', rate: '500', duration: '3s' });
    expect(s.phases[0]!.load).toMatchObject({ model: 'open', fromRps: 500, toRps: 500 });
    expect(s.requests[0]!.path).toBe('/hello?x=1');
    expect(s.phases[0]!.target).toBe('http://127.0.0.1:9000');
  });

  it('puts --warm-up before the measured phase: the same load, not recorded', () => {
    const s = adhocScenario({ target: 'http://127.0.0.1:9000/', connections: '8', duration: '3s', warmUp: '1.5s' });
    expect(s.phases.map((p) => [p.name, p.durationMs, p.record])).toEqual([
      ['warm-up', 1500, false],
      ['main', 3000, true],
    ]);
    expect(s.phases[0]!.load).toEqual(s.phases[1]!.load);
  });

  it.each([
    [{ target: 'http://example.com/', rate: '5', duration: '1s' }, 'example.com is not a loopback address; hopscope sends load only to 127.0.0.0/8, localhost or [::1] unless you opt in with --allow-remote (scenario: allowRemote: true)'],
    [{ target: 'http://127.0.0.1:1/', duration: '1s' }, 'needs --rate R (open loop) or --connections C'],
    [{ target: 'http://127.0.0.1:1/', rate: 'lots', duration: '1s' }, '--rate: expected requests per second above 0, got "lots"'],
    [{ target: 'http://127.0.0.1:1/', connections: '0', duration: '1s' }, '--connections: expected a whole number of at least 1, got "0"'],
    [{ target: 'http://127.0.0.1:1/', rate: '5', duration: 'soon' }, '--duration: expected a duration like 500ms, 10s, 2m or 1h, got "soon"'],
    [{ target: 'ftp://127.0.0.1:1/', rate: '5', duration: '1s' }, 'only http:// and https:// are supported'],
    [{ target: 'http://127.0.0.1:1/', rate: '5', duration: '1s', warmUp: 'a bit' }, '--warm-up: expected a duration like 500ms, 10s, 2m or 1h, got "a bit"'],
  ])('rejects bad flags clearly (%#)', (flags, message) => {
    expect(() => adhocScenario(flags)).toThrow(message);
  });
});
