/**
 * Load generators run the same way for a side-by-side cost comparison: hopscope (the built CLI) and its
 * peers oha, vegeta, k6, autocannon and wrk, each against one loopback URL, open loop at a rate or closed
 * loop at a connection count, each with the CPU of its process tree (cpu.ts) and the figures it reports.
 * Peers that are not installed are skipped with a note; install them with:
 *   cargo install oha --locked; go install github.com/tsenart/vegeta/v12@latest; go install go.k6.io/k6@latest
 */

import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Cleanup } from './cleanup.js';
import { runTimed, type TimedResult } from './cpu.js';
import { CLI_PATH, REPO_ROOT } from './hopscope.js';
import { assertLoopback } from './http.js';
import { parseWrkOutput, WRK_BIN } from './wrk.js';

export type Load = { model: 'open'; rateRps: number } | { model: 'closed'; connections: number };

export interface GeneratorRun {
  url: string;
  load: Load;
  durationS: number;
  /** Open loop: connections the generator may use. */
  openConnections: number;
  cleanup: Cleanup;
}

export interface Measured {
  /** User + system CPU seconds of the tool's process tree over its whole run. */
  cpuS: number;
  /** Responses the tool reports. */
  responses: number;
  rps: number;
  p50Us: number;
  p99Us: number;
  /** hopscope and the node floor: how late open-loop requests left, p99. */
  sendLagP99Us?: number;
  /** hopscope only: its own accounting of its CPU over the load phase (summary.json). */
  summaryCpuMsPer1k?: number;
}

export interface Generator {
  name: string;
  /** Why it cannot run here, if it cannot. */
  missing?: string;
  /** Loads it cannot apply (e.g. wrk has no open loop). */
  supports(load: Load): boolean;
  run(r: GeneratorRun): Promise<Measured>;
}

const GO_BIN = join(homedir(), 'go/bin');
const CARGO_BIN = join(homedir(), '.cargo/bin');

function findBin(name: string, dirs: string[]): string | undefined {
  return [...dirs, ...(process.env.PATH ?? '').split(':')].map((d) => join(d, name)).find((p) => existsSync(p));
}

function ok(r: TimedResult, what: string): TimedResult {
  if (r.code !== 0) throw new Error(`${what}: exited ${r.code ?? r.signal}${r.timedOut ? ' (timed out)' : ''}: ${r.stderr.slice(-800)}`);
  return r;
}

function bounded(r: GeneratorRun) {
  assertLoopback(r.url);
  return { timeoutMs: r.durationS * 1000 + 60_000, killSignal: 'SIGINT' as const, cleanup: r.cleanup };
}

function withTempDir<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'hopscope-bench-gen-'));
  return fn(dir).finally(() => rmSync(dir, { recursive: true, force: true }));
}

interface HopscopeSummary {
  overall: { count: number; latency: { p50Us: number; p99Us: number } };
  phases: { recorded: boolean; sent: number; achievedRps: number; sendLag: { p99Us: number }; generator?: { cpuMsPer1kRequests: number } }[];
}

/**
 * @param warmUpS `--warm-up`: the same load first, unrecorded, so that the figures are the steady state's
 *   (latencies, send lag); CPU stays the whole process tree's, per request sent in both phases.
 */
export function hopscope(workers = 1, warmUpS = 0): Generator {
  return {
    name: `hopscope${workers > 1 ? ` --workers ${workers}` : ''}${warmUpS > 0 ? ` --warm-up ${warmUpS}s` : ''}`,
    supports: (load) => warmUpS === 0 || load.model === 'open',
    run: (r) =>
      withTempDir(async (out) => {
        const load = r.load.model === 'open' ? ['--rate', String(r.load.rateRps), '--connections', String(r.openConnections)] : ['--connections', String(r.load.connections)];
        const warmUp = warmUpS > 0 ? ['--warm-up', `${warmUpS}s`] : [];
        const args = ['run', '--target', r.url, ...load, ...warmUp, '--duration', `${r.durationS}s`, '--workers', String(workers), '--json', '--quiet', '--out', out];
        const limits = bounded(r);
        const t = ok(await runTimed(CLI_PATH, args, { cwd: REPO_ROOT, ...limits, timeoutMs: limits.timeoutMs + warmUpS * 1000 }), 'hopscope');
        const s = JSON.parse(t.stdout) as HopscopeSummary;
        const phase = s.phases.find((p) => p.recorded)!;
        return {
          cpuS: t.cpuS,
          responses: warmUpS > 0 ? s.phases.reduce((sum, p) => sum + p.sent, 0) : s.overall.count,
          rps: phase.achievedRps,
          p50Us: s.overall.latency.p50Us,
          p99Us: s.overall.latency.p99Us,
          sendLagP99Us: r.load.model === 'open' ? phase.sendLag.p99Us : undefined,
          summaryCpuMsPer1k: phase.generator?.cpuMsPer1kRequests,
        };
      }),
  };
}

