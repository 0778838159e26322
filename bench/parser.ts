/**
 * The HTTP/1.1 response parser's own cost per response, without sockets: typical answers (nginx's small
 * JSON with keep-alive, a chunked one, one with Server-Timing) pushed a million times each, best of 5
 * rounds. Each is pushed as it is (a server repeating its head, as nginx does between two Dates) and with
 * a head that differs from the previous one (a Server-Timing value changing per response, the worst case
 * for the parser's repeat check). Against an older build, compare with `--baseline ROOT` (a checkout with
 * dist/ built): the same inputs through its parser, in the same process, alternating. Prints figures;
 * asserts nothing.
 *
 *   npm run build && npm run bench:build && flock /tmp/hopscope-bench.lock node dist-bench/bench/parser.js [--baseline ROOT]
 */

import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { performance } from 'node:perf_hooks';
import Table from 'cli-table3';
import { ResponseParser } from '../src/load/http1/response-parser.js';

type ParserClass = typeof ResponseParser;

const RESPONSES: Record<string, string> = {
  'nginx JSON, keep-alive': 'HTTP/1.1 200 OK\r\nServer: nginx/1.22.1\r\nDate: Tue, 01 Dec 2026 22:00:00 GMT\r\nContent-Type: application/json\r\nContent-Length: 17\r\nConnection: keep-alive\r\n\r\n{"ok":true,"n":1}',
  'with Server-Timing': 'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 11\r\nServer-Timing: edge;dur=0.210, origin;dur=0.080\r\n\r\n{"ok":true}',
  'chunked, 2 chunks': 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Type: text/plain\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n',
};
const N = 1_000_000;
const ROUNDS = 5;

/** Pushes the responses in turn, N in all. */
function nsPerResponse(Parser: ParserClass, responses: readonly Buffer[]): number {
  let seen = 0;
  const parser = new Parser(() => seen++);
  const start = performance.now();
  for (let i = 0; i < N; i++) parser.push(responses[i % responses.length]!);
  const ns = ((performance.now() - start) * 1e6) / N;
  if (seen !== N) throw new Error(`parsed ${seen} of ${N} responses`);
  return ns;
}

async function main(): Promise<void> {
  const i = process.argv.indexOf('--baseline');
  const parsers: Record<string, ParserClass> = { current: ResponseParser };
  if (i >= 0) {
    const module = (await import(pathToFileURL(join(process.argv[i + 1]!, 'dist/load/http1/response-parser.js')).href)) as { ResponseParser: ParserClass };
    parsers.baseline = module.ResponseParser;
  }
  const t = new Table({ head: ['response', ...Object.keys(parsers).map((p) => `${p} ns/response (best of ${ROUNDS})`), ...(parsers.baseline ? ['current / baseline'] : [])] });
  const cases: [string, Buffer[]][] = Object.entries(RESPONSES).map(([name, text]) => [`${name}, head repeated`, [Buffer.from(text, 'latin1')]]);
  cases.push(['head differing each time (Server-Timing)', Array.from({ length: 16 }, (_, i) => Buffer.from(RESPONSES['with Server-Timing']!.replace('0.080', `0.0${10 + i}`), 'latin1'))]);
  for (const [name, responses] of cases) {
    const best: Record<string, number> = {};
    for (let round = 0; round < ROUNDS; round++) {
      for (const [p, Parser] of Object.entries(parsers)) best[p] = Math.min(best[p] ?? Infinity, nsPerResponse(Parser, responses));
    }
    t.push([name, ...Object.keys(parsers).map((p) => best[p]!.toFixed(0)), ...(parsers.baseline ? [(best.current! / best.baseline!).toFixed(2)] : [])]);
  }
  console.log(t.toString());
}

await main();
