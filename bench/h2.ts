/**
 * hopscope over HTTP/2 against h2load (Debian nghttp2-client), in ONE run against the same nginx (one
 * worker, TLS with ALPN h2, a small fixed JSON body, loopback), tools alternating round by round, 3 rounds,
 * closed loop at the same connections x streams: 10 x 1 and 10 x 10. Target: hopscope >= 0.3x `h2load -t1`
 * (stretch 0.5x). A minimal node:http2 client (bench/lib/h2-minimal.ts) runs beside them: the ceiling any
 * engine built on node:http2 has (hopscope's was, until its own framing replaced it on 2026-12-03). Prints
 * figures and ratios; asserts nothing.
 *
 *   npm run build && npm run bench:build && flock /tmp/hopscope-bench.lock node dist-bench/bench/h2.js [--rounds 3] [--duration 5]
 */

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Cleanup } from './lib/cleanup.js';
import { hopscopeClosedLoop, printRounds, runRounds, type Tools } from './lib/compare.js';
import { REPO_ROOT } from './lib/hopscope.js';
import { formatLoadAvg, readLoadAvg } from './lib/loadavg.js';
import { SMALL_JSON_BODY, startNginx } from './lib/nginx.js';
import { makePki } from './lib/pki.js';
import { freePort, run } from './lib/proc.js';
import { arg } from './lib/util.js';

const CONNECTIONS = 10;

async function h2load(cleanup: Cleanup, url: string, streams: number, durationS: number): Promise<{ rps: number }> {
  const r = await run('h2load', ['-t1', `-c${CONNECTIONS}`, `-m${streams}`, `-D${durationS}`, url], { timeoutMs: durationS * 1000 + 30_000, cleanup });
  const m = /finished in [\d.]+\w*, ([\d.]+) req\/s/.exec(r.stdout);
  if (!m) throw new Error(`h2load: no rate in its output: ${r.stdout.slice(-500)}`);
  return { rps: Number(m[1]) };
}

async function minimalClient(cleanup: Cleanup, url: string, streams: number, durationS: number): Promise<{ rps: number }> {
  const script = join(REPO_ROOT, 'dist-bench/bench/lib/h2-minimal.js');
  const r = await run(process.execPath, [script, url, String(CONNECTIONS), String(streams), String(durationS)], { timeoutMs: durationS * 1000 + 30_000, cleanup });
  return { rps: Number(r.stdout.trim()) };
}

async function main(): Promise<void> {
  const count = Number(arg('--rounds') ?? 3);
  const durationS = Number(arg('--duration') ?? 5);
  const cleanup = new Cleanup();
  const removeHandlers = cleanup.installSignalHandlers();
  const pkiDir = mkdtempSync(join(tmpdir(), 'hopscope-bench-pki-'));
  cleanup.add('PKI folder', () => rmSync(pkiDir, { recursive: true, force: true }));
  try {
    console.log(`load average at start: ${formatLoadAvg(readLoadAvg())}`);
    const pki = makePki(pkiDir);
    const port = await freePort(18900);
    const tlsPort = await freePort(18900);
    const nginx = await startNginx({ port, body: SMALL_JSON_BODY, tls: { port: tlsPort, cert: pki.serverCert, key: pki.serverKey }, cleanup });
    const url = `https://127.0.0.1:${tlsPort}/`;
    console.log(`${nginx.version}, 1 worker, TLS + h2; ${durationS} s per run; ${count} rounds, order rotated; best of the rounds compared`);
    for (const streams of [1, 10]) {
      const tools: Tools = {
        hopscope: () => hopscopeClosedLoop(cleanup, REPO_ROOT, url, CONNECTIONS, ['--http2', '--streams', String(streams), '--ca', pki.caCert], durationS),
        'h2load -t1': () => h2load(cleanup, url, streams, durationS),
        'node:http2 minimal': () => minimalClient(cleanup, url, streams, durationS),
      };
      const label = `h2 ${CONNECTIONS} x ${streams}`;
      printRounds(`closed loop, ${label} streams`, await runRounds(label, tools, count), 'hopscope', count, { against: 'h2load -t1', ratio: 0.3 });
    }
    console.log(`load average at end: ${formatLoadAvg(readLoadAvg())}`);
  } finally {
    await cleanup.runAll();
    removeHandlers();
  }
}

await main();
