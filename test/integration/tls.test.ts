/**
 * https:// targets through the built CLI against nginx with TLS (a CA, server and client certificates made
 * with openssl in the test): status and Server-Timing, keep-alive, the connect and handshake histograms,
 * certificate errors (exit 3, naming host and reason), --insecure, mTLS, and session resumption on reconnect.
 */

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Cleanup } from '../../bench/lib/cleanup.js';
import { startNginx } from '../../bench/lib/nginx.js';
import { makePki, type Pki } from '../../bench/lib/pki.js';
import { freePort } from './runtime-helpers.js';
import { hopscopeCli, outDir, summaryOf } from './target-helpers.js';
import { Dialer } from '../../src/load/dialer.js';

const cleanup = new Cleanup(() => undefined);
const dir = mkdtempSync(join(tmpdir(), 'hopscope-tls-'));
let pki: Pki;
let httpsUrl: string;
let mtlsUrl: string;
let shortKeepAliveUrl: string;
let tlsPort: number;

beforeAll(async () => {
  pki = makePki(dir);
  const start = async (opts: { clientCa?: string; keepaliveRequests?: number }) => {
    const port = await freePort();
    const tls = await freePort();
    await startNginx({ port, body: '{"ok":true}', serverTiming: 'edge;dur=0.25', tls: { port: tls, cert: pki.serverCert, key: pki.serverKey, ...(opts.clientCa ? { clientCa: opts.clientCa } : {}) }, ...(opts.keepaliveRequests ? { keepaliveRequests: opts.keepaliveRequests } : {}), cleanup });
    return tls;
  };
  tlsPort = await start({});
  httpsUrl = `https://127.0.0.1:${tlsPort}/`;
  mtlsUrl = `https://127.0.0.1:${await start({ clientCa: pki.caCert })}/`;
  shortKeepAliveUrl = `https://127.0.0.1:${await start({ keepaliveRequests: 20 })}/`;
}, 60_000);

afterAll(async () => {
  await cleanup.runAll();
  rmSync(dir, { recursive: true, force: true });
});

const closedLoop = (url: string, extra: string[]) => {
  const out = outDir();
  return hopscopeCli(['run', '--target', url, '--connections', '4', '--duration', '1s', '--quiet', '--out', out, ...extra]).then((r) => ({ ...r, out }));
};

describe('https:// targets', () => {
  it('loads over TLS with the CA trusted: statuses, Server-Timing, keep-alive, connect and handshake times', async () => {
    const { code, stdout, out } = await closedLoop(httpsUrl, ['--ca', pki.caCert]);
    expect(code).toBe(0);
    const s = summaryOf(out);
    expect(s.overall.errors).toBe(0);
    expect(s.overall.count).toBeGreaterThan(100);
    expect(s.overall.statuses['2xx']).toBe(s.overall.count);
    expect(s.hops?.hops.map((h) => h.name)).toContain('edge');
    // Keep-alive: one TLS connection per configured connection for the whole run.
    expect(s.connections!.opened).toBe(4);
    expect(s.connections!.tlsHandshake.count).toBe(4);
    expect(s.connections!.tlsHandshake.p50Us).toBeGreaterThan(0);
    expect(s.connections!.connectTime.count).toBe(4);
    expect(stdout).toMatch(/connections: 4 opened \(connect p50 .* TLS handshake p50 /);
  }, 30_000);

  it('refuses a certificate it cannot verify: exit 3, naming the host and the reason', async () => {
    const { code, stderr } = await closedLoop(httpsUrl, []);
    expect(code).toBe(3);
    expect(stderr).toContain(`TLS to 127.0.0.1:${tlsPort}: the certificate of 127.0.0.1 was rejected`);
    expect(stderr).toMatch(/unable to verify the first certificate|self[- ]signed|local issuer/);
    expect(stderr).toContain('--insecure');
  }, 30_000);

  it('refuses a certificate for another name (--servername)', async () => {
    const { code, stderr } = await closedLoop(httpsUrl, ['--ca', pki.caCert, '--servername', 'other.example']);
    expect(code).toBe(3);
    expect(stderr).toContain('the certificate of other.example was rejected');
    expect(stderr).toContain('ERR_TLS_CERT_ALTNAME_INVALID');
  }, 30_000);

  it('worker threads get the TLS settings too (--workers 2)', async () => {
    const { code, out } = await closedLoop(httpsUrl, ['--ca', pki.caCert, '--workers', '2']);
    expect(code).toBe(0);
    const s = summaryOf(out);
    expect(s.overall.errors).toBe(0);
    expect(s.connections!.tlsHandshake.count).toBe(4);
  }, 30_000);

  it('--insecure skips verification', async () => {
    const { code, out } = await closedLoop(httpsUrl, ['--insecure']);
    expect(code).toBe(0);
    expect(summaryOf(out).overall.errors).toBe(0);
  }, 30_000);

  it('mTLS: with the client certificate the server answers 200; without it, 400 and exit 1', async () => {
    const withCert = await closedLoop(mtlsUrl, ['--ca', pki.caCert, '--cert', pki.clientCert, '--key', pki.clientKey]);
    expect(withCert.code).toBe(0);
    expect(summaryOf(withCert.out).overall.errors).toBe(0);
    const without = await closedLoop(mtlsUrl, ['--ca', pki.caCert]);
    // nginx completes the handshake and answers "400 No required SSL certificate was sent".
    expect(without.code).toBe(1);
    expect(summaryOf(without.out).overall.errorsByKind.http_4xx).toBeGreaterThan(0);
    expect(without.stderr).toContain('no successful response');
  }, 30_000);

  it('a client certificate without its key is a usage error', async () => {
    const { code, stderr } = await closedLoop(httpsUrl, ['--cert', pki.clientCert]);
    expect(code).toBe(2);
    expect(stderr).toContain('needs both cert and key');
  });

  it('reconnects resume the TLS session (a server closing every 20 requests)', async () => {
    const { code, out } = await closedLoop(shortKeepAliveUrl, ['--ca', pki.caCert]);
    expect(code).toBe(0);
    const s = summaryOf(out);
    expect(s.overall.errors).toBe(0);
    expect(s.connections!.opened).toBeGreaterThan(10);
    expect(s.connections!.tlsHandshake.count).toBe(s.connections!.opened);
  }, 30_000);
});

describe('Dialer', () => {
  it('keeps the TLS session and resumes it on the next connection', async () => {
    const dialer = new Dialer({ host: '127.0.0.1', addresses: ['127.0.0.1'], port: tlsPort, tls: { insecure: false, ca: readFileSync(pki.caCert, 'utf8') } });
    const reused: boolean[] = [];
    for (let i = 0; i < 3; i++) {
      await new Promise<void>((resolve, reject) => {
        const socket = dialer.dial({
          ready: () => {
            reused.push((socket as TLSSocket).isSessionReused());
            // TLS 1.3 sends the session ticket after the handshake: one request and answer make sure it arrived.
            socket.write('GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n');
          },
          fatal: reject,
        });
        socket.on('data', () => undefined);
        socket.on('close', () => resolve());
      });
    }
    expect(reused).toEqual([false, true, true]);
  });
});
