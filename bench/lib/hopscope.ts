/** hopscope's own open-loop engine, run through the built CLI (dist/cli/main.js; `npm run build` first). */

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Cleanup } from './cleanup.js';
import { assertLoopback } from './http.js';
import { run } from './proc.js';

/** The repository root (bench scripts run from dist-bench/bench/, two levels below it). */
export const REPO_ROOT = resolve(import.meta.dirname, '../../..');
/**
 * The built CLI's entry in a checkout at `root` (this one, or a baseline build to compare with). The benches
 * run it as the command itself, as npx or a shell does: its `bin` starts Node with the CLI's V8 flags
 * (src/node-flags.ts), which `node dist/cli/main.js` would leave out.
 */
export function cliPath(root: string): string {
  return join(root, 'dist/cli/main.js');
}
export const CLI_PATH = cliPath(REPO_ROOT);

export interface OpenLoopOptions {
  /** Repository root (holds dist/cli/main.js). */
  root: string;
  url: string;
  rate: number;
  connections?: number;
  durationS?: number;
  method?: string;
  body?: string;
  headers?: Record<string, string>;
  cleanup?: Cleanup;
}

export interface OpenLoopResult {
  p50Us: number;
  p99Us: number;
  p999Us: number;
  maxUs: number;
  achievedRps: number;
  /** Failures and 4xx/5xx answers. */
  errors: number;
  /** The failures by kind (e.g. timeout, reset) and the 4xx/5xx answers by status. */
  errorsByKind: Record<string, number>;
  /** How late requests left compared with their intended send time, p99 (generator or connection-pool lag). */
  sendLagP99Us: number;
  count: number;
  warnings: string[];
}

/** The CLI arguments (after `node`) of one ad-hoc open-loop run; the run folder goes to `outDir`. */
export function openLoopArgs(opts: OpenLoopOptions, outDir: string): string[] {
  const args = [
    cliPath(opts.root),
    'run',
    '--target',
    opts.url,
    '--rate',
    String(Math.round(opts.rate)),
    '--connections',
    String(opts.connections ?? 64),
    '--duration',
    `${opts.durationS ?? 10}s`,
    '--method',
    opts.method ?? 'GET',
  ];
  if (opts.body !== undefined) args.push('--body', opts.body);
  for (const [name, value] of Object.entries(opts.headers ?? {})) args.push('-H', `${name}: ${value}`);
  args.push('--json', '--quiet', '--out', outDir);
  return args;
}

interface SummaryShape {
  overall: { count: number; errors: number; errorsByKind: Record<string, number>; latency: { p50Us: number; p99Us: number; p999Us: number; maxUs: number } };
  phases: { achievedRps: number; sendLag: { p99Us: number } }[];
  warnings: string[];
}

/** Runs `hopscope run --target URL --rate R ... --json --quiet` and reads summary.json from its stdout. */
export async function runOpenLoop(opts: OpenLoopOptions): Promise<OpenLoopResult> {
  assertLoopback(opts.url);
  const outDir = mkdtempSync(join(tmpdir(), 'hopscope-bench-run-'));
  try {
    const [command, ...args] = openLoopArgs(opts, outDir);
    const r = await run(command!, args, {
      cwd: opts.root,
      timeoutMs: (opts.durationS ?? 10) * 1000 + 60_000,
      // hopscope ends its phase and writes its results on SIGINT.
      killSignal: 'SIGINT',
      cleanup: opts.cleanup,
    });
    let summary: SummaryShape;
    try {
      summary = JSON.parse(r.stdout) as SummaryShape;
    } catch {
      throw new Error(`hopscope run ${opts.url}: exited ${r.code ?? r.signal}, no summary on stdout: ${r.stderr.slice(-1000)}`);
    }
    const lat = summary.overall.latency;
    return {
      p50Us: lat.p50Us,
      p99Us: lat.p99Us,
      p999Us: lat.p999Us,
      maxUs: lat.maxUs,
      achievedRps: summary.phases[0]?.achievedRps ?? NaN,
      errors: summary.overall.errors,
      errorsByKind: Object.fromEntries(Object.entries(summary.overall.errorsByKind ?? {}).filter(([, n]) => n > 0)),
      sendLagP99Us: summary.phases[0]?.sendLag.p99Us ?? NaN,
      count: summary.overall.count,
      warnings: summary.warnings,
    };
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }
}