export function oha(): Generator {
  const bin = findBin('oha', [CARGO_BIN]);
  return {
    name: 'oha',
    missing: bin ? undefined : 'cargo install oha --locked',
    supports: () => true,
    run: async (r) => {
      // --latency-correction: latencies from the intended send time, as hopscope's open loop measures them.
      const load = r.load.model === 'open' ? ['-q', String(r.load.rateRps), '--latency-correction', '-c', String(r.openConnections)] : ['-c', String(r.load.connections)];
      const t = ok(await runTimed(bin!, ['-z', `${r.durationS}s`, ...load, '--no-tui', '--output-format', 'json', r.url], bounded(r)), 'oha');
      const j = JSON.parse(t.stdout) as { summary: { total: number; requestsPerSec: number }; latencyPercentiles: Record<string, number>; statusCodeDistribution: Record<string, number> };
      return {
        cpuS: t.cpuS,
        responses: Object.values(j.statusCodeDistribution).reduce((a, b) => a + b, 0),
        rps: j.summary.requestsPerSec,
        p50Us: j.latencyPercentiles.p50! * 1e6,
        p99Us: j.latencyPercentiles.p99! * 1e6,
      };
    },
  };
}

export function vegeta(): Generator {
  const bin = findBin('vegeta', [GO_BIN]);
  return {
    name: 'vegeta',
    missing: bin ? undefined : 'go install github.com/tsenart/vegeta/v12@latest',
    supports: () => true,
    run: (r) =>
      withTempDir(async (dir) => {
        const targets = join(dir, 'targets');
        const results = join(dir, 'results.bin');
        writeFileSync(targets, `GET ${r.url}\n`);
        // Closed loop: -rate=0 sends as fast as its fixed set of workers can (one request in flight each).
        const load =
          r.load.model === 'open'
            ? [`-rate=${r.load.rateRps}`, `-connections=${r.openConnections}`, `-max-connections=${r.openConnections}`]
            : ['-rate=0', `-workers=${r.load.connections}`, `-max-workers=${r.load.connections}`, `-connections=${r.load.connections}`, `-max-connections=${r.load.connections}`];
        const t = ok(await runTimed(bin!, ['attack', `-duration=${r.durationS}s`, `-targets=${targets}`, `-output=${results}`, ...load], bounded(r)), 'vegeta attack');
        // The report is read after the run and is not the attack's cost.
        const rep = ok(await runTimed(bin!, ['report', '-type=json', results], bounded(r)), 'vegeta report');
        const j = JSON.parse(rep.stdout) as { requests: number; throughput: number; latencies: Record<string, number>; status_codes: Record<string, number> };
        return {
          cpuS: t.cpuS,
          responses: Object.values(j.status_codes).reduce((a, b) => a + b, 0) - (j.status_codes['0'] ?? 0),
          rps: j.throughput,
          p50Us: j.latencies['50th']! / 1000,
          p99Us: j.latencies['99th']! / 1000,
        };
      }),
  };
}

