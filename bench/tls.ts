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
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Cleanup } from './lib/cleanup.js';
import { hopscopeClosedLoop, OHA_BIN, oha, printRounds as print, runRounds as rounds, type Tools } from './lib/compare.js';
import { cliPath, REPO_ROOT } from './lib/hopscope.js';
import { formatLoadAvg, readLoadAvg } from './lib/loadavg.js';
import { SMALL_JSON_BODY, startNginx } from './lib/nginx.js';
import { makePki } from './lib/pki.js';
import { freePort } from './lib/proc.js';
import { arg, formatRps } from './lib/util.js';
import { runWrk } from './lib/wrk.js';

const CONNECTIONS = 50;

async function main(): Promise<void> {
  const count = Number(arg('--rounds') ?? 3);
  const durationS = Number(arg('--duration') ?? 5);
  const baseline = arg('--baseline');
  if (baseline && !existsSync(cliPath(baseline))) throw new Error(`--baseline ${baseline}: no dist/cli/main.js there (build it first)`);
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
    const haveOha = existsSync(OHA_BIN);

    const plainTools: Tools = {
      hopscope: () => hopscopeClosedLoop(cleanup, REPO_ROOT, plain, CONNECTIONS, [], durationS),
      ...(baseline ? { 'hopscope (baseline)': () => hopscopeClosedLoop(cleanup, baseline, plain, CONNECTIONS, [], durationS) } : {}),
      'wrk -t1': async () => ({ rps: (await runWrk({ url: plain, threads: 1, connections: CONNECTIONS, durationS, cleanup })).requestsPerSec }),
    };
    print('closed loop, plain HTTP', await rounds('plain', plainTools, count), 'hopscope', count);

    const tlsTools: Tools = {
      hopscope: () => hopscopeClosedLoop(cleanup, REPO_ROOT, https, CONNECTIONS, ca, durationS),
      'wrk -t1': async () => ({ rps: (await runWrk({ url: https, threads: 1, connections: CONNECTIONS, durationS, cleanup })).requestsPerSec }),
      ...(haveOha ? { oha: () => oha(cleanup, https, CONNECTIONS, durationS) } : {}),
    };
    print('closed loop, TLS keep-alive', await rounds('tls', tlsTools, count), 'hopscope', count, { against: 'wrk -t1', ratio: 0.6 });

    const handshakeTools: Tools = {
      hopscope: () => hopscopeClosedLoop(cleanup, REPO_ROOT, handshakes, CONNECTIONS, ca, durationS),
      'wrk -t1': async () => ({ rps: (await runWrk({ url: handshakes, threads: 1, connections: CONNECTIONS, durationS, cleanup })).requestsPerSec }),
      ...(haveOha ? { 'oha --disable-keepalive': () => oha(cleanup, handshakes, CONNECTIONS, durationS, ['--disable-keepalive']) } : {}),
    };
    const hs = await rounds('handshakes', handshakeTools, count);
    print('new TLS connection per request (req/s = handshakes/s)', hs, 'hopscope', count);
    const opened = hs.hopscope!.map((f) => formatRps(f.connectionsPerS ?? NaN)).join(', ');
    console.log(`hopscope connections opened per second, by round: ${opened} (each a TLS handshake, resumed where the server allows)`);
    if (!haveOha) console.log(`oha not found at ${OHA_BIN}: its rows are left out`);
    console.log(`load average at end: ${formatLoadAvg(readLoadAvg())}`);
  } finally {
    await cleanup.runAll();
    removeHandlers();
  }
}

await main();
