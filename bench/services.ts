/**
 * The two reference services against nginx, on loopback, in one run:
 *
 *   npm run build && npm run bench:build && node dist-bench/bench/services.js [--quick] [--no-wait]
 *
 * - max throughput (wrk -t1 -c50 -d10s, best of 3 rounds, targets alternating, the order rotated each
 *   round) of nginx answering a fixed JSON body (the reference), fastjson-api `POST /v1/orders`,
 *   `POST /bench/json` on both services (bench.json and bench-large.json), and a cache hit on the Go service;
 * - p99 at half of each target's max rate, open loop, with hopscope's own engine (dist/cli/main.js);
 * - image size and container start-to-ready time (`docker run` to the first 200 from /healthz, 5 times).
 *
 * Figures are printed (and, for a full run, written to bench/results/services.txt); nothing is asserted.
 * All load goes to 127.0.0.1; every process, container, image and temp folder started here is removed at
 * the end, on error and on Ctrl-C. Before measuring it waits (up to 20 min) for the 1-minute load
 * average to drop below 1.0, since the machine is shared.
 *
 *   --quick    1 round of 2 s, 2 s open loop, 2 container starts, no wait, no results file (a smoke test)
 *   --no-wait  do not wait for a quiet machine
 */

import Table from 'cli-table3';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Cleanup } from './lib/cleanup.js';
import { buildImage, HOPSCOPE_LABEL, imageSize, startToReady } from './lib/docker.js';
import { CLI_PATH, openLoopArgs, REPO_ROOT, runOpenLoop, type OpenLoopResult } from './lib/hopscope.js';
import { httpRequest } from './lib/http.js';
import { formatLoadAvg, readLoadAvg, waitForQuiet, type LoadAvg } from './lib/loadavg.js';
import { startNginx } from './lib/nginx.js';
import { freePort, readRss, run, runOk, startService, type Rss, type Service } from './lib/proc.js';
import { formatBytes, formatRps, formatUs, maxOf, median, rotate, sleep } from './lib/util.js';
import { runWrk, wrkArgs, writeWrkScript, type WrkResult } from './lib/wrk.js';

const COMMAND = 'npm run build && npm run bench:build && node dist-bench/bench/services.js';
const RESULTS_FILE = join(REPO_ROOT, 'bench/results/services.txt');
const API_DIR = join(REPO_ROOT, 'reference-services/fastjson-api');
const CACHE_DIR = join(REPO_ROOT, 'reference-services/rust-cache-server');
const PAYLOADS = join(REPO_ROOT, 'scenarios/payloads');
const API_KEY = 'dev-key';
const CACHE_KEY = 'bench-hit';

const QUICK = process.argv.includes('--quick');
const NO_WAIT = QUICK || process.argv.includes('--no-wait');
const ROUNDS = QUICK ? 1 : 3;
const WRK = { threads: 1, connections: 50, durationS: QUICK ? 2 : 10 };
const OPEN = { connections: 64, durationS: QUICK ? 2 : 10 };
const STARTS = QUICK ? 2 : 5;
const POLL_MS = 2;
const QUIET = { below: 1.0, pollMs: 30_000, maxWaitMs: 20 * 60_000 };
/** Targets of the issue. */
const GOAL = { ordersVsNginx: 0.5, ordersP99Us: 1000, cacheHitVsNginx: 0.4 };
/** A rate the generator sustains easily: the orders p99 here tells the service's tail from the generator's. */
const LOW_RATE = 5_000;

type Who = 'nginx' | 'api' | 'cache';

interface Target {
  id: string;
  label: string;
  who: Who;
  path: string;
  method: 'GET' | 'POST';
  body?: string;
  headers: Record<string, string>;
}

interface TargetResult {
  target: Target;
  rounds: WrkResult[];
  best: number;
  open?: OpenLoopResult;
  openRate?: number;
  openError?: string;
}

const progress = (line: string) => process.stderr.write(`[bench] ${line}\n`);
const payload = (name: string) => readFileSync(join(PAYLOADS, name), 'utf8').replace(/\n+$/, '');

