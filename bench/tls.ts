/**
 * hopscope's HTTP/1.1 engine over TLS against its peers, in ONE run against the same nginx (one worker, a
 * small fixed JSON body, loopback, a CA made with openssl), tools alternating round by round, 3 rounds:
 *   - closed loop, 50 connections, plain HTTP: hopscope vs wrk -t1 (and vs an older hopscope build given
 *     with --baseline ROOT, to see a change's cost per response, e.g. the parser's);
 *   - the same over TLS (keep-alive): hopscope vs wrk -t1 and oha (target: hopscope >= 0.6x wrk);
 *   - handshakes per second: the same TLS server closing after every response (keepalive_requests 1), so
 *     each request is a new connection; hopscope and oha resume TLS sessions, wrk does full handshakes.
 * Prints figures and ratios; asserts nothing.
 *
 *   npm run build && npm run bench:build && flock /tmp/hopscope-bench.lock node dist-bench/bench/tls.js [--rounds 3] [--duration 5] [--baseline ROOT]
 */

import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import Table from 'cli-table3';
import { Cleanup } from './lib/cleanup.js';
import { REPO_ROOT } from './lib/hopscope.js';
import { formatLoadAvg, readLoadAvg } from './lib/loadavg.js';
import { SMALL_JSON_BODY, startNginx } from './lib/nginx.js';
import { makePki } from './lib/pki.js';
import { freePort, run } from './lib/proc.js';
import { formatRps, rotate } from './lib/util.js';
import { runWrk } from './lib/wrk.js';

const CONNECTIONS = 50;
const OHA = join(homedir(), '.cargo/bin/oha');

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

interface Figures {
  rps: number;
  /** Connections opened per second (handshakes, over TLS), when the tool reports it. */
  connectionsPerS?: number;
}

