/**
 * What a load generator costs the machine it measures: hopscope against oha, vegeta, k6, autocannon and wrk,
 * in ONE run against the same nginx (nginx-light, one worker, a small fixed JSON body, loopback), tools
 * alternating and their order rotated each round. CPU is user + system seconds of each tool's process tree
 * over its whole run (bench/lib/cpu.ts), so start-up and teardown count too.
 *   - open loop at each --rates (default 2000 and 20000 req/s), --seconds each (default 15), 64 connections:
 *     CPU ms per 1,000 responses, achieved rate, p50/p99, hopscope's send lag; ratios to oha from the same round;
 *     hopscope also once more with `--warm-up`: the targets are the plain row's (the peers have no warm-up),
 *     that row shows how much of its send lag and tail is the first seconds of a run (JIT, heap growth);
 *     and the node floor's open loop (bench/node-floor.ts: each request sent at its due time, nothing parsed
 *     or recorded, the engine's two sleeps a request and nothing else), what pacing alone costs on this host;
 *   - closed loop, 50 connections, 10 s: req/s and CPU per 1,000; ratios to oha and wrk -t1 from the same round,
 *     and to the node floor (bench/node-floor.ts: Node's own closed loop with nothing measured, this host's limit for any Node generator);
 *   - the coordinated-omission stall: nginx SIGSTOPped for 1 s at t=5 s of a 12 s run at 1,000 req/s;
 *   - a target with a tail (bench/lib/tail-server.ts: one answer in 50 held 5-25 ms), open loop at 1,500
 *     req/s for 10 s: the send lag of a generator that counts on the next answer to wake it, which nginx
 *     never shows; the latency each tool reads, and the CPU.
 * Prints figures and ratios; asserts nothing.
 *
 *   npm run build && npm run bench:build && node dist-bench/bench/generator-cost.js [--rounds 3] [--seconds 15] [--rates 2000,20000] [--only open,closed,stall,tail] [--wait-quiet 180]
 */

import Table from 'cli-table3';
import { Cleanup } from './lib/cleanup.js';
import { autocannon, hopscope, k6, nodeFloor, oha, vegeta, wrk, type Generator, type Load, type Measured } from './lib/generators.js';
import { unsetSandboxCa } from './lib/cpu.js';
import { formatLoadAvg, readLoadAvg, waitForQuiet } from './lib/loadavg.js';
import { nginxPids, SMALL_JSON_BODY, startNginx, type Nginx } from './lib/nginx.js';
import { freePort } from './lib/proc.js';
import { HELD_MAX_MS, HELD_MIN_MS, startTailServer } from './lib/tail-server.js';
import { arg, formatRps, formatUs, median, rotate, sleep } from './lib/util.js';

const OPEN_CONNECTIONS = 64;
const CLOSED_CONNECTIONS = 50;
const OPEN_WARM_UP_S = 3;
const TAIL_RATE = 1500;
const TAIL_SECONDS = 10;
const TAIL_HELD_ONE_IN = 50;

const perThousand = (m: Measured) => (m.cpuS * 1e6) / m.responses;

type Rounds = Map<string, Measured[]>;

/** Runs every available tool once per round on `load`, order rotated each round. */
async function compare(tools: Generator[], load: Load, durationS: number, rounds: number, url: string, cleanup: Cleanup): Promise<Rounds> {
  const usable = tools.filter((t) => t.supports(load) && !t.missing);
  const results: Rounds = new Map(usable.map((t) => [t.name, []]));
  const label = load.model === 'open' ? `open ${formatRps(load.rateRps)}/s` : `closed x${load.connections}`;
  for (let round = 0; round < rounds; round++) {
    for (const tool of rotate(usable, round)) {
      const m = await tool.run({ url, load, durationS, openConnections: OPEN_CONNECTIONS, cleanup });
      results.get(tool.name)!.push(m);
      process.stderr.write(`${label} round ${round + 1}: ${tool.name} ${formatRps(m.rps)} req/s, ${m.cpuS.toFixed(2)} CPU-s, ${perThousand(m).toFixed(1)} CPU-ms/1k\n`);
      await sleep(1000);
    }
  }
  return results;
}

/** Median over rounds of hopscope's figure divided by the peer's figure in the same round. */
function ratio(results: Rounds, a: string, b: string, pick: (m: Measured) => number): number {
  const x = results.get(a);
  const y = results.get(b);
  if (!x?.length || !y?.length) return NaN;
  return median(x.map((m, i) => pick(m) / pick(y[i]!)));
}

