/**
 * A target with a tail, for the open loop's send lag: it answers at once, except one request in
 * `heldOneIn`, whose answer it holds HELD_MIN_MS to HELD_MAX_MS (as a service's GC pause or a slow hop holds
 * one). nginx, the benches' usual target, answers every request in ~30 us, and a generator that counts on
 * the next answer to wake it is never caught out there; against this one it is, and every request due
 * behind a late answer leaves late (docs/generator-cost.md, the twenty-fourth stop). Raw HTTP/1.1 on
 * loopback, one fixed Content-Length answer, in the bench's own process: its CPU is no tool's.
 */

import { createServer, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import { seededRandom } from '../../src/load/random.js';
import type { Cleanup } from './cleanup.js';
import { sleep } from './util.js';

export const HELD_MIN_MS = 5;
export const HELD_MAX_MS = 25;
const ANSWER = Buffer.from('HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 15\r\n\r\n{"status":"ok"}', 'latin1');

export interface TailServer {
  url: string;
  /** Answers held so far. */
  held(): number;
}

export async function startTailServer(heldOneIn: number, cleanup: Cleanup): Promise<TailServer> {
  const random = seededRandom(0x7a11);
  let held = 0;
  const server: Server = createServer((socket) => {
    socket.setNoDelay(true);
    let seen = '';
    // Answers leave in order: one asked behind a held answer (a pipelining client) waits for it.
    let queued = 0;
    let last = Promise.resolve();
    const answer = () => {
      queued--;
      if (socket.writable) socket.write(ANSWER);
    };
    socket.on('data', (chunk: Buffer) => {
      seen += chunk.toString('latin1');
      let end: number;
      while ((end = seen.indexOf('\r\n\r\n')) >= 0) {
        seen = seen.slice(end + 4);
        const holdMs = random() * heldOneIn < 1 ? HELD_MIN_MS + random() * (HELD_MAX_MS - HELD_MIN_MS) : 0;
        if (holdMs === 0 && queued === 0) {
          socket.write(ANSWER);
          continue;
        }
        if (holdMs > 0) held++;
        queued++;
        last = last.then(() => (holdMs > 0 ? sleep(holdMs) : undefined)).then(answer);
      }
    });
    socket.on('error', () => {});
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanup.add('tail server', () => new Promise((resolve) => server.close(resolve)));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/`, held: () => held };
}
