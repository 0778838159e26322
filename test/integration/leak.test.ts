/**
 * Nothing outlives hopscope, even `kill -9`: the process runtime's services die with it (setpriv
 * --pdeathsig KILL) within 2 s, the docker runtime's containers are removed by the run's reaper within 15 s,
 * and the same scenario then runs at once (its port is free, nothing is left to warn about).
 */

import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { startTicksOf } from '../../src/runtime/process/run-registry.js';
import { dockerUp, hopscope, outDir, ROOT, startCli } from './cli-helpers.js';
import { buildExampleBinary, EXAMPLE, hopscopeContainers, ordersEntry, ordersScenario, runIdIn, scenarioFile } from './own-service-helpers.js';
import { CACHE_COMM, childPids, freePort, getStatus, isAlive } from './runtime-helpers.js';

const BOUND_MS = { process: 2_000, docker: 15_000 } as const;
const LONG = `  - { name: long, duration: 60s, load: { model: open, rate: 50, connections: 4 } }`;
const SHORT = `  - { name: short, duration: 1s, load: { model: open, rate: 50, connections: 4 } }`;

/** The example service and a reference one, the Go cache, so that both kinds are shown not to leak. */
function mixedScenario(ordersPort: number, cachePort: number, phase: string): string {
  return scenarioFile(`name: leak
services:${ordersEntry(ordersPort)}
  - { name: cache, kind: rust-cache-server, port: ${cachePort} }
target: orders
requests:
  - { name: order, path: "/orders/{id}", vars: { id: { uniform: [1, 1000] } } }
phases:
${phase}
`);
}

async function waitUntil(check: () => Promise<boolean> | boolean, timeoutMs: number): Promise<number> {
  const startedAtMs = performance.now();
  while (!(await check())) {
    if (performance.now() - startedAtMs > timeoutMs) return Infinity;
    await new Promise((r) => setTimeout(r, 25));
  }
  return performance.now() - startedAtMs;
}

it('a build tool dies with hopscope: kill -9 mid-build leaves no cargo or go building on', async () => {
  // hopscope's own build runner (the compiled module, as the CLI runs it) with `sleep` standing in for cargo.
  const runTool = pathToFileURL(join(ROOT, 'dist/runtime/build/run-tool.js')).href;
  const script = `import(${JSON.stringify(runTool)}).then((m) => m.runTool({ tool: 'sleep', args: ['30'], cwd: '/', env: process.env, timeoutMs: 60000, tailLines: 5 }, () => new Error('no sleep')))`;
  const parent = spawn(process.execPath, ['-e', script], { stdio: 'ignore' });
  let tool: number[] = [];
  expect(await waitUntil(() => (tool = childPids(parent.pid!, 'sleep')).length === 1, 5_000)).toBeLessThan(5_000);
  parent.kill('SIGKILL');
  expect(await waitUntil(() => !isAlive(tool[0]!), 5_000)).toBeLessThan(2_000);
});

it('the process runtime has setpriv from util-linux (.ci/run installs it)', () => {
  expect(existsSync('/usr/bin/setpriv') || existsSync('/bin/setpriv')).toBe(true);
});

describe.each(dockerUp ? (['process', 'docker'] as const) : (['process'] as const))('kill -9 of hopscope mid-run, %s runtime', (runtime) => {
  it(`leaves nothing running after ${BOUND_MS[runtime] / 1000} s, and the scenario then runs at once`, async () => {
    buildExampleBinary();
    const [port, cachePort] = [await freePort(), await freePort()];
    const cli = startCli(['run', mixedScenario(port, cachePort, LONG), '--runtime', runtime, '--out', outDir()]);
    await cli.until(/service "cache" \(rust-cache-server\) ready on/, 300_000);
    await new Promise((r) => setTimeout(r, 1000)); // mid-run: load flowing
    const pids = runtime === 'process' ? [...childPids(cli.child.pid!, 'orders'), ...childPids(cli.child.pid!, CACHE_COMM)] : [];
    if (runtime === 'process') expect(pids).toHaveLength(2);
    const runId = runtime === 'docker' ? runIdIn(cli.stderr()) : '';
    if (runtime === 'docker') expect((await hopscopeContainers(runId)).length).toBe(3); // the two services and the run's reaper
    expect(await getStatus(`http://127.0.0.1:${port}/healthz`, 1000)).toBe(200);
    expect(await getStatus(`http://127.0.0.1:${cachePort}/healthz`, 1000)).toBe(200);

    cli.child.kill('SIGKILL');
    await cli.exited;
    const gone =
      runtime === 'process'
        ? () => pids.every((pid) => !isAlive(pid))
        : async () => (await hopscopeContainers(runId)).length === 0;
    const tookMs = await waitUntil(gone, BOUND_MS[runtime] + 5_000);
    console.log(`${runtime} runtime: everything gone ${Math.round(tookMs)} ms after kill -9 of hopscope`);
    expect(tookMs).toBeLessThan(BOUND_MS[runtime]);
    for (const p of [port, cachePort]) expect(await getStatus(`http://127.0.0.1:${p}/healthz`, 500)).toBe('error');

    const status = await hopscope(['services', 'status'], 30_000);
    expect(status.stdout).not.toContain(runtime === 'docker' ? `run ${runId}` : `port ${port}`);
    const again = await hopscope(['run', mixedScenario(port, cachePort, SHORT), '--runtime', runtime, '--out', outDir()], 120_000);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).not.toMatch(/already in use/);
    if (runtime === 'docker') expect(again.stderr).not.toContain(`hopscope-${runId}-`); // no leftover of the killed run to warn about
  }, 300_000);
});

