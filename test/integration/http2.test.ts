/**
 * The engine's HTTP/2 connections against real servers: nginx over TLS (ALPN h2, a CA made with openssl),
 * rust-cache-server's h2c (Go's net/http, request bodies and templated paths), and node:http2 servers with
 * prior knowledge (h2c) that count concurrent streams, reset streams and send GOAWAY, in both loop models.
 */

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer as createH2Server, constants, type Http2Server, type ServerHttp2Session } from 'node:http2';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Cleanup } from '../../bench/lib/cleanup.js';
import { startNginx } from '../../bench/lib/nginx.js';
import { makePki, type Pki } from '../../bench/lib/pki.js';
import { ensureBinary } from '../../src/runtime/build/build.js';
import { kindBinary } from '../../src/runtime/build/reference-recipes.js';
import { LoadEngine, type PhaseRun } from '../../src/load/engine.js';
import { compileMix } from '../../src/load/request-mix.js';
import type { ErrorKind, SampleSink } from '../../src/load/sample.js';
import type { LoadModel, RequestDecl } from '../../src/scenario/types.js';
import { freePort } from './runtime-helpers.js';
import { ChildServer, hopscopeCli, outDir, summaryOf } from './target-helpers.js';

const cleanup = new Cleanup(() => undefined);
const dir = mkdtempSync(join(tmpdir(), 'hopscope-h2-'));
let pki: Pki;
let nginxTlsPort: number;

beforeAll(async () => {
  pki = makePki(dir);
  const port = await freePort();
  nginxTlsPort = await freePort();
  await startNginx({ port, body: '{"ok":true}', serverTiming: 'edge;dur=0.25', tls: { port: nginxTlsPort, cert: pki.serverCert, key: pki.serverKey }, cleanup });
}, 60_000);

afterAll(async () => {
  await cleanup.runAll();
  rmSync(dir, { recursive: true, force: true });
});

const servers: { close(cb: () => void): unknown }[] = [];
const sessions = new Set<ServerHttp2Session>();
afterEach(async () => {
  for (const s of sessions) s.destroy();
  sessions.clear();
  await Promise.all(servers.splice(0).map((s) => new Promise<void>((r) => s.close(() => r()))));
});