function printTable(title: string, results: Rounds, peers: string[], pick: (m: Measured) => number, unit: string): void {
  const rounds = Math.max(...[...results.values()].map((v) => v.length));
  const head = [title, ...Array.from({ length: rounds }, (_, i) => `round ${i + 1}`), 'median', 'p50', 'p99', 'send lag p99', ...peers.map((p) => `hopscope / ${p}`)];
  const t = new Table({ head, style: { head: [], border: [] } });
  for (const [name, values] of results) {
    const ratios = name.startsWith('hopscope') ? peers.map((p) => ratio(results, name, p, pick).toFixed(2)) : peers.map(() => '');
    t.push([
      name,
      ...values.map((m) => `${pick(m).toFixed(1)} ${unit}`),
      `${median(values.map(pick)).toFixed(1)} ${unit}`,
      formatUs(median(values.map((m) => m.p50Us))),
      formatUs(median(values.map((m) => m.p99Us))),
      values[0]!.sendLagP99Us === undefined ? '' : formatUs(median(values.map((m) => m.sendLagP99Us!))),
      ...ratios,
    ]);
  }
  console.log(t.toString());
}

async function openLoop(rate: number, durationS: number, rounds: number, url: string, cleanup: Cleanup): Promise<void> {
  const tools = [hopscope(), hopscope(2), hopscope(1, OPEN_WARM_UP_S), oha(), vegeta(), k6(), nodeFloor()];
  const r = await compare(tools, { model: 'open', rateRps: rate }, durationS, rounds, url, cleanup);
  console.log(`\nopen loop, ${formatRps(rate)} req/s, ${durationS} s, ${OPEN_CONNECTIONS} connections: CPU ms per 1,000 responses (lower is better)`);
  printTable(`open ${formatRps(rate)}/s`, r, ['oha', 'vegeta', 'k6', 'node floor'], perThousand, 'ms');
  for (const [name, values] of r) {
    const achieved = median(values.map((m) => m.rps / rate - 1));
    console.log(`  ${name}: achieved ${(achieved * 100).toFixed(2)} % vs target (median), ${median(values.map((m) => m.cpuS)).toFixed(2)} CPU-s` +
      (values[0]!.summaryCpuMsPer1k === undefined
        ? ''
        : `; summary.json's generator CPU over the phase: ${median(values.map((m) => m.summaryCpuMsPer1k!)).toFixed(1)} ms per 1,000, ` +
          `outside it (start-up, the run folder, a --warm-up): ${median(values.map((m) => m.cpuS * 1000 - (m.summaryCpuMsPer1k! * m.responses) / 1000)).toFixed(0)} ms`));
  }
  console.log(`  hopscope --workers 2 / hopscope (CPU, same round, median): ${ratio(r, 'hopscope --workers 2', 'hopscope', (m) => m.cpuS).toFixed(2)}`);
}

async function closedLoop(rounds: number, url: string, cleanup: Cleanup): Promise<void> {
  const tools = [hopscope(), oha(), wrk(), autocannon(), k6(), vegeta(), nodeFloor()];
  const r = await compare(tools, { model: 'closed', connections: CLOSED_CONNECTIONS }, 10, rounds, url, cleanup);
  console.log(`\nclosed loop, ${CLOSED_CONNECTIONS} connections, 10 s: requests/s (higher is better)`);
  printTable(`closed x${CLOSED_CONNECTIONS}`, r, ['oha', 'wrk -t1', 'autocannon', 'node floor'], (m) => m.rps / 1000, 'k/s');
  console.log('closed loop: CPU ms per 1,000 responses (lower is better)');
  printTable(`closed x${CLOSED_CONNECTIONS}`, r, ['oha', 'wrk -t1'], perThousand, 'ms');
}

