import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseScenario } from '../../src/scenario/load.js';
import { resolveTarget, resolveTopology } from '../../src/scenario/topology.js';

const dir = mkdtempSync(join(tmpdir(), 'hopscope-entry-'));
writeFileSync(join(dir, 'Dockerfile'), 'FROM scratch\n');
const source = join(dir, 'x.yaml');

function scenario(entry: string, more = ''): string {
  return `name: own
services:
  - name: orders
${entry
  .trim()
  .split('\n')
  .map((line) => `    ${line}`)
  .join('\n')}
${more}
requests:
  - { name: r, path: / }
phases:
  - { name: p, duration: 1s, load: { model: closed } }
`;
}

describe('own service entries', () => {
  it('resolves the contract: build, command relative to the scenario file, args and env templates, ready, gc, language, hop', () => {
    const entry = `
build: .
command: ["./bin/orders", "--listen", "127.0.0.1:{{port}}"]
cwd: .
args: ["--cache", "{{cache.url}}"]
env: { GOGC: 100, CACHE_URL: "{{cache.url}}" }
port: 9090
ready: { http: /healthz, status: 204, timeout: 5s }
gc: { go-expvar: /debug/vars }
language: go
hop: orders-api`;
    const [spec] = resolveTopology(parseScenario(scenario(entry, '  - { name: cache, kind: rust-cache-server, port: 9091 }\ntarget: orders'), source));
    expect(spec).toEqual({
      name: 'orders',
      kind: 'own',
      source: {
        type: 'own',
        build: { contextDir: dir, dockerfile: 'Dockerfile' },
        command: { argv: [join(dir, 'bin/orders'), '--listen', '127.0.0.1:9090'], cwd: dir },
      },
      port: 9090,
      args: ['--cache', 'http://127.0.0.1:9091'],
      env: { GOGC: '100', CACHE_URL: 'http://127.0.0.1:9091' },
      ready: { probe: 'http', path: '/healthz', status: 204, timeoutMs: 5000 },
      gc: { source: 'go-expvar', path: '/debug/vars' },
      hop: 'orders-api',
      language: 'go',
      counters: undefined,
      tls: false,
    });
  });

  it('defaults: tcp readiness in 30 s, no GC source, language other, the name as hop; a bare command is looked up on PATH', () => {
    const [spec] = resolveTopology(parseScenario(scenario('command: ["python3", "-m", "http.server", "{{port}}"]\nport: 8000'), source));
    expect(spec).toMatchObject({
      source: { type: 'own', command: { argv: ['python3', '-m', 'http.server', '8000'], cwd: dir } },
      ready: { probe: 'tcp', timeoutMs: 30_000 },
      gc: { source: 'none' },
      hop: 'orders',
      language: 'other',
    });
  });

  it('a reference kind gets its descriptor: port flag first, /healthz, its GC source and counters, hop renamed by --hop-name', () => {
    const [spec] = resolveTopology(parseScenario(scenario('kind: rust-cache-server\nport: 8081\nflags: { hop-name: cache }'), source));
    expect(spec).toMatchObject({
      kind: 'rust-cache-server',
      args: ['--port', '8081', '--hop-name=cache'],
      ready: { probe: 'http', path: '/healthz', status: 200 },
      gc: { source: 'hopscope', path: '/debug/gc' },
      hop: 'cache',
      language: 'go',
    });
    expect(spec!.counters?.requests).toEqual(['rcs_requests_total']);
  });

  it.each([
    ['port: 9000', 'x.yaml:3: services[0]: needs kind (a reference service), or image, build and/or command (your own service)'],
    ['image: a:1\nbuild: .\nport: 9000', 'x.yaml:5: services[0].build: give image or build, not both'],
    ['image: a:1\ndockerfile: D\nport: 9000', 'x.yaml:5: services[0].dockerfile: needs build: a context folder'],
    ['command: ["x"]\npull: true\nport: 9000', 'x.yaml:5: services[0].pull: needs image'],
    ['image: a:1\ncwd: .\nport: 9000', 'x.yaml:5: services[0].cwd: needs command'],
    ['image: a:1\nflags: { a: b }\nport: 9000', 'x.yaml:5: services[0].flags: flags are for reference kinds; give your own service args: [...]'],
    ['kind: fastjson-api\nimage: a:1\nport: 9000', 'x.yaml:5: services[0].image: is for your own services; a reference kind (fastjson-api) brings its own'],
    ['build: ./nope\nport: 9000', `x.yaml:4: services[0].build: ${join(dir, 'nope')} is not a folder`],
    ['build: .\ndockerfile: ../Dockerfile\nport: 9000', 'x.yaml:5: services[0].dockerfile: must be a path inside the build context'],
    ['build: .\ndockerfile: Other.Dockerfile\nport: 9000', `x.yaml:5: services[0].dockerfile: ${join(dir, 'Other.Dockerfile')} does not exist`],
    ['command: ["x"]\nport: 9000\nready: { http: /h, tcp: true }', 'x.yaml:6: services[0].ready: give exactly one of http, tcp or log, not http and tcp'],
    ['command: ["x"]\nport: 9000\nready: { status: 204 }', 'x.yaml:6: services[0].ready: give exactly one of http, tcp or log'],
    ['command: ["x"]\nport: 9000\ngc: { jvm: /gc }', 'x.yaml:6: services[0].gc.jvm: unknown field; allowed here: go-expvar, hopscope'],
    ['command: ["x"]\nport: 9000\nlanguage: cobol', 'x.yaml:6: services[0].language: expected go, rust, java, node, python, other, got "cobol"'],
  ])('%j is refused: %s', (entry, message) => {
    expect(() => parseScenario(scenario(entry), source)).toThrow(message.replace('x.yaml:', `${source}:`));
  });

  it('gc-pressure is refused on an own service, naming the kinds that accept it', () => {
    const text = scenario('command: ["x"]\nport: 9000').replace(
      '{ name: p, duration: 1s, load: { model: closed } }',
      '{ name: p, duration: 1s, load: { model: closed }, faults: [{ kind: gc-pressure, service: orders, at: 0s, ballastMb: 1 }] }',
    );
    expect(() => parseScenario(text, source)).toThrow('gc-pressure applies to rust-cache-server (it needs POST /debug/pressure); "orders" is your own service');
  });

  it('{{name}} references that name no service are refused with the known ones', () => {
    expect(() => resolveTopology(parseScenario(scenario('command: ["x", "{{db.url}}"]\nport: 9000'), source))).toThrow(
      'services.orders.command[1]: {{db.url}} names no service; known: port, self, orders',
    );
  });
});