/** A closed-loop run of the hopscope CLI under `root`; figures from its summary.json. */
async function hopscope(cleanup: Cleanup, root: string, url: string, extra: string[], durationS: number): Promise<Figures> {
  const out = mkdtempSync(join(tmpdir(), 'hopscope-bench-tls-'));
  try {
    const args = [join(root, 'dist/cli/main.js'), 'run', '--target', url, '--connections', String(CONNECTIONS), '--duration', `${durationS}s`, '--json', '--quiet', '--out', out, ...extra];
    const r = await run(process.execPath, args, { cwd: root, timeoutMs: durationS * 1000 + 60_000, killSignal: 'SIGINT', cleanup });
    const s = JSON.parse(r.stdout) as { phases: { achievedRps: number; durationMs: number }[]; connections?: { opened: number } };
    const phase = s.phases[0]!;
    return { rps: phase.achievedRps, ...(s.connections ? { connectionsPerS: s.connections.opened / (phase.durationMs / 1000) } : {}) };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

async function oha(cleanup: Cleanup, url: string, durationS: number, extra: string[] = []): Promise<Figures> {
  const r = await run(OHA, ['-z', `${durationS}s`, '-c', String(CONNECTIONS), '--no-tui', '--output-format', 'json', '--insecure', ...extra, url], { timeoutMs: durationS * 1000 + 30_000, cleanup });
  const s = JSON.parse(r.stdout) as { summary: { requestsPerSec: number } };
  return { rps: s.summary.requestsPerSec };
}

type Tools = Record<string, () => Promise<Figures>>;

async function rounds(label: string, tools: Tools, count: number): Promise<Record<string, Figures[]>> {
  const results: Record<string, Figures[]> = Object.fromEntries(Object.keys(tools).map((k) => [k, []]));
  const names = Object.keys(tools);
  for (let round = 0; round < count; round++) {
    // Rotated each round, so that no tool always runs first (or last) on a warm or cold machine.
    for (const name of rotate(names, round)) {
      results[name]!.push(await tools[name]!());
      process.stderr.write(`${label} round ${round + 1}: ${name} ${formatRps(results[name]!.at(-1)!.rps)} req/s\n`);
    }
  }
  return results;
}

function print(title: string, results: Record<string, Figures[]>, reference: string, count: number, target?: { against: string; ratio: number }): void {
  const best = (name: string) => Math.max(...results[name]!.map((f) => f.rps));
  const t = new Table({ head: [title, ...Array.from({ length: count }, (_, i) => `round ${i + 1}`), 'best', `${reference} / this`] });
  for (const [name, figures] of Object.entries(results)) {
    t.push([name, ...figures.map((f) => formatRps(f.rps)), formatRps(best(name)), (best(reference) / best(name)).toFixed(2)]);
  }
  console.log(t.toString());
  if (target) {
    const ratio = best(reference) / best(target.against);
    console.log(`target ${reference} >= ${target.ratio}x ${target.against}: ${ratio.toFixed(2)}x, ${ratio >= target.ratio ? 'met' : 'NOT met'}`);
  }
}

async function main(): Promise<void> {
  const count = Number(arg('--rounds') ?? 3);
  const durationS = Number(arg('--duration') ?? 5);
  const baseline = arg('--baseline');
  if (baseline && !existsSync(join(baseline, 'dist/cli/main.js'))) throw new Error(`--baseline ${baseline}: no dist/cli/main.js there (build it first)`);
  const cleanup = new Cleanup();
  const removeHandlers = cleanup.installSignalHandlers();
  const pkiDir = mkdtempSync(join(tmpdir(), 'hopscope-bench-pki-'));
  cleanup.add('PKI folder', () => rmSync(pkiDir, { recursive: true, force: true }));
  try {
    console.log(`load average at start: ${formatLoadAvg(readLoadAvg())}`);
    const pki = makePki(pkiDir);
    const [plainPort, tlsPort, closePort, closeTlsPort] = [await freePort(18900), await freePort(18900), await freePort(18900), await freePort(18900)];
    const nginx = await startNginx({ port: plainPort, body: SMALL_JSON_BODY, tls: { port: tlsPort, cert: pki.serverCert, key: pki.serverKey }, cleanup });
    await startNginx({ port: closePort, body: SMALL_JSON_BODY, keepaliveRequests: 1, tls: { port: closeTlsPort, cert: pki.serverCert, key: pki.serverKey }, cleanup });
    console.log(`${nginx.version}, 1 worker; ${CONNECTIONS} connections; ${durationS} s per run; ${count} rounds, order rotated; best of the rounds compared`);
    const plain = `http://127.0.0.1:${plainPort}/`;
    const https = `https://127.0.0.1:${tlsPort}/`;
    const handshakes = `https://127.0.0.1:${closeTlsPort}/`;
    const ca = ['--ca', pki.caCert];
    const haveOha = existsSync(OHA);

    const plainTools: Tools = {
      hopscope: () => hopscope(cleanup, REPO_ROOT, plain, [], durationS),
      ...(baseline ? { 'hopscope (baseline)': () => hopscope(cleanup, baseline, plain, [], durationS) } : {}),
      'wrk -t1': async () => ({ rps: (await runWrk({ url: plain, threads: 1, connections: CONNECTIONS, durationS, cleanup })).requestsPerSec }),
    };
    print('closed loop, plain HTTP', await rounds('plain', plainTools, count), 'hopscope', count);

    const tlsTools: Tools = {
      hopscope: () => hopscope(cleanup, REPO_ROOT, https, ca, durationS),
      'wrk -t1': async () => ({ rps: (await runWrk({ url: https, threads: 1, connections: CONNECTIONS, durationS, cleanup })).requestsPerSec }),
      ...(haveOha ? { oha: () => oha(cleanup, https, durationS) } : {}),
    };
    print('closed loop, TLS keep-alive', await rounds('tls', tlsTools, count), 'hopscope', count, { against: 'wrk -t1', ratio: 0.6 });

    const handshakeTools: Tools = {
      hopscope: () => hopscope(cleanup, REPO_ROOT, handshakes, ca, durationS),
      'wrk -t1': async () => ({ rps: (await runWrk({ url: handshakes, threads: 1, connections: CONNECTIONS, durationS, cleanup })).requestsPerSec }),
      ...(haveOha ? { 'oha --disable-keepalive': () => oha(cleanup, handshakes, durationS, ['--disable-keepalive']) } : {}),
    };
    const hs = await rounds('handshakes', handshakeTools, count);
    print('new TLS connection per request (req/s = handshakes/s)', hs, 'hopscope', count);
    const opened = hs.hopscope!.map((f) => formatRps(f.connectionsPerS ?? NaN)).join(', ');
    console.log(`hopscope connections opened per second, by round: ${opened} (each a TLS handshake, resumed where the server allows)`);
    if (!haveOha) console.log(`oha not found at ${OHA}: its rows are left out`);
    console.log(`load average at end: ${formatLoadAvg(readLoadAvg())}`);
  } finally {
    await cleanup.runAll();
    removeHandlers();
  }
}

await main();