async function stall(rounds: number, url: string, nginx: Nginx, cleanup: Cleanup): Promise<void> {
  const tools = [hopscope(), vegeta(), oha()].filter((t) => !t.missing);
  const t = new Table({ style: { head: [], border: [] }, head: ['stall 1 s at t=5 s, 1,000 req/s, 12 s', ...Array.from({ length: rounds }, (_, i) => `p99 round ${i + 1}`), 'median p99'] });
  const results = new Map<string, number[]>(tools.map((tool) => [tool.name, []]));
  for (let round = 0; round < rounds; round++) {
    for (const tool of rotate(tools, round)) {
      const pids = nginxPids(nginx);
      const resume = () => pids.forEach((pid) => process.kill(pid, 'SIGCONT'));
      const unregister = cleanup.add('resume nginx', resume);
      const timers = [setTimeout(() => pids.forEach((pid) => process.kill(pid, 'SIGSTOP')), 5000), setTimeout(resume, 6000)];
      try {
        const m = await tool.run({ url, load: { model: 'open', rateRps: 1000 }, durationS: 12, openConnections: OPEN_CONNECTIONS, cleanup });
        results.get(tool.name)!.push(m.p99Us);
      } finally {
        timers.forEach(clearTimeout);
        resume();
        unregister();
      }
      await sleep(1000);
    }
  }
  for (const [name, values] of results) t.push([name, ...values.map(formatUs), formatUs(median(values))]);
  console.log('\ncoordinated omission: p99 when the server stalls for 1 s (a generator that hides the stall reads low)');
  console.log(t.toString());
}

async function tail(rounds: number, cleanup: Cleanup): Promise<void> {
  const server = await startTailServer(TAIL_HELD_ONE_IN, cleanup);
  const r = await compare([hopscope(), oha(), vegeta(), nodeFloor()], { model: 'open', rateRps: TAIL_RATE }, TAIL_SECONDS, rounds, server.url, cleanup);
  console.log(
    `\nopen loop against a target with a tail (one answer in ${TAIL_HELD_ONE_IN} held ${HELD_MIN_MS}-${HELD_MAX_MS} ms; ${server.held()} held over the runs), ` +
      `${formatRps(TAIL_RATE)} req/s, ${TAIL_SECONDS} s, ${OPEN_CONNECTIONS} connections: the send lag is the generator's own; CPU ms per 1,000 responses`,
  );
  printTable(`tail ${formatRps(TAIL_RATE)}/s`, r, ['oha', 'vegeta', 'node floor'], perThousand, 'ms');
}

async function main(): Promise<void> {
  const rounds = Number(arg('--rounds') ?? 3);
  const durationS = Number(arg('--seconds') ?? 15);
  const rates = (arg('--rates') ?? '2000,20000').split(',').map(Number);
  const only = new Set((arg('--only') ?? 'open,closed,stall,tail').split(','));
  const cleanup = new Cleanup();
  const removeHandlers = cleanup.installSignalHandlers();
  try {
    const waitS = Number(arg('--wait-quiet') ?? 180);
    const quiet = await waitForQuiet({ below: 1.0, pollMs: 15_000, maxWaitMs: waitS * 1000, log: (l) => process.stderr.write(`${l}\n`) });
    console.log(`load average at start: ${formatLoadAvg(readLoadAvg())}${quiet.quiet ? '' : ` (not below 1.0 within ${waitS} s: figures are noisier)`}`);
    const unsetCa = unsetSandboxCa();
    if (unsetCa) console.log(unsetCa);
    for (const tool of [oha(), vegeta(), k6(), autocannon(), wrk()]) if (tool.missing) console.log(`${tool.name} is not installed (${tool.missing}): skipped`);
    const port = await freePort(18900);
    const nginx = await startNginx({ port, body: SMALL_JSON_BODY, cleanup });
    const url = `http://127.0.0.1:${port}/`;
    // The CLI makes its V8 code cache at the end of its first `run` after a build (cli/start.cts), and that
    // run compiles everything: measured as a round's, it was hopscope's dearest of 5 (43.0 CPU-ms per 1,000
    // against 35.3-42.6).
    await hopscope().run({ url, load: { model: 'open', rateRps: 100 }, durationS: 1, openConnections: OPEN_CONNECTIONS, cleanup });
    console.log("hopscope: one unmeasured 1-s run first, which makes the CLI's code cache, as a user's first run does");
    if (only.has('open')) for (const rate of rates) await openLoop(rate, durationS, rounds, url, cleanup);
    if (only.has('closed')) await closedLoop(rounds, url, cleanup);
    if (only.has('stall')) await stall(rounds, url, nginx, cleanup);
    if (only.has('tail')) await tail(rounds, cleanup);
    console.log(`load average at end: ${formatLoadAvg(readLoadAvg())}`);
  } finally {
    await cleanup.runAll();
    removeHandlers();
  }
}

await main();
