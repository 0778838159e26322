/**
 * Clock offsets between the coordinator and its generators, measured the way NTP does over a few round
 * trips to a tiny HTTP endpoint the coordinator serves: offset = coordinator time - midpoint of the local
 * send and receive, taken from the round trip with the least delay (the tightest bound, ± rtt / 2).
 */

import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { InfraError } from '../errors.js';
import { builtinModule } from '../import-module.js';

const ROUNDS = 8;
const TIMEOUT_MS = 5000;

export interface ClockOffset {
  /** Add to this machine's clock to read the coordinator's. */
  offsetMs: number;
  rttMs: number;
}

const http = () => builtinModule<typeof import('node:http')>('node:http');

/** The coordinator's side: answers GET /time with its Date.now(). `host` is where generators reach it. */
export async function startClockServer(host: string): Promise<{ url: string; close: () => Promise<void> }> {
  const server: Server = http().createServer((_, res) => {
    res.writeHead(200, { 'content-type': 'text/plain' }).end(String(Date.now()));
  });
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, host, resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}/time`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function coordinatorTime(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http().request(url, { timeout: TIMEOUT_MS, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
      res.on('end', () => (Number.isFinite(Number(body)) ? resolve(Number(body)) : reject(new Error(`unexpected answer "${body.slice(0, 40)}"`))));
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${TIMEOUT_MS} ms`)));
    req.on('error', reject);
    req.end();
  });
}

/** The generator's side. */
export async function measureClockOffset(url: string): Promise<ClockOffset> {
  let best: ClockOffset | undefined;
  for (let i = 0; i < ROUNDS; i++) {
    const sentAt = performance.now();
    const sentEpoch = Date.now();
    let theirs: number;
    try {
      theirs = await coordinatorTime(url);
    } catch (error) {
      throw new InfraError(`cannot read the coordinator's clock at ${url}: ${(error as Error).message}`, 'the generator must reach the coordinator (--coordinator-address)');
    }
    const rttMs = performance.now() - sentAt;
    const offsetMs = theirs - (sentEpoch + rttMs / 2);
    if (!best || rttMs < best.rttMs) best = { offsetMs, rttMs };
  }
  return best!;
}
