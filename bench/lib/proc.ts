/** Processes for bench scripts: bounded commands, long-running services, free ports, RSS. */

import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import type { Cleanup } from './cleanup.js';
import { waitForHttp } from './http.js';


export interface RunOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Hard limit: the command gets `killSignal`, then SIGKILL 5 s later. */
  timeoutMs: number;
  killSignal?: NodeJS.Signals;
  /** When given, the command is killed by `cleanup.runAll()` (e.g. on Ctrl-C) while it runs. */
  cleanup?: Cleanup;
  /** Keeps at most this many bytes of each of stdout and stderr (the tail of stderr). Default 8 MiB. */
  maxOutputBytes?: number;
}

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  elapsedMs: number;
}

/** Runs a command to its end (bounded by `timeoutMs`) and collects its output; never throws on exit status. */
export function run(cmd: string, args: readonly string[], opts: RunOptions): Promise<RunResult> {
  const max = opts.maxOutputBytes ?? 8 * 1024 * 1024;
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: opts.cwd, env: opts.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => {
      if (stdout.length < max) stdout += s;
    });
    child.stderr.setEncoding('utf8').on('data', (s: string) => {
      stderr = (stderr + s).slice(-max);
    });
    let timedOut = false;
    const stop = () => stopChild(child, opts.killSignal ?? 'SIGTERM', 5_000);
    const unregister = opts.cleanup?.add(`${cmd} ${args.slice(0, 2).join(' ')}`, stop);
    const timer = setTimeout(() => {
      timedOut = true;
      void stop();
    }, opts.timeoutMs);
    child.once('error', (err) => {
      clearTimeout(timer);
      unregister?.();
      reject(err);
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      unregister?.();
      resolve({ code, signal, stdout, stderr, timedOut, elapsedMs: performance.now() - started });
    });
  });
}

/** Like `run`, but throws (with the stderr tail) unless the command exited 0 in time. */
export async function runOk(cmd: string, args: readonly string[], opts: RunOptions): Promise<RunResult> {
  const r = await run(cmd, args, opts);
  if (r.code !== 0) {
    const why = r.timedOut ? `timed out after ${opts.timeoutMs} ms` : `exited ${r.code ?? r.signal}`;
    throw new Error(`${cmd} ${args.join(' ')}: ${why}\n${r.stderr.slice(-2000)}`);
  }
  return r;
}

/** Sends `signal`, waits up to `graceMs` for the exit, then SIGKILL. Resolves once the process is gone. */
export function stopChild(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM', graceMs = 5_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const kill = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    child.kill(signal);
  });
}

export interface Service {
  name: string;
  pid: number;
  port: number;
  url: string;
  child: ChildProcess;
  /** Last few KB of the service's stderr, for error messages. */
  stderrTail: () => string;
  stop: () => Promise<void>;
}

export interface StartServiceOptions {
  name: string;
  bin: string;
  args: readonly string[];
  port: number;
  /** Path polled until it answers 200, e.g. `/healthz`. */
  readyPath: string;
  readyTimeoutMs?: number;
  env?: NodeJS.ProcessEnv;
  cleanup: Cleanup;
}

/** Starts a long-running binary on 127.0.0.1:`port`, waits for `readyPath` to answer 200, registers its stop. */
export async function startService(opts: StartServiceOptions): Promise<Service> {
  const child = spawn(opts.bin, opts.args, { env: opts.env ?? process.env, stdio: ['ignore', 'ignore', 'pipe'] });
  let tail = '';
  child.stderr!.setEncoding('utf8').on('data', (s: string) => {
    tail = (tail + s).slice(-4096);
  });
  const stop = () => stopChild(child, 'SIGTERM', 5_000);
  const unregister = opts.cleanup.add(`${opts.name} (pid ${child.pid})`, stop);
  const spawnError = new Promise<never>((_, reject) => child.once('error', reject));
  const exited = new Promise<never>((_, reject) =>
    child.once('exit', (code, signal) => reject(new Error(`${opts.name} exited ${code ?? signal} before it was ready: ${tail.slice(-500)}`))),
  );
  spawnError.catch(() => undefined);
  exited.catch(() => undefined);
  const url = `http://127.0.0.1:${opts.port}`;
  await Promise.race([waitForHttp(`${url}${opts.readyPath}`, { timeoutMs: opts.readyTimeoutMs ?? 10_000, intervalMs: 10 }), spawnError, exited]);
  return {
    name: opts.name,
    pid: child.pid!,
    port: opts.port,
    url,
    child,
    stderrTail: () => tail,
    stop: async () => {
      await stop();
      unregister();
    },
  };
}

const handedOut = new Set<number>();

/** The first port from `start` (at most `span` tried) that 127.0.0.1 can bind now and that this process has not handed out. */
export async function freePort(start = 18700, span = 200): Promise<number> {
  for (let port = start; port < start + span; port++) {
    if (handedOut.has(port)) continue;
    const ok = await new Promise<boolean>((resolve) => {
      const srv = createServer();
      srv.once('error', () => resolve(false));
      srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
    });
    if (ok) {
      handedOut.add(port);
      return port;
    }
  }
  throw new Error(`no free port on 127.0.0.1 in ${start}..${start + span - 1}`);
}

export interface Rss {
  /** Resident set size now (VmRSS), KiB. */
  rssKb: number;
  /** Peak resident set size (VmHWM), KiB. */
  peakKb: number;
}

/** RSS of a process from /proc/PID/status (Linux); undefined when the process is gone. */
export function readRss(pid: number): Rss | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return undefined;
  }
  const field = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? NaN);
  return { rssKb: field('VmRSS'), peakKb: field('VmHWM') };
}
