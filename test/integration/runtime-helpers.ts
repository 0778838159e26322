/** Shared by the runtime integration tests: ports, HTTP probes and process checks against the real machine. */
import { readdirSync, readFileSync, mkdtempSync } from 'node:fs';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ServiceSpec } from '../../src/runtime/types.js';
import { referenceSpec } from '../fixtures/reference-spec.js';

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export function tempLogDir(): string {
  return mkdtempSync(join(tmpdir(), 'hopscope-runtime-test-'));
}

/** The status of GET url, or 'timeout' when no answer came within timeoutMs, or 'error' (refused, reset). */
export function getStatus(url: string, timeoutMs: number): Promise<number | 'timeout' | 'error'> {
  return new Promise((resolve) => {
    const req = request(url, { agent: false, signal: AbortSignal.timeout(timeoutMs) }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', (error) => resolve(error.name === 'AbortError' || error.name === 'TimeoutError' ? 'timeout' : 'error'));
    req.end();
  });
}

export function cacheSpec(name: string, port: number, args: string[] = []): ServiceSpec {
  return referenceSpec('rust-cache-server', name, port, args);
}

/** Children of `ppid` whose command name starts with `commPrefix` (comm is cut at 15 characters). */
export function childPids(ppid: number, commPrefix: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (parent === ppid && comm.startsWith(commPrefix)) pids.push(Number(entry));
    } catch {
      // the process ended while we looked
    }
  }
  return pids;
}

/** True while the pid exists and is not a zombie. */
export function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/** `rust-cache-server` is 17 characters; the kernel keeps 15 of them in comm. */
export const CACHE_COMM = 'rust-cache-serv';
