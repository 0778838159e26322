/**
 * The cheapest load Node itself puts on this host, a yardstick and not a generator: N keep-alive sockets, one
 * fixed GET (`socket.write`, as hopscope), reads into one shared buffer (`onread`, as hopscope), responses
 * counted by their byte length, no parsing, no timing, no recording. A server whose answers change length
 * breaks its count. bench/generator-cost.ts runs it beside the tools, so that "hopscope / node floor" in the
 * same round says how much of a gap to a peer is hopscope's own and how much is Node's on this host.
 *   - closed loop: each socket writes its next request when an answer completes;
 *   - open loop (RATE given): a constant schedule, each request sent at its due time, waited for as
 *     hopscope's engine waits: on the answer while one is in flight (a 20-ms timer behind it), else in
 *     `Atomics.wait` on the loop's own thread. Those are two sleeps a request, and what they cost is the
 *     host's: the floor under any generator that sends each request when it is due.
 *
 *   node dist-bench/bench/node-floor.js URL CONNECTIONS SECONDS [RATE]
 *   (prints {"responses":N,"seconds":S}, and in the open loop "sendLagP99Us")
 */

import { connect, type Socket } from 'node:net';
import { assertLoopback } from './lib/http.js';

const [urlText, connectionsText, secondsText, rateText] = process.argv.slice(2);
const url = new URL(urlText ?? '');
assertLoopback(url.toString());
const connections = Number(connectionsText);
const seconds = Number(secondsText);
const rate = rateText === undefined ? undefined : Number(rateText);
if (!(connections > 0 && seconds > 0 && (rate === undefined || rate > 0))) throw new Error('usage: node-floor URL CONNECTIONS SECONDS [RATE]');

const request = Buffer.from(`GET ${url.pathname} HTTP/1.1\r\nHost: ${url.host}\r\n\r\n`, 'latin1');
const shared = Buffer.allocUnsafe(64 * 1024);

/** A response's length (head + Content-Length), read on a probe connection before the clock starts. */
async function responseLength(): Promise<number> {
  const probe = connect({ host: url.hostname, port: Number(url.port) });
  try {
    const head = await new Promise<string>((resolve, reject) => {
      let got = '';
      probe.on('data', (chunk: Buffer) => {
        got += chunk.toString('latin1');
        const end = got.indexOf('\r\n\r\n');
        if (end >= 0) resolve(got.slice(0, end + 4));
      });
      probe.once('error', reject);
      probe.write(request);
    });
    const contentLength = /\r\ncontent-length:\s*(\d+)/i.exec(head);
    if (!contentLength) throw new Error(`node-floor needs a Content-Length answer; got:\n${head}`);
    return Buffer.byteLength(head, 'latin1') + Number(contentLength[1]);
  } finally {
    probe.destroy();
  }
}

const length = await responseLength();
let responses = 0;
let running = true;
const sockets: Socket[] = [];

/** Opens the sockets; `answered(socket)` is called once per complete response. Resolves once all are connected. */
function openSockets(answered: (socket: Socket) => void): Promise<void> {
  let connected = 0;
  return new Promise((resolve) => {
    for (let i = 0; i < connections; i++) {
      let pending = 0;
      const socket: Socket = connect({
        host: url.hostname,
        port: Number(url.port),
        noDelay: true,
        onread: {
          buffer: shared,
          callback: (n: number) => {
            pending += n;
            while (pending >= length) {
              pending -= length;
              responses++;
              answered(socket);
            }
            return true;
          },
        },
      });
      socket.once('connect', () => ++connected === connections && resolve());
      sockets.push(socket);
    }
  });
}

function finish(started: number, extra: Record<string, number> = {}): void {
  running = false;
  const elapsed = (performance.now() - started) / 1000;
  for (const s of sockets) s.destroy();
  console.log(JSON.stringify({ responses, seconds: elapsed, ...extra }));
}

if (rate === undefined) {
  await openSockets((socket) => running && socket.write(request));
  const started = performance.now();
  for (const socket of sockets) socket.write(request);
  setTimeout(() => finish(started), seconds * 1000);
} else {
  const gapMs = 1000 / rate;
  const total = Math.round(rate * seconds);
  const free: Socket[] = [];
  const lagsUs: number[] = [];
  const cell = new Int32Array(new SharedArrayBuffer(4));
  let sent = 0;
  let inFlight = 0;
  let started = 0;
  let backstop: NodeJS.Timeout | undefined;
  const pace = (): void => {
    while (sent < total) {
      const dueMs = started + sent * gapMs;
      let now = performance.now();
      if (now >= dueMs) {
        const socket = free.pop();
        if (!socket) return;
        lagsUs.push((now - dueMs) * 1000);
        sent++;
        inFlight++;
        socket.write(request);
        continue;
      }
      if (inFlight > 0) {
        backstop ??= setTimeout(() => {
          backstop = undefined;
          pace();
        }, 20);
        return;
      }
      Atomics.wait(cell, 0, 0, dueMs - now);
      while (now < dueMs) now = performance.now();
    }
  };
  await openSockets((socket) => {
    inFlight--;
    free.push(socket);
    if (responses === total) end();
    else pace();
  });
  // Bounded, should an answer never come.
  const deadline = setTimeout(() => end(), seconds * 1000 + 10_000);
  const end = (): void => {
    clearTimeout(backstop);
    clearTimeout(deadline);
    lagsUs.sort((a, b) => a - b);
    finish(started, { sendLagP99Us: lagsUs[Math.floor(lagsUs.length * 0.99)] ?? NaN });
  };
  free.push(...sockets);
  started = performance.now();
  pace();
}
