/**
 * hopscope's load engine against its peers, in ONE run against the same nginx (nginx-light, one worker,
 * a fixed JSON body, loopback), alternating tools round by round, best of several rounds:
 *   - closed loop, 50 connections: hopscope vs autocannon's own CLI vs wrk (-t1);
 *   - open loop at 10k and 40k req/s, 30 s each: achieved vs intended rate, send lag, p50/p99 beside wrk's
 *     at the same connection count (wrk is closed loop: its percentiles suffer coordinated omission);
 *   - with --soak: RSS of the hopscope process over a 10-minute open-loop run at 20k req/s.
 * Prints figures and ratios; asserts nothing.
 *
 *   npm run build && npm run bench:build && node dist-bench/bench/engine.js [--rounds 3] [--soak]
 */

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import Table from 'cli-table3';
import { Cleanup } from './lib/cleanup.js';
import { CLI_PATH, REPO_ROOT } from './lib/hopscope.js';
import { formatLoadAvg, readLoadAvg, waitForQuiet } from './lib/loadavg.js';
import { SMALL_JSON_BODY, startNginx } from './lib/nginx.js';
import { freePort, readRss, run } from './lib/proc.js';
import { arg, formatRps, formatUs, sleep } from './lib/util.js';
import { runWrk } from './lib/wrk.js';

const AUTOCANNON = join(REPO_ROOT, 'node_modules/.bin/autocannon');
const CONNECTIONS = 50;

interface Summary {
  overall: { count: number; latency: { p50Us: number; p99Us: number } };
  phases: { achievedRps: number; intended: number; sent: number; unsent: number; sendLag: { p50Us: number; p99Us: number } }[];
  generator?: { cpuShare: number };
  warnings: string[];
}

