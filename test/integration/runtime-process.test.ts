import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InfraError } from '../../src/errors.js';
import { ensureBinary } from '../../src/runtime/build/build.js';
import { kindBinary } from '../../src/runtime/build/reference-recipes.js';
import { referenceSpec } from '../fixtures/reference-spec.js';
import { downAll, selectRuntime, type Runtime, type StartedService, type UpOptions } from '../../src/runtime/index.js';
import { trackedLabels } from '../../src/runtime/teardown.js';
import { CACHE_COMM, cacheSpec, childPids, freePort, getStatus, isAlive, tempLogDir } from './runtime-helpers.js';

const lines: string[] = [];
let runtime: Runtime;
let options: UpOptions;
const quiet = (): void => {};

beforeAll(async () => {
  // Builds here, under the hook timeout: a cold cargo build takes longer than one test may.
  await Promise.all([ensureBinary(kindBinary('rust-cache-server'), quiet), ensureBinary(kindBinary('fastjson-api'), quiet)]);
  runtime = (await selectRuntime('process', (line) => lines.push(line))).runtime;
  options = { runId: `t${process.pid}`, logDir: tempLogDir(), readyTimeoutMs: 15_000, log: (line) => lines.push(line) };
});

afterAll(async () => {
  // Read before downAll() clears it, asserted after: a failed test must not leave its (maybe paused) service behind.
  const leftover = trackedLabels();
  await downAll();
  expect(leftover).toEqual([]); // every down() untracked its service
});

describe('process runtime, rust-cache-server', () => {
  it('starts, answers, freezes on pause, thaws, samples, restarts, and leaves no process after down', async () => {
    const port = await freePort();
    const [service] = (await runtime.up([cacheSpec('cache-1', port)], options)) as [StartedService];
    expect(service.url).toBe(`http://127.0.0.1:${port}`);
    expect(service.describe).toMatch(/^process: .*rust-cache-server-[0-9a-f]{12} --port \d+ \(pid \d+/);
    const [pid] = childPids(process.pid, CACHE_COMM).filter((candidate) => service.describe.includes(`pid ${candidate};`));
    expect(pid).toBeDefined();

    expect(await getStatus(`${service.url}/healthz`, 1_000)).toBe(200);

    await service.pause();
    const pausedAtMs = performance.now();
    expect(await getStatus(`${service.url}/healthz`, 300)).toBe('timeout');
    expect(performance.now() - pausedAtMs).toBeLessThan(1_000);
    await service.unpause();
    expect(await getStatus(`${service.url}/healthz`, 1_000)).toBe(200);

    const first = await service.sample();
    const second = await service.sample();
    for (const sample of [first, second]) {
      expect(sample.cpuPercent).toBeGreaterThanOrEqual(0);
      expect(sample.cpuPercent).toBeLessThan(400);
      expect(sample.memoryBytes).toBeGreaterThan(1 << 20);
      expect(sample.memoryBytes).toBeLessThan(1 << 30);
    }
    expect(second.atMs).toBeGreaterThanOrEqual(first.atMs);

    await service.pause(); // restart must work on a frozen service too
    await service.restart();
    expect(await getStatus(`${service.url}/healthz`, 1_000)).toBe(200);
    expect(isAlive(pid as number)).toBe(false);
    const restartedPids = childPids(process.pid, CACHE_COMM);
    expect(restartedPids).toHaveLength(1);

    await service.pause(); // down must not hang on a frozen service
    await service.down();
    await service.down(); // idempotent
    expect(restartedPids.filter(isAlive)).toEqual([]);
    expect(childPids(process.pid, CACHE_COMM)).toEqual([]);
    expect(await getStatus(`${service.url}/healthz`, 300)).toBe('error');
    // Two runs of the service, one log file.
    const log = readFileSync(join(options.logDir, 'cache-1.log'), 'utf8');
    expect(log.match(/listening on/g)).toHaveLength(2);
  });

  it('a service that exits at start fails readiness fast, naming the service and quoting its log', async () => {
    const port = await freePort();
    const startedAtMs = performance.now();
    const failure = await runtime.up([cacheSpec('cache-bad', port, ['--no-such-flag'])], options).catch((error) => error);
    expect(failure).toBeInstanceOf(InfraError);
    expect(failure.message).toMatch(
      new RegExp(`^service "cache-bad" \\(rust-cache-server\\) exited with code 2 before it was ready on http://127\\.0\\.0\\.1:${port}/healthz; its last log lines:\n`),
    );
    expect(failure.message).toContain('flag provided but not defined: -no-such-flag');
    expect(failure.hint).toBe(`full log: ${join(options.logDir, 'cache-bad.log')}`);
    expect(performance.now() - startedAtMs).toBeLessThan(5_000);
    expect(childPids(process.pid, CACHE_COMM)).toEqual([]);
  });

  it('starts a chain in order, upstream first: rust-cache-server, then fastjson-api pointing at it', async () => {
    const [cachePort, apiPort] = [await freePort(), await freePort()];
    const started = await runtime.up(
      [
        cacheSpec('cache-1', cachePort),
        referenceSpec('fastjson-api', 'api', apiPort, ['--cache-url', `http://127.0.0.1:${cachePort}`]),
      ],
      options,
    );
    expect(started.map((service) => service.spec.name)).toEqual(['cache-1', 'api']);
    const readyLines = lines.filter((line) => / ready on /.test(line)).slice(-2);
    expect(readyLines[0]).toMatch(/^service "cache-1" \(rust-cache-server\) ready on /);
    expect(readyLines[1]).toMatch(/^service "api" \(fastjson-api\) ready on /);
    for (const service of started) expect(await getStatus(`${service.url}/healthz`, 1_000)).toBe(200);
    await Promise.all(started.map((service) => service.down()));
    for (const service of started) expect(await getStatus(`${service.url}/healthz`, 300)).toBe('error');
  });

  it('refuses a port something already answers on, and stops what it started before', async () => {
    const port = await freePort();
    const failure = await runtime
      .up([cacheSpec('cache-a', port), cacheSpec('cache-b', port)], options)
      .catch((error) => error);
    expect(failure).toBeInstanceOf(InfraError);
    expect(failure.message).toBe(`service "cache-b" (rust-cache-server) cannot start: port ${port} on 127.0.0.1 is already in use`);
    expect(childPids(process.pid, CACHE_COMM)).toEqual([]);
  });
});
