/** wrk (the Debian package, /usr/bin/wrk): request scripts, a bounded run, and a parser for its report. */

import { writeFileSync } from 'node:fs';
import type { Cleanup } from './cleanup.js';
import { assertLoopback } from './http.js';
import { run } from './proc.js';

export const WRK_BIN = '/usr/bin/wrk';

export interface WrkRequest {
  method?: string;
  body?: string;
  headers?: Record<string, string>;
}

/** A Lua string literal holding `s`'s UTF-8 bytes exactly (printable ASCII kept, the rest as `\ddd`). */
export function luaString(s: string): string {
  let out = '"';
  for (const byte of Buffer.from(s, 'utf8')) {
    if (byte === 0x22) out += '\\"';
    else if (byte === 0x5c) out += '\\\\';
    else if (byte >= 0x20 && byte < 0x7f) out += String.fromCharCode(byte);
    else out += `\\${String(byte).padStart(3, '0')}`;
  }
  return `${out}"`;
}

/**
 * A wrk script that sets the method, headers and body once (wrk builds the request a single time, so the
 * script costs nothing per request; no `response` callback, which would make wrk parse every answer in Lua).
 */
export function wrkScript(req: WrkRequest): string {
  const lines = [`wrk.method = ${luaString(req.method ?? 'GET')}`];
  for (const [name, value] of Object.entries(req.headers ?? {})) lines.push(`wrk.headers[${luaString(name)}] = ${luaString(value)}`);
  if (req.body !== undefined) lines.push(`wrk.body = ${luaString(req.body)}`);
  return `${lines.join('\n')}\n`;
}

/** Writes `wrkScript(req)` to `path` and returns the path. */
export function writeWrkScript(path: string, req: WrkRequest): string {
  writeFileSync(path, wrkScript(req));
  return path;
}

export interface WrkResult {
  requests: number;
  durationS: number;
  requestsPerSec: number;
  /** Thread-stats latency line, microseconds. */
  latency: { avgUs: number; stdevUs: number; maxUs: number };
  /** From `--latency` (closed loop, so coordinated omission applies); empty without it. */
  percentilesUs: Record<string, number>;
  /** Answers with a status outside 2xx/3xx. */
  non2xx: number;
  socketErrors: { connect: number; read: number; write: number; timeout: number };
  /** wrk's report as printed. */
  raw: string;
}

const UNIT_US: Record<string, number> = { us: 1, ms: 1e3, s: 1e6, m: 60e6, h: 3600e6 };

/** "606.63us", "1.16ms", "2.00s", "1.00m" -> microseconds. */
export function parseWrkTime(text: string): number {
  const m = /^([\d.]+)(us|ms|s|m|h)$/.exec(text.trim());
  if (!m) throw new Error(`wrk: unreadable time "${text}"`);
  return Number(m[1]) * UNIT_US[m[2]!]!;
}

/** Parses wrk 4's report (stdout). Throws when the request count or the rate is missing. */
export function parseWrkOutput(raw: string): WrkResult {
  const total = /(\d+) requests in ([\d.]+)(us|ms|s|m|h)/.exec(raw);
  const rate = /Requests\/sec:\s+([\d.]+)/.exec(raw);
  if (!total || !rate) throw new Error(`wrk: no request count or rate in its output:\n${raw}`);
  const lat = /^\s*Latency\s+(\S+)\s+(\S+)\s+(\S+)/m.exec(raw);
  const percentilesUs: Record<string, number> = {};
  for (const m of raw.matchAll(/^\s+(\d+(?:\.\d+)?)%\s+(\S+)\s*$/gm)) percentilesUs[`p${m[1]}`] = parseWrkTime(m[2]!);
  const sock = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(raw);
  return {
    requests: Number(total[1]),
    durationS: parseWrkTime(`${total[2]}${total[3]}`) / 1e6,
    requestsPerSec: Number(rate[1]),
    latency: lat ? { avgUs: parseWrkTime(lat[1]!), stdevUs: parseWrkTime(lat[2]!), maxUs: parseWrkTime(lat[3]!) } : { avgUs: NaN, stdevUs: NaN, maxUs: NaN },
    percentilesUs,
    non2xx: Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(raw)?.[1] ?? 0),
    socketErrors: sock
      ? { connect: Number(sock[1]), read: Number(sock[2]), write: Number(sock[3]), timeout: Number(sock[4]) }
      : { connect: 0, read: 0, write: 0, timeout: 0 },
    raw,
  };
}

export interface WrkOptions {
  url: string;
  threads?: number;
  connections?: number;
  durationS?: number;
  /** Path of a Lua script (see `writeWrkScript`). */
  script?: string;
  /** Print the latency distribution (`--latency`). */
  latency?: boolean;
  cleanup?: Cleanup;
}

/** The argument list of a wrk run (for printing the exact command). */
export function wrkArgs(opts: WrkOptions): string[] {
  const args = [`-t${opts.threads ?? 1}`, `-c${opts.connections ?? 50}`, `-d${opts.durationS ?? 10}s`];
  if (opts.script) args.push('-s', opts.script);
  if (opts.latency) args.push('--latency');
  args.push(opts.url);
  return args;
}

/** Runs wrk against a loopback URL (killed if it overruns its duration by 30 s) and parses the report. */
export async function runWrk(opts: WrkOptions): Promise<WrkResult> {
  assertLoopback(opts.url);
  const r = await run(WRK_BIN, wrkArgs(opts), { timeoutMs: (opts.durationS ?? 10) * 1000 + 30_000, cleanup: opts.cleanup });
  if (r.code !== 0) throw new Error(`wrk ${opts.url}: exited ${r.code ?? r.signal}${r.timedOut ? ' (timed out)' : ''}: ${r.stderr.slice(-1000)}`);
  return parseWrkOutput(r.stdout);
}
