/**
 * An engine's pressure (how busy its thread was, how full its connections), which `--workers` decides the
 * number of carrying threads from, over a real local server. Its own file: the first reading must not
 * include what this thread did before the phase, which a file of many tests would dilute.
 */

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { afterAll, describe, expect, it } from 'vitest';
import { LoadEngine } from '../../src/load/engine.js';
import { compileMix } from '../../src/load/request-mix.js';
import type { SampleSink } from '../../src/load/sample.js';

let server: Server | undefined;
afterAll(() => new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined))));

const ignore: SampleSink = { response: () => undefined, failure: () => undefined, sendLag: () => undefined };

describe('engine pressure', () => {
  it("covers the phase's load only: a thread busy before the phase does not read as a pressed engine", async () => {
    server = createServer((_req, res) => res.end('ok'));
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    const engine = new LoadEngine(
      {
        host: '127.0.0.1',
        port,
        mix: compileMix([{ name: 'get', method: 'GET', path: '/', headers: {}, body: undefined, weight: 1, vars: {} }], [{ requestIndex: 0, weight: 1 }], `127.0.0.1:${port}`, 1),
        load: { model: 'open', fromRps: 100, toRps: 100, arrival: 'constant', connections: 4, pipelining: 1 },
        durationMs: 1000,
        timeoutMs: 2000,
        seed: 1,
      },
      ignore,
    );
    // Start-up work on the engine's thread (module loading, a scenario, another phase's report): 2 s busy.
    const until = performance.now() + 2000;
    while (performance.now() < until);
    const outcome = await engine.execute();
    expect(outcome.sent).toBe(100);
    const pressure = engine.pressure();
    // 100 requests of a local server (on this thread too) in a second keep it 5-17 % busy, the most under CI's
    // load; counting the 2 s before the phase would read as 60 % or more.
    expect(pressure.busy).toBeLessThan(0.35);
    expect(pressure.connections).toBeLessThan(0.1);
  });
});
