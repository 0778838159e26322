/**
 * `run --target ... --warm-up D` through the built CLI against a local node:http server that counts what it
 * answers: the warm-up's load reaches the server, and nothing of it reaches the run's figures.
 */

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hopscope, outDir, summaryOf } from './cli-helpers.js';

let server: Server;
let target = '';
let answered = 0;

beforeAll(async () => {
  server = createServer((_req, res) => {
    answered++;
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{"ok":true}');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  target = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});

afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe('ad-hoc --warm-up', () => {
  it.each([
    ['open loop', ['--rate', '200']],
    ['closed loop', ['--connections', '2']],
  ])('%s: runs the same load first, and leaves it out of the summary', async (_model, load) => {
    const dir = outDir();
    answered = 0;
    const { code, stderr } = await hopscope(['run', '--target', target, ...load, '--warm-up', '1s', '--duration', '1s', '--quiet', '--out', dir]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const s = summaryOf(dir);
    expect(s.phases.map((p) => [p.name, p.recorded])).toEqual([
      ['warm-up', false],
      ['main', true],
    ]);
    const [warmUp, main] = s.phases as [(typeof s.phases)[0], (typeof s.phases)[0]];
    expect(warmUp.sent).toBeGreaterThan(0);
    expect(warmUp.sent + main.sent).toBe(answered);
    expect(s.overall.count).toBe(main.sent);
    if (load[0] === '--rate') expect([warmUp.intended, main.intended]).toEqual([200, 200]);
  });
});
