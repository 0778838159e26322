/**
 * The load engine against real local servers (node:http and raw sockets on 127.0.0.1, nginx where the
 * engine's own cost is measured): keep-alive, chunked bodies, pipelining, and each kind of connection error,
 * in both loop models.
 */

import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createTcpServer, type AddressInfo, type Server as TcpServer } from 'node:net';
import { performance } from 'node:perf_hooks';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Cleanup } from '../../bench/lib/cleanup.js';
import { startNginx } from '../../bench/lib/nginx.js';
import { LoadEngine, type PhaseRun } from '../../src/load/engine.js';
import { compileMix } from '../../src/load/request-mix.js';
import type { ErrorKind, SampleSink } from '../../src/load/sample.js';
import type { LoadModel, RequestDecl } from '../../src/scenario/types.js';
import { freePort } from './runtime-helpers.js';

const servers: (Server | TcpServer)[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

async function listen(server: Server | TcpServer): Promise<number> {
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return (server.address() as AddressInfo).port;
}

class Collect implements SampleSink {
  statuses: number[] = [];
  latencies: number[] = [];
  errors: Partial<Record<ErrorKind, number>> = {};
  timings: (string | undefined)[] = [];
  lags: number[] = [];
  connected?: (connectUs: number, handshakeUs: number | undefined) => void;
  response(_i: number, latencyUs: number, status: number, serverTiming: string | undefined): void {
    this.statuses.push(status);
    this.latencies.push(latencyUs);
    this.timings.push(serverTiming);
  }
  failure(_i: number, kind: ErrorKind): void {
    this.errors[kind] = (this.errors[kind] ?? 0) + 1;
  }
  sendLag(lagUs: number): void {
    this.lags.push(lagUs);
  }
}

const GET: RequestDecl = { name: 'get', method: 'GET', path: '/x', headers: {}, body: undefined, weight: 1, vars: {} };

async function drive(port: number, load: LoadModel, durationMs: number, timeoutMs = 2000) {
  const sink = new Collect();
  const run: PhaseRun = {
    host: '127.0.0.1',
    port,
    mix: compileMix([GET], [{ requestIndex: 0, weight: 1 }], `127.0.0.1:${port}`, 1),
    load,
    durationMs,
    timeoutMs,
    seed: 1,
  };
  const outcome = await new LoadEngine(run, sink).execute();
  return { sink, outcome };
}

const closed = (connections: number, pipelining = 1): LoadModel => ({ model: 'closed', connections, pipelining });
const open = (rps: number, connections: number): LoadModel => ({ model: 'open', fromRps: rps, toRps: rps, arrival: 'constant', connections, pipelining: 1 });

describe('load engine over real sockets', () => {
  it('keeps connections alive: every request of a closed loop reuses the same C sockets', async () => {
    const sockets = new Set<unknown>();
    let requests = 0;
    const port = await listen(
      createHttpServer((req, res) => {
        sockets.add(req.socket);
        requests++;
        res.setHeader('server-timing', 'svc;dur=0.050');
        res.end('{"ok":true}');
      }),
    );
    const { sink, outcome } = await drive(port, closed(4), 500);
    expect(sockets.size).toBe(4);
    expect(sink.statuses.length).toBe(requests);
    expect(outcome.sent).toBe(requests);
    expect(sink.statuses.every((s) => s === 200)).toBe(true);
    expect(sink.timings.every((t) => t === 'svc;dur=0.050')).toBe(true);
    // Microseconds: loopback answers are well under a millisecond yet never recorded as 0.
    expect(Math.min(...sink.latencies)).toBeGreaterThan(0);
  });

  it('reads chunked bodies split across writes', async () => {
    const port = await listen(
      createHttpServer((_req, res) => {
        res.write('{"part":1,');
        setImmediate(() => res.end('"part2":"' + 'x'.repeat(5000) + '"}'));
      }),
    );
    const { sink } = await drive(port, closed(2), 300);
    expect(sink.statuses.length).toBeGreaterThan(10);
    expect(Object.keys(sink.errors)).toEqual([]);
  });

  it('pipelines: with pipelining 8 on one connection, responses come back in order and all are counted', async () => {
    let inFlightMax = 0;
    let requests = 0;
    // A raw server that answers only once it holds 8 requests, so the client must really pipeline.
    const port = await listen(
      createTcpServer((socket) => {
        let pending = '';
        socket.on('data', (chunk) => {
          pending += chunk.toString('latin1');
          const heads = pending.split('\r\n\r\n');
          pending = heads.pop()!;
          inFlightMax = Math.max(inFlightMax, heads.length);
          requests += heads.length;
          socket.write(heads.map(() => 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok').join(''));
        });
        socket.on('error', () => {});
      }),
    );
    const { sink, outcome } = await drive(port, closed(1, 8), 300);
    expect(inFlightMax).toBe(8);
    expect(sink.statuses.length).toBe(requests);
    expect(outcome.sent).toBeGreaterThanOrEqual(requests);
  });

  it('counts refused connections as connection errors, apart from requests, instead of going quiet', async () => {
    const port = await listen(createTcpServer());
    await new Promise((r) => servers.pop()!.close(r));
    const { sink, outcome } = await drive(port, closed(2), 300);
    expect(sink.statuses.length).toBe(0);
    expect(sink.errors).toEqual({});
    expect(outcome.connectFailures).toBeGreaterThan(2);
  });

  it('takes a connection whose response announces a close out of service: nothing is sent on it, nothing fails', async () => {
    let requests = 0;
    let sentOnClosing = 0;
    // HTTP/1.0 without keep-alive, then a close: any byte after the first request head was sent too late.
    const port = await listen(
      createTcpServer((socket) => {
        let seen = '';
        socket.on('data', (chunk) => {
          seen += chunk.toString('latin1');
          const heads = seen.split('\r\n\r\n').length - 1;
          if (heads > 1) sentOnClosing++;
          if (heads === 1 && seen.endsWith('\r\n\r\n')) {
            requests++;
            socket.end('HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok');
          }
        });
        socket.on('error', () => {});
      }),
    );
    const { sink, outcome } = await drive(port, closed(3), 400);
    expect(sink.errors).toEqual({});
    expect(sentOnClosing).toBe(0);
    expect(sink.statuses.length).toBe(requests);
    expect(outcome.sent).toBe(requests);
    expect(requests).toBeGreaterThan(50);
  });

  it('open loop: connections the server closes while idle leave the free list, not only the pool', async () => {
    // At a low rate the connections under the one in use sit idle and the server closes those idle for
    // 100 ms; the engine reconnects each. A closed one left in the free list stayed until a burst reached it.
    const port = await listen(
      createTcpServer((socket) => {
        socket.setTimeout(100, () => socket.destroy());
        socket.on('data', (chunk) => {
          for (let i = chunk.indexOf('\r\n\r\n'); i >= 0; i = chunk.indexOf('\r\n\r\n', i + 4)) socket.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok');
        });
        socket.on('error', () => {});
      }),
    );
    const run: PhaseRun = { host: '127.0.0.1', port, mix: compileMix([GET], [{ requestIndex: 0, weight: 1 }], `127.0.0.1:${port}`, 1), load: open(50, 8), durationMs: 1500, timeoutMs: 2000, seed: 1 };
    const sink = new Collect();
    const engine = new LoadEngine(run, sink);
    const internals = engine as unknown as { free: unknown[]; connections: Set<unknown> };
    let reconnects = 0;
    sink.connected = () => reconnects++;
    let dead = -1;
    let listed = 0;
    setTimeout(() => {
      listed = internals.free.length;
      dead = internals.free.filter((c) => !internals.connections.has(c)).length;
    }, 1300);
    await engine.execute();
    // 8 at the start, then the idle ones again after each timeout: the case happened. (Whether a request
    // met a close on its way depends on the host's timing, and is not what this tests.)
    expect(reconnects).toBeGreaterThan(8 + 7 * 5);
    expect(listed).toBeGreaterThan(0);
    expect(dead).toBe(0);
  });

  it('records each connection\'s connect time with the sink', async () => {
    const port = await listen(createHttpServer((_req, res) => res.end('ok')));
    const sink = new Collect();
    const connects: number[] = [];
    sink.connected = (connectUs: number, handshakeUs: number | undefined) => {
      connects.push(connectUs);
      expect(handshakeUs).toBeUndefined();
    };
    const run: PhaseRun = { host: '127.0.0.1', port, mix: compileMix([GET], [{ requestIndex: 0, weight: 1 }], `127.0.0.1:${port}`, 1), load: closed(3), durationMs: 200, timeoutMs: 1000, seed: 1 };
    await new LoadEngine(run, sink).execute();
    expect(connects.length).toBe(3);
    expect(connects.every((us) => us > 0 && us < 1_000_000)).toBe(true);
  });

  it('counts a connection reset mid-response as a reset, reconnects, and carries on', async () => {
    let n = 0;
    const port = await listen(
      createTcpServer((socket) => {
        socket.on('data', () => {
          n++;
          if (n % 5 === 0) socket.destroy();
          else socket.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok');
        });
        socket.on('error', () => {});
      }),
    );
    const { sink } = await drive(port, closed(2), 400);
    expect(sink.errors.reset).toBeGreaterThan(0);
    expect(sink.statuses.length).toBeGreaterThan(sink.errors.reset! * 2);
  });

  it('fails a request that gets no answer within the timeout as a timeout', async () => {
    // resume(): a socket nobody reads never sees the client's FIN, and would keep server.close() waiting.
    const port = await listen(createTcpServer((socket) => socket.on('error', () => {}).resume()));
    const { sink } = await drive(port, closed(2), 400, 100);
    expect(sink.errors.timeout).toBeGreaterThanOrEqual(4);
    expect(sink.statuses.length).toBe(0);
  });

  it('counts garbage from the server as a protocol error', async () => {
    const port = await listen(
      createTcpServer((socket) => {
        socket.on('data', () => socket.write('SSH-2.0-OpenSSH_9.2\r\n\r\n'));
        socket.on('error', () => {});
      }),
    );
    const { sink } = await drive(port, closed(1), 200);
    expect(sink.errors.protocol).toBeGreaterThan(0);
  });

  it('open loop: sends at the intended rate and measures a stall from the intended time', async () => {
    let stalled = false;
    const port = await listen(
      createHttpServer((_req, res) => {
        if (stalled) setTimeout(() => res.end('late'), 200);
        else res.end('ok');
      }),
    );
    setTimeout(() => (stalled = true), 400);
    setTimeout(() => (stalled = false), 600);
    // 2 connections at 200 req/s: during the 200 ms stall both are busy and requests queue behind them.
    const { sink, outcome } = await drive(port, open(200, 2), 1500);
    expect(outcome.intended).toBe(300);
    expect(outcome.sent + outcome.unsent).toBe(300);
    expect(sink.statuses.length).toBe(outcome.sent);
    // A closed-loop tool would record one slow request per connection (2) and skip the rest of the stall;
    // here the ~20 requests due while both connections were held wait for them, measured from their due time.
    expect(sink.latencies.filter((us) => us > 100_000).length).toBeGreaterThanOrEqual(10);
    expect(Math.max(...sink.lags)).toBeGreaterThan(50_000);
  });

  describe('against nginx, so that the process measured runs the engine alone', () => {
    const cleanup = new Cleanup(() => undefined);
    let nginxPort = 0;
    beforeAll(async () => {
      nginxPort = await freePort();
      await startNginx({ port: nginxPort, body: 'ok', cleanup });
    }, 30_000);
    afterAll(() => cleanup.runAll(), 30_000);

    it('open loop: waits for due times without spinning a core, and still sends on time', async () => {
      const cpuBefore = process.cpuUsage();
      const startedMs = performance.now();
      // 1,000 req/s: requests 1 ms apart, under libuv's timer resolution, where a polling scheduler spins.
      const { sink, outcome } = await drive(nginxPort, open(1000, 16), 1500);
      const cpu = process.cpuUsage(cpuBefore);
      const cpuShare = (cpu.user + cpu.system) / 1000 / (performance.now() - startedMs);
      expect(outcome.sent).toBe(1500);
      expect(sink.statuses.length).toBe(1500);
      // A spinning scheduler would read 1.0. Each wake-up costs what the host makes it cost: with the server
      // in this process, 0.53 and 0.79 in fresh-clone CI runs on busy hosts (2026-12-05 and 12-06), where
      // every tool's CPU per request was 1.5-2.5x its figure on a calm one.
      expect(cpuShare).toBeLessThan(0.75);
      const lags = [...sink.lags].sort((a, b) => a - b);
      expect(lags[Math.floor(lags.length / 2)]!).toBeLessThan(2000);
      expect(lags[0]!).toBeGreaterThanOrEqual(0);
    });

    it('open loop from 5,000 req/s: gathers sends, never sends early, and still sends every request', async () => {
      // With the server in this process, a busy host's CI run sent 3,851 of 4,000 at 8,000 req/s: the thread
      // carried both sides and fell behind, and the phase's end gave up the backlog (counted as unsent).
      const { sink, outcome } = await drive(nginxPort, open(8000, 64), 500);
      expect(outcome.intended).toBe(4000);
      expect(outcome.sent).toBe(4000);
      expect(sink.statuses.length).toBe(4000);
      expect(Math.min(...sink.lags)).toBeGreaterThanOrEqual(0);
    });
  });

  it('open loop: a request due while others are in flight leaves on time (the wake thread), not on a 1-ms timer', async () => {
    // Answers take 4 ms and requests are due every 2.5 ms, so one is always in flight at a due time: a
    // millisecond timer would send most of them hundreds of microseconds late.
    const port = await listen(createHttpServer((_req, res) => void setTimeout(() => res.end('ok'), 4)));
    const { sink, outcome } = await drive(port, open(400, 8), 1500);
    expect(outcome.sent).toBe(600);
    expect(sink.statuses.length).toBe(600);
    const lags = [...sink.lags].sort((a, b) => a - b);
    expect(lags[0]!).toBeGreaterThanOrEqual(0);
    expect(lags[Math.floor(lags.length / 2)]!).toBeLessThan(400);
  });

  it('open loop: answers that do not come when expected hold up the sends due meanwhile by the 3-ms backstop at most', async () => {
    // Answers come at once, so the engine counts on the next one to wake it and arms no millisecond timer;
    // every 100th is held for 50 ms, as a service's GC pause holds one. Waiting for it would hold every send
    // due meanwhile; the backstop wakes the engine, which then sends what fell due on the other connections.
    // With a 20-ms backstop each of them held ~20 sends up to 20 ms: a send lag p99 of ~18 ms.
    let requests = 0;
    const ok = 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok';
    const port = await listen(
      createTcpServer((socket) => {
        let seen = '';
        socket.on('data', (chunk) => {
          seen += chunk.toString('latin1');
          let end: number;
          while ((end = seen.indexOf('\r\n\r\n')) >= 0) {
            seen = seen.slice(end + 4);
            if (++requests % 100 === 0) setTimeout(() => socket.write(ok), 50);
            else socket.write(ok);
          }
        });
        socket.on('error', () => {});
      }),
    );
    const { sink, outcome } = await drive(port, open(1000, 16), 2000);
    expect(outcome.sent).toBe(2000);
    expect(sink.statuses.length).toBe(2000);
    // The held answers (the server's timers can fire a fraction of a millisecond early by this clock).
    expect(sink.latencies.filter((us) => us > 45_000).length).toBeGreaterThanOrEqual(15);
    const lags = [...sink.lags].sort((a, b) => a - b);
    expect(lags[Math.floor(lags.length * 0.99)]!).toBeLessThan(8_000);
    // Loose, for a busy host's late timers.
    expect(lags[lags.length - 1]!).toBeLessThan(100_000);
  });
});
