/**
 * What a fleet costs beside one process: the same open-loop load against nginx (nginx-light, one worker,
 * loopback) from one hopscope and from 3 generators on this machine's Docker engine (`--generators 3
 * --fleet docker`), alternating, the order swapped each round. Per run: achieved rate, p50/p99 and CPU:
 *   - load CPU: the single run's generator CPU over its phase (summary.json phases[].generator.cpuMs) against
 *     the sum of the generators' (summary.json fleet.generators[].cpuMs);
 *   - total CPU: the single process tree's user + system over its whole run (bench/lib/cpu.ts) against the
 *     coordinator's process tree (engine calls, clock, archive, merge: 'process CPU') plus the generators' load CPU.
 * Ratios are fleet / single from the same round. Prints figures; asserts nothing.
 *
 *   npm run build && npm run bench:build && flock /tmp/hopscope-bench.lock node dist-bench/bench/fleet-overhead.js [--rounds 3] [--rate 3000] [--seconds 15]
 */

import Table from 'cli-table3';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunSummary } from '../src/run-folder/summary.js';
import { Cleanup } from './lib/cleanup.js';
import { runTimed } from './lib/cpu.js';
import { CLI_PATH, REPO_ROOT } from './lib/hopscope.js';
import { SMALL_JSON_BODY, startNginx } from './lib/nginx.js';
import { freePort } from './lib/proc.js';
import { formatLoadAvg, readLoadAvg } from './lib/loadavg.js';
import { arg, formatUs, median, sleep } from './lib/util.js';

const GENERATORS = 3;
const CONNECTIONS = 30;
/** The generators start in containers on a shared machine: a lead no start can miss, so no run fails late. */
const FLEET_LEAD_MS = 8000;

interface Measured {
  rps: number;
  count: number;
  p50Us: number;
  p99Us: number;
  loadCpuMs: number;
  /** The process tree hopscope was started as: all of a single run, the coordinator alone for a fleet. */
  processCpuMs: number;
  totalCpuMs: number;
}

async function measure(url: string, rate: number, seconds: number, fleet: boolean, cleanup: Cleanup): Promise<Measured> {
  const out = mkdtempSync(join(tmpdir(), 'hopscope-bench-fleet-'));
  try {
    const args = ['run', '--target', url, '--rate', String(rate), '--connections', String(CONNECTIONS), '--duration', `${seconds}s`, '--quiet', '--out', out];
    if (fleet) args.push('--generators', String(GENERATORS), '--fleet', 'docker', '--fleet-lead', String(FLEET_LEAD_MS));
    const t = await runTimed(CLI_PATH, args, { cwd: REPO_ROOT, timeoutMs: seconds * 1000 + 180_000, killSignal: 'SIGINT', cleanup });
    if (t.code !== 0) throw new Error(`hopscope${fleet ? ' fleet' : ''} exited ${t.code}: ${t.stderr.slice(-1500)}`);
    const s = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as RunSummary;
    const phase = s.phases[0]!;
    const loadCpuMs = fleet ? s.fleet!.generators.reduce((sum, g) => sum + g.cpuMs, 0) : phase.generator!.cpuMs;
    const processCpuMs = t.cpuS * 1000;
    // A fleet's generators run under the engine, not in the coordinator's process tree.
    const totalCpuMs = processCpuMs + (fleet ? loadCpuMs : 0);
    return { rps: phase.achievedRps, count: s.overall.count, p50Us: s.overall.latency.p50Us, p99Us: s.overall.latency.p99Us, loadCpuMs, processCpuMs, totalCpuMs };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const rounds = Number(arg('--rounds') ?? 3);
  const rate = Number(arg('--rate') ?? 3000);
  const seconds = Number(arg('--seconds') ?? 15);
  const cleanup = new Cleanup();
  const removeHandlers = cleanup.installSignalHandlers();
  try {
    const port = await freePort();
    const nginx = await startNginx({ port, body: SMALL_JSON_BODY, cleanup });
    const url = `http://127.0.0.1:${port}/`;
    console.log(`fleet overhead: ${rate} req/s open loop, ${CONNECTIONS} connections, ${seconds} s; 1 process vs ${GENERATORS} generators on docker; nginx ${nginx.version}; load ${formatLoadAvg(readLoadAvg())}`);
    // A short fleet run first, so that building the generator image on this engine is in no round.
    await measure(url, 100, 1, true, cleanup);
    const single: Measured[] = [];
    const fleet: Measured[] = [];
    for (let round = 0; round < rounds; round++) {
      for (const isFleet of round % 2 === 0 ? [false, true] : [true, false]) {
        (isFleet ? fleet : single).push(await measure(url, rate, seconds, isFleet, cleanup));
        await sleep(1000);
      }
    }
    const t = new Table({ style: { head: [], border: [] }, head: ['round', 'run', 'responses', 'achieved req/s', 'p50', 'p99', 'load CPU ms', 'process CPU ms', 'total CPU ms'] });
    const ratios = new Table({ style: { head: [], border: [] }, head: ['round', 'achieved', 'p50', 'p99', 'load CPU', 'total CPU'] });
    const r = (f: (m: Measured) => number, i: number) => f(fleet[i]!) / f(single[i]!);
    const columns: ((m: Measured) => number)[] = [(m) => m.rps, (m) => m.p50Us, (m) => m.p99Us, (m) => m.loadCpuMs, (m) => m.totalCpuMs];
    for (let i = 0; i < rounds; i++) {
      for (const [name, m] of [['single', single[i]!], [`fleet of ${GENERATORS}`, fleet[i]!]] as const) {
        t.push([i + 1, name, m.count, m.rps.toFixed(1), formatUs(m.p50Us), formatUs(m.p99Us), Math.round(m.loadCpuMs), Math.round(m.processCpuMs), Math.round(m.totalCpuMs)]);
      }
      ratios.push([i + 1, ...columns.map((f) => r(f, i).toFixed(3))]);
    }
    ratios.push(['median', ...columns.map((f) => median(Array.from({ length: rounds }, (_, i) => r(f, i))).toFixed(3))]);
    console.log(t.toString());
    console.log('fleet / single, same round:');
    console.log(ratios.toString());
  } finally {
    await cleanup.runAll();
    removeHandlers();
  }
}

await main();
