/**
 * The Rust edge terminating TLS: the real fastjson-api binary with --tls-cert/--tls-key (a CA and server
 * certificate made with openssl in the test), loaded through the built CLI over HTTP/1.1 and h2 by ALPN.
 */

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makePki, type Pki } from '../../bench/lib/pki.js';
import { ensureBinary } from '../../src/runtime/build/build.js';
import { kindBinary } from '../../src/runtime/build/reference-recipes.js';
import { freePort } from './runtime-helpers.js';
import { ChildServer, hopscopeCli, outDir, summaryOf } from './target-helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'hopscope-edge-tls-'));
let pki: Pki;
let server: ChildServer;
let port: number;

beforeAll(async () => {
  pki = makePki(dir);
  const binary = await ensureBinary(kindBinary('fastjson-api'), () => {});
  port = await freePort();
  server = ChildServer.start(binary.path, ['--port', String(port), '--workers', '1', '--tls-cert', pki.serverCert, '--tls-key', pki.serverKey]);
  expect(await server.firstLine()).toBe(`fastjson-api listening on 127.0.0.1:${port} with TLS (h2 and http/1.1 by ALPN)`);
}, 300_000);

afterAll(async () => {
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const load = (extra: string[]) => {
  const out = outDir();
  const args = ['run', '--target', `https://127.0.0.1:${port}/healthz`, '--connections', '2', '--duration', '1s', '--quiet', '--out', out, ...extra];
  return hopscopeCli(args).then((r) => ({ ...r, out }));
};

describe('fastjson-api with TLS', () => {
  for (const [what, flags] of [
    ['HTTP/1.1 with the CA trusted', ['--ca']],
    ['h2 by ALPN with the CA trusted', ['--http2', '--ca']],
  ] as const) {
    it(`${what}: every answer 2xx with its Server-Timing entry, one handshake per connection`, async () => {
      const { code, out } = await load(flags.map((f) => (f === '--ca' ? [f, pki.caCert] : [f])).flat());
      expect(code).toBe(0);
      const s = summaryOf(out);
      expect(s.overall.count).toBeGreaterThan(50);
      expect(s.overall.errors).toBe(0);
      expect(s.overall.statuses['2xx']).toBe(s.overall.count);
      expect(s.hops?.hops.map((h) => h.name)).toContain('fastjson-api');
      expect(s.connections!.tlsHandshake.count).toBe(2);
    }, 60_000);
  }

  it('--insecure loads it without the CA, over h2', async () => {
    const { code, out } = await load(['--insecure', '--http2']);
    expect(code).toBe(0);
    expect(summaryOf(out).overall.errors).toBe(0);
  }, 60_000);

  it('an untrusted certificate is exit 3 naming the host', async () => {
    const { code, stderr } = await load([]);
    expect(code).toBe(3);
    expect(stderr).toContain(`TLS to 127.0.0.1:${port}: the certificate of 127.0.0.1 was rejected`);
    expect(stderr).not.toMatch(/\n\s+at /);
  }, 60_000);
});
