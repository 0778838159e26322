/**
 * The fastest closed loop Node itself runs on this host: N keep-alive sockets, one fixed GET written per
 * response (`socket.write`, as hopscope), reads into one shared buffer (`onread`, as hopscope), responses
 * counted by their byte length, no parsing, no timing, no recording. It is a yardstick, not a generator: a
 * server whose answers change length breaks its count. bench/generator-cost.ts runs it beside the tools, so
 * "hopscope / node floor" in the same round says how much of a gap to wrk is hopscope's own and how much is
 * Node's on this host.
 *
 *   node dist-bench/bench/node-floor.js URL CONNECTIONS SECONDS   (prints {"responses":N,"seconds":S})
 */

import { connect, type Socket } from 'node:net';
import { assertLoopback } from './lib/http.js';

const [urlText, connectionsText, secondsText] = process.argv.slice(2);
const url = new URL(urlText ?? '');
assertLoopback(url.toString());
const connections = Number(connectionsText);
const seconds = Number(secondsText);
if (!(connections > 0 && seconds > 0)) throw new Error('usage: node-floor URL CONNECTIONS SECONDS');

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
const started = performance.now();
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
          if (running) socket.write(request);
        }
        return true;
      },
    },
  });
  socket.once('connect', () => socket.write(request));
  sockets.push(socket);
}
setTimeout(() => {
  running = false;
  const elapsed = (performance.now() - started) / 1000;
  for (const s of sockets) s.destroy();
  console.log(JSON.stringify({ responses, seconds: elapsed }));
}, seconds * 1000);