describe('services status|down find process-runtime leftovers', () => {
  it('lists a recorded service process that outlived its hopscope, and down kills it', async () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'hopscope-state-'));
    // A service left by a hopscope that is gone: here the record's owner is a pid that has already exited.
    const leftover = spawn('sleep', ['60'], { stdio: 'ignore' });
    const gone = spawn('true');
    await new Promise((r) => gone.on('exit', r));
    writeFileSync(
      join(stateDir, 'r1.json'),
      JSON.stringify({ runId: 'r1', hopscopePid: gone.pid, processes: [{ service: 'orders', pid: leftover.pid, startTicks: startTicksOf(leftover.pid!), port: 18199 }] }),
    );
    // No engine for these commands: `services down` would otherwise also remove containers of anyone's runs.
    const env = { ...process.env, HOPSCOPE_STATE_DIR: stateDir, DOCKER_HOST: 'unix:///nonexistent/docker.sock' };
    try {
      const status = await hopscope(['services', 'status'], 30_000, env);
      expect(status.stdout).toContain(`process orders\tpid ${leftover.pid}\tport 18199\trun r1\tleft by a hopscope that ended`);
      const down = await hopscope(['services', 'down'], 30_000, env);
      expect(down.stdout).toContain(`process orders (pid ${leftover.pid}, port 18199, run r1)`);
      expect(await waitUntil(() => leftover.exitCode !== null || leftover.signalCode !== null, 2_000)).toBeLessThan(2_000);
      expect((await hopscope(['services', 'status'], 30_000, env)).stdout).toContain('no hopscope containers or service processes');
    } finally {
      leftover.kill('SIGKILL');
    }
  });
});

describe('services up, Ctrl-C', () => {
  it('stops the services before it exits, and exits 130', async () => {
    buildExampleBinary();
    const port = await freePort();
    const cli = startCli(['services', 'up', ordersScenario(port, SHORT), '--runtime', 'process']);
    await cli.until(/service "orders" \(own\) ready on/, 60_000);
    const [pid] = childPids(cli.child.pid!, 'orders');
    expect(pid).toBeDefined();
    cli.child.kill('SIGINT');
    expect(await cli.exited).toBe(130);
    // At the moment hopscope has exited, its service is already gone: not merely dying with it.
    expect(isAlive(pid!)).toBe(false);
    expect(cli.stderr()).toContain('SIGINT: stopping the services');
  }, 120_000);

  it('a Ctrl-C while the services start: they start, then stop, and it exits 130', async () => {
    buildExampleBinary();
    const port = await freePort();
    // A service slow to listen, so that the Ctrl-C surely comes while it starts.
    const listen = `${EXAMPLE}/orders --listen 127.0.0.1:${port}`;
    const file = scenarioFile(`name: slow-start
services:
  - name: orders
    command: ["sh", "-c", "sleep 1; exec ${listen}"]
    port: ${port}
    ready: { http: /healthz, timeout: 20s }
requests:
  - { name: health, path: /healthz }
phases:
${SHORT}
`);
    const cli = startCli(['services', 'up', file, '--runtime', 'process']);
    try {
      await cli.until(/runtime: process/, 60_000);
      cli.child.kill('SIGINT');
      expect(await cli.exited).toBe(130);
      expect(cli.stderr()).toContain('SIGINT: stopping the services');
      expect(await getStatus(`http://127.0.0.1:${port}/healthz`, 1000)).toBe('error');
    } finally {
      // Without its handler the Ctrl-C killed hopscope alone, and the service started after it.
      spawnSync('pkill', ['-f', listen]);
    }
  }, 120_000);
});