export function k6(): Generator {
  const bin = findBin('k6', [GO_BIN]);
  return {
    name: 'k6',
    missing: bin ? undefined : 'go install go.k6.io/k6@latest',
    supports: () => true,
    run: (r) =>
      withTempDir(async (dir) => {
        const script = join(dir, 'script.js');
        const summary = join(dir, 'summary.json');
        const executor =
          r.load.model === 'open'
            ? { executor: 'constant-arrival-rate', rate: r.load.rateRps, timeUnit: '1s', duration: `${r.durationS}s`, preAllocatedVUs: r.openConnections, maxVUs: r.openConnections }
            : { executor: 'constant-vus', vus: r.load.connections, duration: `${r.durationS}s` };
        const options = { discardResponseBodies: true, summaryTrendStats: ['med', 'p(99)'], scenarios: { load: executor } };
        writeFileSync(script, `import http from 'k6/http';\nexport const options = ${JSON.stringify(options)};\nexport default function () { http.get(${JSON.stringify(r.url)}); }\n`);
        const t = ok(
          await runTimed(bin!, ['run', '--quiet', '--no-usage-report', '--summary-export', summary, script], { ...bounded(r), env: { ...process.env, K6_NO_USAGE_REPORT: 'true' } }),
          'k6',
        );
        const j = JSON.parse(readFileSync(summary, 'utf8')) as { metrics: Record<string, Record<string, number>> };
        const duration = j.metrics.http_req_duration!;
        return { cpuS: t.cpuS, responses: j.metrics.http_reqs!.count!, rps: j.metrics.http_reqs!.rate!, p50Us: duration.med! * 1000, p99Us: duration['p(99)']! * 1000 };
      }),
  };
}

export function autocannon(): Generator {
  const bin = join(REPO_ROOT, 'node_modules/.bin/autocannon');
  return {
    name: 'autocannon',
    missing: existsSync(bin) ? undefined : 'npm ci',
    // Its -R rate limit sends per-second bursts, not an open-loop schedule.
    supports: (load) => load.model === 'closed',
    run: async (r) => {
      const connections = r.load.model === 'closed' ? r.load.connections : r.openConnections;
      const t = ok(await runTimed(bin, ['-c', String(connections), '-d', String(r.durationS), '-j', r.url], bounded(r)), 'autocannon');
      const j = JSON.parse(t.stdout) as { requests: { total: number }; duration: number; latency: { p50: number; p99: number } };
      // autocannon keeps whole milliseconds.
      return { cpuS: t.cpuS, responses: j.requests.total, rps: j.requests.total / j.duration, p50Us: j.latency.p50 * 1000, p99Us: j.latency.p99 * 1000 };
    },
  };
}

export function wrk(): Generator {
  return {
    name: 'wrk -t1',
    missing: existsSync(WRK_BIN) ? undefined : 'apt-get install wrk',
    supports: (load) => load.model === 'closed',
    run: async (r) => {
      const connections = r.load.model === 'closed' ? r.load.connections : r.openConnections;
      const t = ok(await runTimed(WRK_BIN, ['-t1', `-c${connections}`, `-d${r.durationS}s`, '--latency', r.url], bounded(r)), 'wrk');
      const w = parseWrkOutput(t.stdout);
      return { cpuS: t.cpuS, responses: w.requests, rps: w.requestsPerSec, p50Us: w.percentilesUs.p50 ?? NaN, p99Us: w.percentilesUs.p99 ?? NaN };
    },
  };
}

/** Not a generator: bench/node-floor.ts, the closed loop Node itself reaches here with nothing measured. */
export function nodeFloor(): Generator {
  return {
    name: 'node floor',
    supports: () => true,
    run: async (r) => {
      const args = r.load.model === 'closed' ? [String(r.load.connections), String(r.durationS)] : [String(r.openConnections), String(r.durationS), String(r.load.rateRps)];
      const script = join(REPO_ROOT, 'dist-bench/bench/node-floor.js');
      const t = ok(await runTimed(process.execPath, [script, r.url, ...args], bounded(r)), 'node floor');
      const j = JSON.parse(t.stdout) as { responses: number; seconds: number; sendLagP99Us?: number };
      return { cpuS: t.cpuS, responses: j.responses, rps: j.responses / j.seconds, p50Us: NaN, p99Us: NaN, sendLagP99Us: j.sendLagP99Us };
    },
  };
}
