/**
 * What a request's write costs the generator: `socket.write` (Node's Writable stream) against the engine's
 * `socketWriter` (src/load/socket-writer.ts: the socket's libuv handle), over one keep-alive connection to
 * nginx, one request at a time (each written when the previous answer is in). Blocks of --requests
 * round trips alternate between the two ways in one process, so that the host's drift falls on both; each
 * block's CPU (process.cpuUsage) per request, and the ratio of the two from the same pair of blocks.
 * Prints figures; asserts nothing.
 *
 *   npm run build && npm run bench:build && node dist-bench/bench/write-path.js [--requests 2000] [--pairs 40]
 */

import { connect, type Socket } from 'node:net';
import { socketWriter } from '../src/load/socket-writer.js';
import { Cleanup } from './lib/cleanup.js';
import { unsetSandboxCa } from './lib/cpu.js';
import { SMALL_JSON_BODY, startNginx } from './lib/nginx.js';
import { freePort } from './lib/proc.js';
import { arg, median } from './lib/util.js';

const REQUEST = Buffer.from('GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n', 'latin1');

interface Connection {
  socket: Socket;
  /** Called once per complete answer (answers are counted by the first one's length). */
  onAnswer: () => void;
}

async function open(port: number): Promise<Connection> {
  let length = 0;
  let pending = 0;
  const conn: Connection = { socket: undefined as unknown as Socket, onAnswer: () => undefined };
  conn.socket = connect({
    host: '127.0.0.1',
    port,
    noDelay: true,
    onread: {
      buffer: Buffer.allocUnsafe(64 * 1024),
      callback: (n: number) => {
        if (length === 0) length = n;
        pending += n;
        while (pending >= length) {
          pending -= length;
          conn.onAnswer();
        }
        return true;
      },
    },
  });
  await new Promise<void>((resolve, reject) => conn.socket.once('connect', resolve).once('error', reject));
  return conn;
}

/** `requests` round trips written with `write`; CPU microseconds per request. */
function block(conn: Connection, write: (data: Uint8Array) => void, requests: number): Promise<number> {
  return new Promise((resolve) => {
    let left = requests;
    const start = process.cpuUsage();
    conn.onAnswer = () => {
      if (--left > 0) return write(REQUEST);
      const used = process.cpuUsage(start);
      resolve((used.user + used.system) / requests);
    };
    write(REQUEST);
  });
}

async function main(): Promise<void> {
  const requests = Number(arg('--requests') ?? 2000);
  const pairs = Number(arg('--pairs') ?? 40);
  const cleanup = new Cleanup();
  const removeHandlers = cleanup.installSignalHandlers();
  try {
    const unsetCa = unsetSandboxCa();
    if (unsetCa) console.log(unsetCa);
    const port = await freePort(18950);
    await startNginx({ port, body: SMALL_JSON_BODY, cleanup });
    const conn = await open(port);
    const ways = { 'socket.write': (data: Uint8Array) => void conn.socket.write(data), socketWriter: socketWriter(conn.socket) };
    // Warm both paths up (TurboFan, the socket's buffers) before anything counts.
    for (let i = 0; i < 4; i++) for (const write of Object.values(ways)) await block(conn, write, requests);
    const stream: number[] = [];
    const handle: number[] = [];
    for (let i = 0; i < pairs; i++) {
      // Order alternates, so that neither way is always the one after a pause.
      if (i % 2 === 0) {
        stream.push(await block(conn, ways['socket.write'], requests));
        handle.push(await block(conn, ways.socketWriter, requests));
      } else {
        handle.push(await block(conn, ways.socketWriter, requests));
        stream.push(await block(conn, ways['socket.write'], requests));
      }
    }
    conn.socket.destroy();
    const ratios = handle.map((h, i) => h / stream[i]!);
    console.log(`one connection to nginx, one request at a time, ${pairs} pairs of blocks of ${requests} requests, CPU us per request (medians):`);
    console.log(`  socket.write  ${median(stream).toFixed(2)} (${Math.min(...stream).toFixed(2)}-${Math.max(...stream).toFixed(2)})`);
    console.log(`  socketWriter  ${median(handle).toFixed(2)} (${Math.min(...handle).toFixed(2)}-${Math.max(...handle).toFixed(2)})`);
    console.log(`  socketWriter / socket.write, same pair: median ${median(ratios).toFixed(3)} (${Math.min(...ratios).toFixed(3)}-${Math.max(...ratios).toFixed(3)})`);
  } finally {
    await cleanup.runAll();
    removeHandlers();
  }
}

await main();