describe('tls: true on a service entry', () => {
  it('a reference kind with TLS flags gets them (files left for the runtime), an https:// URL, and a TLS target', () => {
    const parsed = parseScenario(scenario('kind: fastjson-api\nport: 9443\ntls: true'), source);
    const [spec] = resolveTopology(parsed);
    expect(spec!.tls).toBe(true);
    expect(spec!.args).toEqual(['--port', '9443', '--tls-cert', '{{tls.cert}}', '--tls-key', '{{tls.key}}']);
    expect(resolveTarget('orders', [spec!])).toEqual({ host: '127.0.0.1', port: 9443, url: 'https://127.0.0.1:9443', tls: true });
  });

  it('an own service names the files with {{tls.cert}} and {{tls.key}}; other services see its https:// URL', () => {
    const entry = 'command: ["./orders", "--cert", "{{tls.cert}}"]\nenv: { KEY: "{{tls.key}}", CA: "{{ tls.ca }}" }\nport: 9443\ntls: true';
    const more = '  - { name: billing, command: ["./billing", "{{orders.url}}"], port: 9444 }\ntarget: orders';
    const [orders, billing] = resolveTopology(parseScenario(scenario(entry, more), source));
    expect(orders!.source).toMatchObject({ command: { argv: [join(dir, 'orders'), '--cert', '{{tls.cert}}'] } });
    expect(orders!.env).toEqual({ KEY: '{{tls.key}}', CA: '{{ tls.ca }}' });
    expect(billing!.source).toMatchObject({ command: { argv: [join(dir, 'billing'), 'https://127.0.0.1:9443'] } });
  });

  it.each([
    ['kind: rust-cache-server\nport: 9000\ntls: true', 'x.yaml:6: services[0].tls: rust-cache-server cannot serve TLS; tls: true is allowed on fastjson-api and on your own services'],
    ['command: ["x"]\nport: 9000\ntls: true', 'x.yaml:6: services[0].tls: your own service must be told where its certificate is: use {{tls.cert}} and {{tls.key}} in its args, env or command'],
    ['command: ["x", "{{tls.cert}}"]\nport: 9000\ntls: true', 'x.yaml:6: services[0].tls: your own service must be told where its certificate is'],
    ['command: ["x", "{{tls.cert}}"]\nport: 9000', 'x.yaml:4: services[0].command[1]: {{tls.cert}} names the run\'s certificate files, which exist only for a service with tls: true'],
    ['command: ["x"]\nargs: ["{{tls.crt}}", "{{tls.key}}"]\nport: 9000\ntls: true', 'x.yaml:5: services[0].args[0]: {{tls.crt}} is not a TLS file; allowed: {{tls.cert}}, {{tls.key}}, {{tls.ca}}'],
    ['kind: fastjson-api\nport: 9000\ntls: yes', 'x.yaml:6: services[0].tls: expected true to serve HTTPS with a certificate hopscope makes for the run'],
  ])('%j is refused: %s', (entry, message) => {
    expect(() => parseScenario(scenario(entry), source)).toThrow(message.replace('x.yaml:', `${source}:`));
  });

  it('a reference kind pointed at a TLS service is refused: its upstream client speaks plain HTTP', () => {
    const more = '  - { name: api, kind: fastjson-api, port: 9001, flags: { cache-url: "{{orders.url}}" } }\ntarget: orders';
    expect(() => resolveTopology(parseScenario(scenario('kind: fastjson-api\nport: 9000\ntls: true', more), source))).toThrow(
      'services.api.flags.cache-url: {{orders.url}} is a TLS service (tls: true), and fastjson-api calls its upstreams over plain HTTP only',
    );
  });
});
