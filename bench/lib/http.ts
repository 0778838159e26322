/** Small HTTP/1.1 client helpers for bench scripts (loopback only, one connection per request). */

import { request } from 'node:http';
import { sleep } from './util.js';

export interface HttpAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export interface HttpOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  timeoutMs?: number;
}

/** Refuses anything but 127.0.0.1 / localhost / ::1: bench load stays on this machine. */
export function assertLoopback(url: string): URL {
  const u = new URL(url);
  if (!['127.0.0.1', 'localhost', '[::1]'].includes(u.hostname)) throw new Error(`not a loopback URL: ${url}`);
  return u;
}

/** One request on a fresh connection; rejects on connection errors and after `timeoutMs` (default 2 s). */
export function httpRequest(url: string, opts: HttpOptions = {}): Promise<HttpAnswer> {
  const u = assertLoopback(url);
  return new Promise((resolve, reject) => {
    const req = request(
      u,
      { method: opts.method ?? 'GET', headers: opts.headers, agent: false, timeout: opts.timeoutMs ?? 2_000 },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (s: string) => (body += s));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${url}: no answer within ${opts.timeoutMs ?? 2_000} ms`)));
    req.on('error', reject);
    req.end(opts.body);
  });
}

export interface WaitOptions {
  /** Give up (reject) after this long. */
  timeoutMs: number;
  /** Pause between attempts. */
  intervalMs: number;
  /** Time origin for the returned figure; default: when the wait began. */
  since?: number;
  /** Stops the wait early (it then rejects). */
  signal?: AbortSignal;
}

/**
 * Polls `url` until it answers 200; resolves with the milliseconds from `since` (a `performance.now()`
 * value) to that answer. Each attempt has its own short timeout, so a hung socket cannot stall the loop.
 */
export async function waitForHttp(url: string, opts: WaitOptions): Promise<number> {
  const since = opts.since ?? performance.now();
  const deadline = performance.now() + opts.timeoutMs;
  let last = 'no attempt';
  while (performance.now() < deadline) {
    if (opts.signal?.aborted) throw new Error(`${url}: wait aborted`);
    try {
      const answer = await httpRequest(url, { timeoutMs: Math.min(1_000, opts.timeoutMs) });
      if (answer.status === 200) return performance.now() - since;
      last = `status ${answer.status}`;
    } catch (err) {
      last = err instanceof Error ? err.message : String(err);
    }
    await sleep(opts.intervalMs);
  }
  throw new Error(`${url} did not answer 200 within ${opts.timeoutMs} ms (last: ${last})`);
}