async function hopscope(cleanup: Cleanup, args: string[], durationS: number): Promise<Summary> {
  const out = mkdtempSync(join(tmpdir(), 'hopscope-bench-'));
  try {
    const r = await run(CLI_PATH, ['run', ...args, '--duration', `${durationS}s`, '--json', '--quiet', '--out', out], {
      cwd: REPO_ROOT,
      timeoutMs: durationS * 1000 + 60_000,
      killSignal: 'SIGINT',
      cleanup,
    });
    return JSON.parse(r.stdout) as Summary;
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

async function autocannon(cleanup: Cleanup, url: string, durationS: number): Promise<number> {
  const r = await run(AUTOCANNON, ['-c', String(CONNECTIONS), '-d', String(durationS), '-j', url], { timeoutMs: durationS * 1000 + 30_000, cleanup });
  const result = JSON.parse(r.stdout) as { requests: { total: number }; duration: number };
  return result.requests.total / result.duration;
}

async function closedLoop(cleanup: Cleanup, url: string, rounds: number): Promise<Record<string, number[]>> {
  const tools: Record<string, () => Promise<number>> = {
    hopscope: async () => (await hopscope(cleanup, ['--target', url, '--connections', String(CONNECTIONS)], 10)).phases[0]!.achievedRps,
    'autocannon CLI': () => autocannon(cleanup, url, 10),
    'wrk -t1': async () => (await runWrk({ url, threads: 1, connections: CONNECTIONS, durationS: 10, cleanup })).requestsPerSec,
  };
  const results: Record<string, number[]> = Object.fromEntries(Object.keys(tools).map((k) => [k, []]));
  const names = Object.keys(tools);
  for (let round = 0; round < rounds; round++) {
    // Rotate the order each round so no tool always runs first (or last) in a warm or cold machine.
    for (const name of [...names.slice(round % names.length), ...names.slice(0, round % names.length)]) {
      results[name]!.push(await tools[name]!());
      process.stderr.write(`closed loop round ${round + 1}: ${name} ${formatRps(results[name]!.at(-1)!)} req/s\n`);
    }
  }
  return results;
}

async function soak(cleanup: Cleanup, url: string): Promise<void> {
  const out = mkdtempSync(join(tmpdir(), 'hopscope-soak-'));
  const child = spawn(CLI_PATH, ['run', '--target', url, '--rate', '20000', '--connections', '64', '--duration', '10m', '--quiet', '--out', out], { stdio: 'ignore' });
  cleanup.add('soak run', () => child.kill('SIGINT'));
  const samples: { tS: number; rssMb: number }[] = [];
  const started = Date.now();
  while (child.exitCode === null && Date.now() - started < 11 * 60_000) {
    const rss = readRss(child.pid!);
    if (rss) samples.push({ tS: Math.round((Date.now() - started) / 1000), rssMb: Math.round(rss.rssKb / 1024) });
    await sleep(5000);
  }
  await new Promise((r) => (child.exitCode === null ? child.on('exit', r) : r(undefined)));
  const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as Summary;
  rmSync(out, { recursive: true, force: true });
  const rss = samples.map((s) => s.rssMb);
  console.log(`\nsoak: 10 min open loop at 20,000 req/s, 64 connections: achieved ${formatRps(summary.phases[0]!.achievedRps)} req/s, ${summary.phases[0]!.unsent} unsent`);
  console.log(`RSS MB: first ${rss[0]}, after 1 min ${rss[12]}, max ${Math.max(...rss)}, last ${rss.at(-1)} (${samples.length} samples every 5 s)`);
  console.log(`RSS every minute: ${samples.filter((_, i) => i % 12 === 0).map((s) => `${s.tS}s:${s.rssMb}`).join(' ')}`);
}

async function main(): Promise<void> {
  const rounds = Number(arg('--rounds') ?? 3);
  const cleanup = new Cleanup();
  process.on('SIGINT', () => void cleanup.runAll().then(() => process.exit(130)));
  try {
    const quiet = await waitForQuiet({ below: 1.0, pollMs: 15_000, maxWaitMs: 5 * 60_000, log: (l) => process.stderr.write(`${l}\n`) });
    console.log(`load average at start: ${formatLoadAvg(readLoadAvg())}${quiet.quiet ? '' : ' (never went below 1.0 in 5 min: figures are noisier)'}`);
    const port = await freePort(18900);
    await startNginx({ port, body: SMALL_JSON_BODY, cleanup });
    const url = `http://127.0.0.1:${port}/`;

    const closed = await closedLoop(cleanup, url, rounds);
    const best = Object.fromEntries(Object.entries(closed).map(([k, v]) => [k, Math.max(...v)]));
    const t = new Table({ head: ['closed loop, 50 conns', ...Array.from({ length: rounds }, (_, i) => `round ${i + 1}`), 'best', 'hopscope / this'] });
    for (const [name, values] of Object.entries(closed)) {
      t.push([name, ...values.map(formatRps), formatRps(best[name]!), (best.hopscope! / best[name]!).toFixed(2)]);
    }
    console.log(t.toString());

    const open = new Table({ head: ['open loop', 'intended', 'sent', 'achieved req/s', 'vs target', 'send lag p50', 'send lag p99', 'p50', 'p99', 'wrk p50 (closed)', 'wrk p99 (closed)'] });
    for (const rate of [10_000, 40_000]) {
      const s = await hopscope(cleanup, ['--target', url, '--rate', String(rate), '--connections', String(CONNECTIONS)], 30);
      const w = await runWrk({ url, threads: 1, connections: CONNECTIONS, durationS: 10, latency: true, cleanup });
      const p = s.phases[0]!;
      open.push([
        `${formatRps(rate)}/s, 30 s`,
        String(p.intended),
        String(p.sent),
        formatRps(p.achievedRps),
        `${((p.achievedRps / rate - 1) * 100).toFixed(2)}%`,
        formatUs(p.sendLag.p50Us),
        formatUs(p.sendLag.p99Us),
        formatUs(s.overall.latency.p50Us),
        formatUs(s.overall.latency.p99Us),
        formatUs(w.percentilesUs.p50 ?? NaN),
        formatUs(w.percentilesUs.p99 ?? NaN),
      ]);
      for (const warning of s.warnings) console.log(`  ${rate}/s warning: ${warning}`);
    }
    console.log(open.toString());
    if (process.argv.includes('--soak')) await soak(cleanup, url);
    console.log(`load average at end: ${formatLoadAvg(readLoadAvg())}`);
  } finally {
    await cleanup.runAll();
  }
}

await main();