async function main(cleanup: Cleanup): Promise<void> {
  const startedAt = new Date();
  const t0 = performance.now();
  const loadAtStart = readLoadAvg();
  progress(`load average at start: ${formatLoadAvg(loadAtStart)}`);
  const work = mkdtempSync(join(tmpdir(), 'hopscope-bench-services-'));
  cleanup.add(`temp folder ${work}`, () => rmSync(work, { recursive: true, force: true }));

  // --- prerequisites and builds (before the quiet-machine wait: they load the machine themselves) ---
  if (!existsSync(CLI_PATH)) throw new Error('dist/cli/main.js is missing: run `npm run build` first');
  const gitRev = (await run('git', ['rev-parse', '--short', 'HEAD'], { cwd: REPO_ROOT, timeoutMs: 10_000 })).stdout.trim() || 'unknown';
  const dirty = (await run('git', ['status', '--porcelain', '--', 'reference-services'], { cwd: REPO_ROOT, timeoutMs: 10_000 })).stdout.trim() !== '';

  progress('building fastjson-api (static, release)');
  await runOk('cargo', ['build', '--release', '--target', 'x86_64-unknown-linux-gnu'], {
    cwd: API_DIR,
    env: { ...process.env, RUSTFLAGS: '-C target-feature=+crt-static' },
    timeoutMs: 8 * 60_000,
    cleanup,
  });
  // A private copy: other sessions may rebuild the target folder while this bench runs.
  const apiBin = join(work, 'fastjson-api');
  copyFileSync(join(API_DIR, 'target/x86_64-unknown-linux-gnu/release/fastjson-api'), apiBin);
  progress('building rust-cache-server (Go, static)');
  const cacheBin = join(work, 'rust-cache-server');
  await runOk('go', ['build', '-trimpath', '-ldflags=-s -w', '-o', cacheBin, '.'], {
    cwd: CACHE_DIR,
    env: { ...process.env, CGO_ENABLED: '0' },
    timeoutMs: 5 * 60_000,
    cleanup,
  });

  const dockerOk = (await run('docker', ['info'], { timeoutMs: 30_000 })).code === 0;
  const runId = `${process.pid}-${Date.now().toString(36)}`;
  const images = [
    { name: 'fastjson-api', bin: apiBin, dockerfile: join(API_DIR, 'Dockerfile'), tag: `hopscope-bench/fastjson-api:services-${runId}` },
    { name: 'rust-cache-server', bin: cacheBin, dockerfile: join(CACHE_DIR, 'Dockerfile'), tag: `hopscope-bench/rust-cache-server:services-${runId}` },
  ];
  const imageSizes = new Map<string, number>();
  if (dockerOk) {
    for (const img of images) {
      progress(`docker build ${img.tag}`);
      await buildImage({ tag: img.tag, dockerfile: img.dockerfile, files: [img.bin], labels: [HOPSCOPE_LABEL], cleanup });
      imageSizes.set(img.name, await imageSize(img.tag));
    }
  } else {
    progress('docker info failed: no image figures (start an engine with `bash scripts/docker-engine.sh`)');
  }

  // --- wait for a quiet machine ---
  let quietNote: string;
  if (NO_WAIT) {
    quietNote = 'no wait for a quiet machine (--no-wait/--quick)';
  } else {
    const wait = await waitForQuiet({ ...QUIET, log: progress });
    const last = wait.samples.at(-1)!;
    quietNote = wait.quiet
      ? `waited ${Math.round(wait.waitedMs / 1000)} s for the 1-minute load average to drop below ${QUIET.below} (${last.one.toFixed(2)})`
      : `the 1-minute load average stayed at or above ${QUIET.below} for ${Math.round(wait.waitedMs / 60_000)} min (last ${last.one.toFixed(2)}): measured anyway`;
    progress(quietNote);
  }
  const loadAtMeasure = readLoadAvg();
  const measureStart = performance.now();

  // --- containers: start-to-ready ---
  const startTimes = new Map<string, number[]>();
  if (dockerOk) {
    for (let i = 0; i < STARTS; i++) {
      for (const img of i % 2 === 0 ? images : [...images].reverse()) {
        const port = await freePort();
        const ms = await startToReady({
          image: img.tag,
          name: `hopscope-bench-${runId}-${img.name}-${i}`,
          args: ['--port', String(port)],
          readyUrl: `http://127.0.0.1:${port}/healthz`,
          intervalMs: POLL_MS,
          labels: [HOPSCOPE_LABEL],
          cleanup,
        });
        startTimes.set(img.name, [...(startTimes.get(img.name) ?? []), ms]);
        progress(`${img.name} container ${i + 1}/${STARTS}: ready after ${ms.toFixed(1)} ms`);
        await sleep(300);
      }
    }
    for (const img of images) await run('docker', ['rmi', '-f', img.tag], { timeoutMs: 60_000 });
  }

  const loadAfterDocker = readLoadAvg();

  // --- the services as processes, and nginx ---
  const apiPort = await freePort();
  const apiSvc = await startService({ name: 'fastjson-api', bin: apiBin, args: ['--port', String(apiPort)], port: apiPort, readyPath: '/healthz', cleanup });
  const cachePort = await freePort();
  const cacheSvc = await startService({
    name: 'rust-cache-server',
    bin: cacheBin,
    // No expiry: the hit must stay a hit for the whole bench (default TTL is 60 s).
    args: ['--port', String(cachePort), '--default-ttl-ms', '0'],
    port: cachePort,
    readyPath: '/healthz',
    cleanup,
  });

  const order = payload('order.json');
  const orderHeaders = { 'content-type': 'application/json', 'x-api-key': API_KEY };
  // The reference body: fastjson-api's own answer to the order, served by nginx and stored in the cache.
  const orderAnswer = await httpRequest(`${apiSvc.url}/v1/orders`, { method: 'POST', headers: orderHeaders, body: order });
  if (orderAnswer.status !== 200) throw new Error(`POST /v1/orders answered ${orderAnswer.status}: ${orderAnswer.body}`);
  const fixedBody = orderAnswer.body;
  const put = await httpRequest(`${cacheSvc.url}/cache/${CACHE_KEY}`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: fixedBody });
  if (put.status !== 204) throw new Error(`PUT /cache/${CACHE_KEY} answered ${put.status}: ${put.body}`);
  const nginxPort = await freePort();
  const nginx = await startNginx({ port: nginxPort, body: fixedBody, workers: 1, cleanup });

  const json = { 'content-type': 'application/json' };
  const bench = payload('bench.json');
  const benchLarge = payload('bench-large.json');
  const targets: Target[] = [
    { id: 'nginx', label: `nginx return 200 (${fixedBody.length} B JSON)`, who: 'nginx', path: '/', method: 'GET', headers: {} },
    { id: 'orders', label: 'fastjson-api POST /v1/orders', who: 'api', path: '/v1/orders', method: 'POST', body: order, headers: orderHeaders },
    { id: 'api-bench', label: 'fastjson-api POST /bench/json', who: 'api', path: '/bench/json', method: 'POST', body: bench, headers: json },
    { id: 'cache-bench', label: 'Go cache POST /bench/json', who: 'cache', path: '/bench/json', method: 'POST', body: bench, headers: json },
    { id: 'api-bench-large', label: 'fastjson-api POST /bench/json large', who: 'api', path: '/bench/json', method: 'POST', body: benchLarge, headers: json },
    { id: 'cache-bench-large', label: 'Go cache POST /bench/json large', who: 'cache', path: '/bench/json', method: 'POST', body: benchLarge, headers: json },
    { id: 'cache-hit', label: `Go cache GET /cache/{key} hit (${fixedBody.length} B)`, who: 'cache', path: `/cache/${CACHE_KEY}`, method: 'GET', headers: {} },
  ];
  const base: Record<Who, Service> = { nginx, api: apiSvc, cache: cacheSvc };
  const urlOf = (t: Target) => `${base[t.who].url}${t.path}`;

  // Every target must answer 200 before it is measured: otherwise the figures would time an error path.
  for (const t of targets) {
    const a = await httpRequest(urlOf(t), { method: t.method, headers: t.headers, body: t.body });
    if (a.status !== 200) throw new Error(`${t.label}: answered ${a.status} (${a.body.slice(0, 200)})`);
  }
  const scripts = new Map<string, string>();
  for (const t of targets) {
    if (t.method !== 'GET' || t.body !== undefined) scripts.set(t.id, writeWrkScript(join(work, `${t.id}.lua`), { method: t.method, headers: t.headers, body: t.body }));
  }

  // --- max throughput: rounds, alternating targets ---
  const results = new Map<string, TargetResult>(targets.map((t) => [t.id, { target: t, rounds: [], best: 0 }]));
  const perRound: Map<string, number>[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const rates = new Map<string, number>();
    for (const t of rotate(targets, round * 3)) {
      const r = await runWrk({ url: urlOf(t), ...WRK, script: scripts.get(t.id), latency: true, cleanup });
      const res = results.get(t.id)!;
      res.rounds.push(r);
      res.best = Math.max(res.best, r.requestsPerSec);
      rates.set(t.id, r.requestsPerSec);
      progress(`round ${round + 1}/${ROUNDS} ${t.label}: ${formatRps(r.requestsPerSec)} req/s${r.non2xx ? `, ${r.non2xx} non-2xx` : ''}`);
      await sleep(500);
    }
    perRound.push(rates);
  }

  const loadAfterWrk = readLoadAvg();

  // --- p99 at half the max rate, open loop (hopscope) ---
  for (const t of targets) {
    const res = results.get(t.id)!;
    res.openRate = Math.round(res.best / 2);
    try {
      res.open = await runOpenLoop({ root: REPO_ROOT, url: urlOf(t), rate: res.openRate, ...OPEN, method: t.method, body: t.body, headers: t.headers, cleanup });
      progress(`open loop ${t.label} at ${formatRps(res.openRate)}/s: p99 ${formatUs(res.open.p99Us)}, achieved ${formatRps(res.open.achievedRps)}/s`);
    } catch (err) {
      res.openError = err instanceof Error ? err.message : String(err);
      progress(`open loop ${t.label}: ${res.openError}`);
    }
    await sleep(500);
  }

  // Supplementary: orders at a low rate, where the generator's own lag is small.
  let ordersLow: OpenLoopResult | undefined;
  {
    const t = targets.find((x) => x.id === 'orders')!;
    try {
      ordersLow = await runOpenLoop({ root: REPO_ROOT, url: urlOf(t), rate: LOW_RATE, ...OPEN, method: t.method, body: t.body, headers: t.headers, cleanup });
      progress(`open loop ${t.label} at ${formatRps(LOW_RATE)}/s: p99 ${formatUs(ordersLow.p99Us)}`);
    } catch (err) {
      progress(`open loop ${t.label} at ${formatRps(LOW_RATE)}/s: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  const rss: Record<string, Rss | undefined> = { 'fastjson-api': readRss(apiSvc.pid), 'rust-cache-server': readRss(cacheSvc.pid) };
  await nginx.stop();
  await apiSvc.stop();
  await cacheSvc.stop();
  const loadAtEnd = readLoadAvg();
  const measureS = (performance.now() - measureStart) / 1000;
  const totalS = (performance.now() - t0) / 1000;

  const report = render({
    startedAt,
    gitRev,
    dirty,
    loads: { start: loadAtStart, measure: loadAtMeasure, afterDocker: loadAfterDocker, afterWrk: loadAfterWrk, end: loadAtEnd },
    quietNote,
    nginxVersion: nginx.version,
    results,
    perRound,
    ordersLow,
    imageSizes,
    binSizes: new Map(images.map((i) => [i.name, statSync(i.bin).size])),
    startTimes,
    dockerOk,
    rss,
    measureS,
    totalS,
    openExample: openLoopArgs({ root: '.', url: urlOf(targets[1]!), rate: results.get('orders')!.openRate ?? 0, ...OPEN, method: 'POST', body: '$(cat scenarios/payloads/order.json)', headers: orderHeaders }, '$TMP/run'),
  });
  process.stdout.write(report);
  if (QUICK) {
    progress(`--quick: ${RESULTS_FILE} left as it was`);
  } else {
    mkdirSync(dirname(RESULTS_FILE), { recursive: true });
    writeFileSync(RESULTS_FILE, report);
    progress(`written to ${RESULTS_FILE}`);
  }
}

interface RenderInput {
  startedAt: Date;
  gitRev: string;
  dirty: boolean;
  loads: { start: LoadAvg; measure: LoadAvg; afterDocker: LoadAvg; afterWrk: LoadAvg; end: LoadAvg };
  quietNote: string;
  nginxVersion: string;
  results: Map<string, TargetResult>;
  perRound: Map<string, number>[];
  ordersLow: OpenLoopResult | undefined;
  imageSizes: Map<string, number>;
  binSizes: Map<string, number>;
  startTimes: Map<string, number[]>;
  dockerOk: boolean;
  rss: Record<string, Rss | undefined>;
  measureS: number;
  totalS: number;
  openExample: string[];
}

const fmtLoad = (l: LoadAvg) => `${l.one.toFixed(2)} ${l.five.toFixed(2)} ${l.fifteen.toFixed(2)}`;
const plain = { head: [] as string[], border: [] as string[] };
const shellQuote = (s: string) => (/^[\w./:=@%+-]+$/.test(s) ? s : s.startsWith('$') ? `"${s}"` : `'${s.replace(/'/g, "'\\''")}'`);

function render(r: RenderInput): string {
  const out: string[] = [];
  const nginx = r.results.get('nginx')!;
  const ratioOf = (id: string) => r.results.get(id)!.best / nginx.best;
  const roundRatios = (id: string) => r.perRound.map((m) => (m.get(id) ?? NaN) / (m.get('nginx') ?? NaN));

  out.push(`command: ${COMMAND}${QUICK ? ' --quick' : ''}`);
  out.push(`date: ${r.startedAt.toISOString()}   commit: ${r.gitRev}${r.dirty ? ' (reference-services has uncommitted changes)' : ''}`);
  out.push(`machine: ${cpus().length} x ${cpus()[0]?.model ?? '?'}, shared with other sessions; ${r.nginxVersion} (Debian nginx-light), wrk 4.1.0 (Debian)`);
  const l = r.loads;
  out.push(
    `load average (1/5/15 min): start ${fmtLoad(l.start)}; measuring from ${fmtLoad(l.measure)}; after containers ${fmtLoad(l.afterDocker)}; after wrk ${fmtLoad(l.afterWrk)}; end ${fmtLoad(l.end)}`,
  );
  out.push(`  ${r.quietNote}; the bench itself keeps both cores busy, so the end figure includes its own load`);
  out.push(
    `throughput: wrk ${wrkArgs({ ...WRK, script: '<post.lua>', url: 'URL' }).join(' ')} (no -s for GETs), ${ROUNDS} round(s), targets alternating (order rotated each round), best round kept;`,
  );
  out.push(`  "x nginx" = best / nginx's best (in brackets: the same ratio round by round). Services run as processes on 127.0.0.1 (default flags; the Go cache with --default-ttl-ms 0);`);
  out.push(`  nginx: 1 worker, access_log off, keepalive_requests 10000000, return 200 with fastjson-api's answer to order.json (the same bytes the cache hit serves).`);
  out.push(`p99 at half rate: hopscope open loop, constant arrivals, ${OPEN.connections} connections, ${OPEN.durationS} s, rate = best/2, one run per target:`);
  out.push(`  ${r.openExample.map(shellQuote).join(' ')}`);
  out.push('');

  const t = new Table({
    head: ['target', 'req/s (best)', 'rounds', 'x nginx', 'half rate: asked / got', 'p50', 'p99', 'p99.9', 'send lag p99', 'non-2xx / errors'],
    style: plain,
    colAligns: ['left', 'right', 'left', 'left', 'right', 'right', 'right', 'right', 'right', 'right'],
  });
  for (const res of r.results.values()) {
    const id = res.target.id;
    const ratios = roundRatios(id);
    const o = res.open;
    const non2xx = res.rounds.reduce((n, w) => n + w.non2xx + w.socketErrors.connect + w.socketErrors.read + w.socketErrors.write + w.socketErrors.timeout, 0);
    t.push([
      res.target.label,
      formatRps(res.best),
      res.rounds.map((w) => formatRps(w.requestsPerSec)).join(' / '),
      id === 'nginx' ? '1.00' : `${ratioOf(id).toFixed(2)} (${ratios.map((x) => x.toFixed(2)).join(' ')})`,
      o ? `${formatRps(res.openRate ?? NaN)} / ${formatRps(o.achievedRps)}` : 'failed',
      o ? formatUs(o.p50Us) : '-',
      o ? formatUs(o.p99Us) : '-',
      o ? formatUs(o.p999Us) : '-',
      o ? formatUs(o.sendLagP99Us) : '-',
      `${non2xx} / ${o ? o.errors : '-'}`,
    ]);
  }
  out.push(t.toString());
  out.push('"large" = scenarios/payloads/bench-large.json (3.9 kB, 60 items); the others: bench.json, order.json.');
  out.push('"send lag p99": how late requests left against their schedule (generator CPU, event loop, no free connection); when it is');
  out.push('  close to p99, the p99 is the generator\'s, not the target\'s (hopscope and the target share the 2 cores).');
  const low = r.ordersLow;
  out.push(
    low
      ? `generator check: fastjson-api POST /v1/orders at ${formatRps(LOW_RATE)}/s (same command, --rate ${LOW_RATE}): achieved ${formatRps(low.achievedRps)}/s, p50 ${formatUs(low.p50Us)}, p99 ${formatUs(low.p99Us)}, p99.9 ${formatUs(low.p999Us)}, send lag p99 ${formatUs(low.sendLagP99Us)}, errors ${low.errors}.`
      : `generator check at ${formatRps(LOW_RATE)}/s: failed.`,
  );
  out.push('');

  if (r.dockerOk) {
    const d = new Table({
      head: ['image (FROM scratch, static binary)', 'binary', 'image size', `start-to-ready median (${STARTS} runs)`, 'max', 'all runs (ms)'],
      style: plain,
      colAligns: ['left', 'right', 'right', 'right', 'right', 'left'],
    });
    for (const [name, size] of r.imageSizes) {
      const times = r.startTimes.get(name) ?? [];
      d.push([name, formatBytes(r.binSizes.get(name) ?? NaN), formatBytes(size), `${median(times).toFixed(1)} ms`, `${maxOf(times).toFixed(1)} ms`, times.map((x) => x.toFixed(0)).join(' ')]);
    }
    out.push(d.toString());
    out.push(`start-to-ready: from spawning \`docker run -d --network host --label ${HOPSCOPE_LABEL} IMAGE --port P\` to the first 200 from /healthz, polled every ${POLL_MS} ms.`);
  } else {
    out.push('images: not measured (docker info failed; start an engine with `bash scripts/docker-engine.sh`).');
  }
  const mb = (x: Rss | undefined) => (x ? `${(x.peakKb / 1024).toFixed(1)} MiB` : '?');
  out.push(`peak RSS after the load (VmHWM): fastjson-api ${mb(r.rss['fastjson-api'])}, rust-cache-server ${mb(r.rss['rust-cache-server'])}.`);
  out.push('');

  const orders = r.results.get('orders')!;
  const hit = r.results.get('cache-hit')!;
  const met = (ok: boolean) => (ok ? 'MET' : 'NOT MET');
  out.push('targets (issue):');
  out.push(`  fastjson-api POST /v1/orders >= ${GOAL.ordersVsNginx}x nginx: ${ratioOf('orders').toFixed(2)}x -> ${met(ratioOf('orders') >= GOAL.ordersVsNginx)}`);
  const o = orders.open;
  const shortfall = o && o.achievedRps < 0.99 * (orders.openRate ?? 0) ? ` (the generator reached only ${formatRps(o.achievedRps)}/s of ${formatRps(orders.openRate ?? 0)}/s)` : '';
  const lagBound = o && o.sendLagP99Us >= 0.5 * o.p99Us ? ` (send lag p99 ${formatUs(o.sendLagP99Us)}: bounded by the generator, not a figure of the service)` : '';
  out.push(
    `  fastjson-api POST /v1/orders p99 < 1 ms at half its max (${formatRps(orders.openRate ?? NaN)}/s): ${o ? formatUs(o.p99Us) : 'not measured'}${shortfall}${lagBound} -> ${o ? met(o.p99Us < GOAL.ordersP99Us && !shortfall) : 'NOT MEASURED'}`,
  );
  if (r.ordersLow) out.push(`    (at ${formatRps(LOW_RATE)}/s, the generator check: p99 ${formatUs(r.ordersLow.p99Us)})`);
  out.push(`  Go cache GET hit >= ${GOAL.cacheHitVsNginx}x nginx: ${ratioOf('cache-hit').toFixed(2)}x -> ${met(ratioOf('cache-hit') >= GOAL.cacheHitVsNginx)}`);
  const warnings = [...r.results.values()].flatMap((res) => [
    ...(res.open && res.open.errors > 0 ? [`${res.target.label}: open-loop errors: ${Object.entries(res.open.errorsByKind).map(([k, n]) => `${k} ${n}`).join(', ')}`] : []),
    ...(res.open?.warnings ?? []).map((w) => `${res.target.label}: ${w}`),
    ...(res.openError ? [`${res.target.label}: open loop failed: ${res.openError.split('\n')[0]}`] : []),
  ]);
  if (warnings.length) {
    out.push('');
    out.push('hopscope errors and warnings (open loop):');
    for (const w of warnings) out.push(`  ${w}`);
  }
  out.push('');
  out.push(`measuring took ${Math.round(r.measureS)} s; the whole bench (builds and wait included) ${Math.round(r.totalS)} s.`);
  return `${out.join('\n')}\n`;
}

const cleanup = new Cleanup((line) => progress(line));
const removeHandlers = cleanup.installSignalHandlers();
try {
  await main(cleanup);
} catch (err) {
  progress(`failed: ${err instanceof Error ? err.stack ?? err.message : String(err)}`);
  process.exitCode = 1;
} finally {
  await cleanup.runAll();
  removeHandlers();
}