async function h2c(onStream: Parameters<Http2Server['on']>[1]): Promise<number> {
  const server = createH2Server();
  server.on('stream', (stream, headers, flags) => {
    // A stream closed with an error code emits 'error' on the server side too.
    stream.on('error', () => undefined);
    onStream(stream, headers, flags);
  });
  server.on('session', (s) => {
    sessions.add(s);
    s.on('close', () => sessions.delete(s));
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return (server.address() as AddressInfo).port;
}

class Collect implements SampleSink {
  statuses: number[] = [];
  timings: (string | undefined)[] = [];
  errors: Partial<Record<ErrorKind, number>> = {};
  handshakes = 0;
  response(_i: number, _latencyUs: number, status: number, serverTiming: string | undefined): void {
    this.statuses.push(status);
    this.timings.push(serverTiming);
  }
  failure(_i: number, kind: ErrorKind): void {
    this.errors[kind] = (this.errors[kind] ?? 0) + 1;
  }
  connected(_c: number, handshakeUs: number | undefined): void {
    if (handshakeUs !== undefined) this.handshakes++;
  }
}

const GET: RequestDecl = { name: 'get', method: 'GET', path: '/x', headers: { 'X-Test': 'yes' }, body: undefined, weight: 1, vars: {} };
const closed = (connections: number, streams: number): LoadModel => ({ model: 'closed', connections, pipelining: streams });

async function drive(port: number, load: LoadModel, durationMs: number, tls?: PhaseRun['tls'], requests: RequestDecl[] = [GET]) {
  const sink = new Collect();
  const run: PhaseRun = {
    host: '127.0.0.1',
    port,
    protocol: 'h2',
    ...(tls ? { tls } : {}),
    mix: compileMix(requests, requests.map((_r, requestIndex) => ({ requestIndex, weight: 1 })), `127.0.0.1:${port}`, 1),
    load,
    durationMs,
    timeoutMs: 2000,
    seed: 1,
  };
  const outcome = await new LoadEngine(run, sink).execute();
  return { sink, outcome };
}

describe('HTTP/2 connections', () => {
  it('over TLS with ALPN h2 against nginx: statuses, Server-Timing, one handshake per connection', async () => {
    const { sink, outcome } = await drive(nginxTlsPort, closed(2, 4), 500, { insecure: false, ca: readFileSync(pki.caCert, 'utf8') });
    expect(sink.errors).toEqual({});
    expect(sink.statuses.length).toBeGreaterThan(50);
    expect(sink.statuses.every((s) => s === 200)).toBe(true);
    expect(sink.timings[0]).toBe('edge;dur=0.25');
    expect(sink.handshakes).toBe(2);
    expect(outcome.sent).toBe(sink.statuses.length);
  });

  it('with prior knowledge (h2c): keeps `streams` requests in flight per connection, headers in lower case', async () => {
    let open = 0;
    let maxOpen = 0;
    const headers: string[] = [];
    const port = await h2c((stream, h) => {
      open++;
      maxOpen = Math.max(maxOpen, open);
      headers.push(String(h['x-test']));
      // Answer after a tick, so that streams really overlap.
      setTimeout(() => {
        open--;
        stream.respond({ ':status': 200, 'server-timing': 'h2c;dur=1' });
        stream.end('ok');
      }, 2);
    });
    const { sink } = await drive(port, closed(1, 8), 400);
    expect(sink.errors).toEqual({});
    expect(maxOpen).toBe(8);
    expect(headers.every((h) => h === 'yes')).toBe(true);
    // Each answered stream was seen by the server; the ones still open at the end drained before execute() returned.
    expect(sink.statuses.length).toBe(headers.length);
    expect(sink.statuses.length).toBeGreaterThan(50);
  });

  it('counts a stream the server resets as rst_stream, and carries on', async () => {
    let n = 0;
    const port = await h2c((stream) => {
      if (++n % 4 === 0) stream.close(constants.NGHTTP2_INTERNAL_ERROR);
      else {
        stream.respond({ ':status': 200 });
        stream.end('ok');
      }
    });
    const { sink } = await drive(port, closed(1, 2), 300);
    expect(sink.errors.rst_stream).toBeGreaterThan(0);
    expect(sink.statuses.length).toBeGreaterThan(sink.errors.rst_stream!);
    expect(Object.keys(sink.errors)).toEqual(['rst_stream']);
  });

  it('after GOAWAY sends nothing more on the session and reconnects; open loop too', async () => {
    let n = 0;
    const port = await h2c((stream) => {
      stream.respond({ ':status': 200 });
      stream.end('ok');
      // Every 20th request closes the session gracefully: the in-flight ones finish, later ones go elsewhere.
      if (++n % 20 === 0) stream.session?.close();
    });
    const { sink, outcome } = await drive(port, { model: 'open', fromRps: 400, toRps: 400, arrival: 'constant', connections: 2, pipelining: 4 }, 500);
    expect(outcome.intended).toBe(200);
    expect(sink.statuses.length + Object.values(sink.errors).reduce((a, b) => a + b!, 0)).toBe(outcome.intended);
    expect(sink.statuses.length).toBeGreaterThan(150);
  });

  it('RST_STREAM on some streams and GOAWAY mid-run: their own kinds, and every intended request ends in exactly one outcome', async () => {
    const perSession = new WeakMap<ServerHttp2Session, number>();
    let goaways = 0;
    const port = await h2c((stream) => {
      const session = stream.session!;
      const n = (perSession.get(session) ?? 0) + 1;
      perSession.set(session, n);
      if (n === 60) {
        // This stream and any later ones are refused: GOAWAY names the one before as the last processed.
        goaways++;
        session.goaway(constants.NGHTTP2_NO_ERROR, stream.id - 2);
        return;
      }
      if (n % 7 === 0) {
        stream.close(constants.NGHTTP2_REFUSED_STREAM);
        return;
      }
      // Answered a little later, so that several streams are in flight when the GOAWAY goes.
      setTimeout(() => {
        if (stream.destroyed) return;
        stream.respond({ ':status': 200 });
        stream.end('ok');
      }, 1);
    });
    const { sink, outcome } = await drive(port, { model: 'open', fromRps: 500, toRps: 500, arrival: 'constant', connections: 2, pipelining: 4 }, 1000);
    expect(outcome.intended).toBe(500);
    const errors = Object.values(sink.errors).reduce((a, b) => a + b!, 0);
    expect(sink.statuses.length + errors).toBe(outcome.intended);
    expect(goaways).toBeGreaterThan(2);
    expect(sink.errors.goaway).toBeGreaterThanOrEqual(goaways);
    expect(sink.errors.rst_stream).toBeGreaterThan(30);
    expect(Object.keys(sink.errors).sort()).toEqual(['goaway', 'rst_stream']);
    expect(sink.statuses.every((s) => s === 200)).toBe(true);
  });

  it('h2c against rust-cache-server (Go net/http): request bodies, templated paths, Server-Timing', async () => {
    const binary = await ensureBinary(kindBinary('rust-cache-server'), () => {});
    const port = await freePort();
    const server = ChildServer.start(binary.path, ['--port', String(port), '--h2c']);
    servers.push({ close: (cb: () => void) => void server.stop().then(cb) });
    expect(await server.firstLine()).toMatch(/listening on/);
    const put: RequestDecl = { name: 'put', method: 'PUT', path: '/cache/key-{n}', headers: {}, body: Buffer.alloc(10_000, 'v'), weight: 1, vars: { n: { kind: 'uniform', min: 1, max: 50 } } };
    const health: RequestDecl = { name: 'health', method: 'GET', path: '/healthz', headers: {}, body: undefined, weight: 1, vars: {} };
    const { sink, outcome } = await drive(port, closed(2, 8), 500, undefined, [put, health]);
    expect(sink.errors).toEqual({});
    expect(sink.statuses.length).toBe(outcome.sent);
    expect(sink.statuses.length).toBeGreaterThan(100);
    expect(new Set(sink.statuses)).toEqual(new Set([200, 204]));
    expect(sink.timings.every((t) => t !== undefined && t.includes('rust-cache-server'))).toBe(true);
  }, 300_000);

  it('ends the run with a clear error when a TLS server does not agree to h2', async () => {
    const server = createHttpsServer({ key: readFileSync(pki.serverKey), cert: readFileSync(pki.serverCert), ALPNProtocols: ['http/1.1'] }, (_req, res) => res.end('ok'));
    servers.push(server);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    await expect(drive(port, closed(1, 1), 300, { insecure: true })).rejects.toThrow(/did not agree to h2 by ALPN/);
  });

  it('through the CLI: --http2 --streams over https://, and --streams without --http2 refused', async () => {
    const dir = outDir();
    const url = `https://127.0.0.1:${nginxTlsPort}/`;
    const { code } = await hopscopeCli(['run', '--target', url, '--http2', '--streams', '4', '--connections', '2', '--duration', '1s', '--ca', pki.caCert, '--quiet', '--out', dir]);
    expect(code).toBe(0);
    const s = summaryOf(dir);
    expect(s.overall.errors).toBe(0);
    expect(s.overall.count).toBeGreaterThan(100);
    expect(s.connections!.opened).toBe(2);
    const refused = await hopscopeCli(['run', '--target', url, '--streams', '4', '--connections', '2', '--duration', '1s', '--quiet', '--out', outDir()]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('streams are HTTP/2 streams: set protocol: h2 on the phase or the scenario (or --http2)');
  }, 30_000);
});
