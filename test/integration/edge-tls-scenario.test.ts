/**
 * A scenario that starts the Rust edge twice, plain and with `tls: true`, and loads both in one run: the
 * real fastjson-api binary, a certificate hopscope makes for the run, readiness over TLS, and phases that
 * choose their own protocol (plain h1, TLS h1, TLS h2, a new connection per request). Short phases at a
 * light rate, so that a busy shared machine does not leave requests unsent; the figures are
 * docs/findings.md's business (scenarios/edge-tls.yaml), here only the contract is checked.
 */

import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ensureBinary } from '../../src/runtime/build/build.js';
import { kindBinary } from '../../src/runtime/build/reference-recipes.js';
import { dockerUp, hopscope, outDir, summaryOf } from './cli-helpers.js';
import { freePort } from './runtime-helpers.js';

async function scenarioFile(): Promise<string> {
  const [plain, tls] = [await freePort(), await freePort()];
  const file = join(outDir(), 'edge-tls-short.yaml');
  writeFileSync(
    file,
    `name: edge-tls-short
timeout: 2s
services:
  - { name: edge, kind: fastjson-api, port: ${plain}, flags: { workers: 1 } }
  - { name: edge-tls, kind: fastjson-api, port: ${tls}, tls: true, flags: { workers: 1 } }
requests:
  - { name: healthz, path: /healthz }
  - { name: new-connection, path: /healthz, headers: { connection: close }, weight: 0 }
phases:
  - { name: plain-h1, target: edge, duration: 1s, load: { model: open, rate: 100, connections: 8 } }
  - { name: tls-h1, target: edge-tls, duration: 1s, load: { model: open, rate: 100, connections: 8 } }
  - { name: tls-h2, target: edge-tls, protocol: h2, duration: 1s, load: { model: open, rate: 100, connections: 8 } }
  - { name: tls-new-connection, target: edge-tls, duration: 1s, mix: { new-connection: 1 }, load: { model: open, rate: 25, connections: 8 } }
`,
  );
  return file;
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? filesUnder(join(dir, e.name)) : [join(dir, e.name)]));
}

describe.each(dockerUp ? ['process', 'docker'] : ['process'])('a scenario with a tls: true service (%s runtime)', (runtime) => {
  it('serves https:// with the run\'s certificate, trusted without --ca or --insecure; each phase speaks its own protocol; no error; no key left', async () => {
    const out = outDir();
    const { code, stderr } = await hopscope(['run', await scenarioFile(), '--runtime', runtime, '--quiet', '--out', out]);
    expect(stderr).not.toContain('error');
    expect(code).toBe(0);
    const s = summaryOf(out);

    const [plain, tls] = s.services;
    expect(plain!.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(tls!.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const certArg = tls!.args[tls!.args.indexOf('--tls-cert') + 1]!;
    expect(certArg).toMatch(runtime === 'docker' ? /^\/hopscope-tls\/cert\.pem$/ : /\/hopscope-tls-[^/]+\/cert\.pem$/);

    const errorKinds = (p: (typeof s.phases)[number]) => Object.entries(p.overall.errorsByKind).filter(([, n]) => (n ?? 0) > 0);
    expect(s.phases.map((p) => [p.name, p.protocol, errorKinds(p)])).toEqual([
      ['plain-h1', 'h1', []],
      ['tls-h1', 'h1', []],
      ['tls-h2', 'h2', []],
      ['tls-new-connection', 'h1', []],
    ]);
    for (const p of s.phases) expect(p.overall.count).toBe(p.intended);
    const handshakes = Object.fromEntries(s.phases.map((p) => [p.name, p.tlsHandshake?.count ?? 0]));
    expect(handshakes['plain-h1']).toBe(0);
    expect(handshakes['tls-h1']).toBe(8);
    expect(handshakes['tls-h2']).toBe(8);
    // connection: close: the edge closes after each answer, the engine reconnects, a handshake per request.
    expect(handshakes['tls-new-connection']).toBeGreaterThanOrEqual(s.phases[3]!.overall.count);

    // The key lived in a private temporary folder, removed with the services; the run folder never had it.
    for (const file of filesUnder(out)) expect(readFileSync(file, 'utf8')).not.toContain('PRIVATE KEY');
    if (runtime === 'process') expect(existsSync(dirname(certArg))).toBe(false);
  }, 300_000);
});

describe('tls: true on your own service', () => {
  it('fills {{tls.cert}}, {{tls.key}} in its command and args, and its http readiness speaks TLS', async () => {
    // The real fastjson-api binary, declared as an own service: nothing of its kind's knowledge is used.
    const binary = await ensureBinary(kindBinary('fastjson-api'), () => {});
    const port = await freePort();
    const file = join(outDir(), 'own-tls.yaml');
    writeFileSync(
      file,
      `name: own-tls
services:
  - name: orders
    command: ["${binary.path}", "--port", "{{port}}", "--tls-cert", "{{tls.cert}}"]
    args: ["--tls-key", "{{tls.key}}", "--workers", "1"]
    port: ${port}
    tls: true
    ready: { http: /healthz }
requests:
  - { name: healthz, path: /healthz }
phases:
  - { name: p, duration: 1s, load: { model: closed, connections: 2 } }
`,
    );
    const out = outDir();
    const { code, stderr } = await hopscope(['run', file, '--runtime', 'process', '--quiet', '--out', out]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const s = summaryOf(out);
    expect(s.services[0]!.url).toBe(`https://127.0.0.1:${port}`);
    expect(s.services[0]!.describe).toMatch(/--tls-cert \S+\/hopscope-tls-[^/]+\/cert\.pem --tls-key \S+\/key\.pem/);
    expect(s.phases[0]!.overall.errors).toBe(0);
    expect(s.phases[0]!.tlsHandshake?.count).toBe(2);
  }, 300_000);
});

describe('tls: true where it cannot be served', () => {
  it('is exit 2 naming the field and what is allowed, before anything is built or started', async () => {
    const file = join(outDir(), 'bad.yaml');
    writeFileSync(
      file,
      'name: bad\nservices:\n  - { name: cache, kind: rust-cache-server, port: 18999, tls: true }\nrequests:\n  - { name: r, path: / }\nphases:\n  - { name: p, duration: 1s, load: { model: closed } }\n',
    );
    const { code, stderr } = await hopscope(['run', file, '--runtime', 'process', '--quiet', '--out', outDir()]);
    expect(code).toBe(2);
    expect(stderr).toContain(`${file}:3: services[0].tls: rust-cache-server cannot serve TLS; tls: true is allowed on fastjson-api and on your own services`);
    expect(stderr).not.toContain('building');
  }, 60_000);

  it('--engine autocannon refuses an h2 or https:// phase before the run instead of loading it as plain HTTP/1.1', async () => {
    for (const extra of [['--target', 'https://127.0.0.1:9/'], ['--target', 'http://127.0.0.1:9/', '--http2']]) {
      const { code, stderr } = await hopscope(['run', ...extra, '--engine', 'autocannon', '--connections', '1', '--duration', '1s', '--quiet', '--out', outDir()]);
      expect(code).toBe(2);
      expect(stderr).toMatch(/--engine autocannon (loads plain http:\/\/ only; use the hopscope engine for https:\/\/|speaks HTTP\/1.1 only; use the hopscope engine for HTTP\/2)/);
    }
  }, 60_000);
});
