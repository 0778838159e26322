import { spawn, type ChildProcess } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBinary } from '../../src/runtime/build/build.js';
import { kindBinary } from '../../src/runtime/build/reference-recipes.js';
import { packageRoot } from '../../src/runtime/package-root.js';
import { probeEngine } from '../../src/runtime/select.js';
import { CACHE_COMM, childPids, freePort, isAlive, tempLogDir } from './runtime-helpers.js';

const probe = await probeEngine();
const VITE_NODE = join(packageRoot(), 'node_modules', 'vite-node', 'vite-node.mjs');
const FIXTURE = join(packageRoot(), 'test', 'fixtures', 'runtime-interrupt.ts');
const READY_WAIT_MS = 90_000;
const EXIT_WAIT_MS = 20_000;

const children: ChildProcess[] = [];

beforeAll(async () => {
  await ensureBinary(kindBinary('rust-cache-server'), () => {}); // so the fixture's own build step is a cache hit
});

afterAll(() => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
});

interface Fixture {
  child: ChildProcess;
  output: () => string;
  ready: Promise<string>;
  exited: Promise<number | null>;
}

function startFixture(runtime: 'process' | 'docker', runId: string, then: 'wait' | 'crash'): Promise<Fixture> {
  return freePort().then((port) => {
    const child = spawn(process.execPath, [VITE_NODE, FIXTURE], {
      env: {
        ...process.env,
        FIXTURE_RUNTIME: runtime,
        FIXTURE_PORT: String(port),
        FIXTURE_RUN_ID: runId,
        FIXTURE_LOG_DIR: tempLogDir(),
        FIXTURE_THEN: then,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(child);
    let output = '';
    const ready = new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`fixture not ready after ${READY_WAIT_MS} ms:\n${output}`)), READY_WAIT_MS);
      const onData = (chunk: Buffer): void => {
        output += chunk.toString();
        const line = /^READY (.*)$/m.exec(output);
        if (line?.[1] !== undefined) {
          clearTimeout(timer);
          resolve(line[1]);
        }
      };
      child.stdout?.on('data', onData);
      child.stderr?.on('data', onData);
      child.on('exit', () => {
        clearTimeout(timer);
        reject(new Error(`fixture exited before READY:\n${output}`));
      });
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    return { child, output: () => output, ready, exited };
  });
}

async function exitCodeWithin(fixture: Fixture, ms: number): Promise<number | null | 'hung'> {
  let timer: NodeJS.Timeout | undefined;
  const hung = new Promise<'hung'>((resolve) => (timer = setTimeout(() => resolve('hung'), ms)));
  const outcome = await Promise.race([fixture.exited, hung]);
  clearTimeout(timer);
  return outcome;
}

function containersOfRun(runId: string): string[] {
  return execFileSync('docker', ['ps', '-a', '--filter', `label=dev.hopscope.run=${runId}`, '--format', '{{.Names}}'], {
    encoding: 'utf8',
  })
    .split('\n')
    .filter((name) => name !== '');
}

describe('teardown of a hopscope process that is interrupted or crashes, process runtime', () => {
  it.each([
    { name: 'SIGINT', then: 'wait' as const, signal: 'SIGINT' as const, exitCode: 130 },
    { name: 'SIGTERM', then: 'wait' as const, signal: 'SIGTERM' as const, exitCode: 130 },
    { name: 'an unhandled rejection', then: 'crash' as const, signal: undefined, exitCode: 4 },
  ])('$name → exit $exitCode, the (paused) service process is gone', async ({ then, signal, exitCode }) => {
    const fixture = await startFixture('process', `p${Date.now().toString(36)}`, then);
    await fixture.ready;
    const servicePids = childPids(fixture.child.pid as number, CACHE_COMM);
    expect(servicePids).toHaveLength(1);
    if (signal) fixture.child.kill(signal);
    expect(await exitCodeWithin(fixture, EXIT_WAIT_MS)).toBe(exitCode);
    if (signal) expect(fixture.output()).toContain(`INTERRUPTED ${signal}`);
    if (then === 'crash') expect(fixture.output()).toContain('deliberate crash');
    expect(servicePids.filter(isAlive)).toEqual([]);
  });
});

describe.skipIf(probe.engine === undefined)(
  `teardown, docker runtime${probe.engine === undefined ? ` (skipped: no Docker engine answers: ${probe.why})` : ''}`,
  () => {
    it('SIGINT → exit 130, the (paused) container is removed', async () => {
      const runId = `d${Date.now().toString(36)}`;
      const fixture = await startFixture('docker', runId, 'wait');
      await fixture.ready;
      expect(containersOfRun(runId).sort()).toEqual([`hopscope-${runId}-cache-1`, `hopscope-${runId}-reaper`]);
      fixture.child.kill('SIGINT');
      expect(await exitCodeWithin(fixture, EXIT_WAIT_MS)).toBe(130);
      expect(containersOfRun(runId)).toEqual([]);
    });

    it('a crash → exit 4 (an internal error), the container is removed', async () => {
      const runId = `c${Date.now().toString(36)}`;
      const fixture = await startFixture('docker', runId, 'crash');
      await fixture.ready;
      expect(await exitCodeWithin(fixture, EXIT_WAIT_MS)).toBe(4);
      expect(containersOfRun(runId)).toEqual([]);
    });
  },
);
