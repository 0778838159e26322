/**
 * The least a node:http2 closed-loop client can do: C sessions, S streams each, every answer read and
 * dropped, for D seconds; prints the rate. The ceiling for any engine built on node:http2 (bench/h2.ts).
 *
 *   node dist-bench/bench/lib/h2-minimal.js URL C S D
 */

import { connect, type ClientHttp2Session } from 'node:http2';
import { assertLoopback } from './http.js';

const [url, connections, streams, durationS] = [process.argv[2]!, Number(process.argv[3]), Number(process.argv[4]), Number(process.argv[5])];
assertLoopback(url);
let done = 0;
let stopped = false;
const sessions: ClientHttp2Session[] = [];
for (let c = 0; c < connections; c++) {
  const session = connect(url, { rejectUnauthorized: false });
  sessions.push(session);
  const one = (): void => {
    if (stopped) return;
    const stream = session.request({ ':path': '/' });
    stream.on('data', () => undefined);
    stream.on('end', () => {
      done++;
      one();
    });
    stream.on('error', () => undefined);
    stream.end();
  };
  session.on('connect', () => {
    for (let s = 0; s < streams; s++) one();
  });
  session.on('error', () => undefined);
}
const started = Date.now();
setTimeout(() => {
  stopped = true;
  console.log((done / ((Date.now() - started) / 1000)).toFixed(0));
  for (const s of sessions) s.destroy();
}, durationS * 1000);
