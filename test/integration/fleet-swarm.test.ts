/**
 * The swarm fleet for real: this machine's engine made a one-node swarm (`docker swarm init --advertise-addr
 * 127.0.0.1`, left again afterwards only if the test made it), the generators a replicated job with host
 * networking against a loopback nginx (ad-hoc, and a scenario file whose mix travels in the service's env),
 * their results back through the task logs; a failing task fails the
 * run with its log; Ctrl-C removes the service and exits 130; kill -9 of the coordinator leaves no service once
 * the reaper has run.
 */

import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Cleanup } from '../../bench/lib/cleanup.js';
import { startNginx } from '../../bench/lib/nginx.js';
import { hgrmTotals, javaReady, processHlog } from '../hdr-java.js';
import { reapLeftovers } from '../../src/runtime/index.js';
import { dockerUp, hopscope, startCli } from './cli-helpers.js';
import { writeFleetScenario } from './fleet-scenario-file.js';
import { freePort } from './runtime-helpers.js';
import { docker, joinSwarm } from './swarm-helpers.js';
import { outDir, summaryOf } from './target-helpers.js';

const cleanup = new Cleanup(() => undefined);
let target: string;
let leaveSwarm = (): void => undefined;

const lines = (text: string) => text.split('\n').filter(Boolean);
const fleetServices = () => lines(docker('service', 'ls', '--filter', 'label=dev.hopscope', '--format', '{{.Name}}')).filter((n) => n.includes('fleet-'));
const fleetContainers = () => lines(docker('ps', '-a', '--filter', 'label=dev.hopscope', '--format', '{{.Names}}')).filter((n) => n.includes('fleet-'));

async function until(check: () => boolean, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250));
}

beforeAll(async () => {
  if (!dockerUp) return;
  leaveSwarm = joinSwarm();
  const port = await freePort();
  await startNginx({ port, body: '{"ok":true}', cleanup });
  target = `http://127.0.0.1:${port}/`;
}, 60_000);

afterAll(async () => {
  await cleanup.runAll();
  leaveSwarm();
}, 60_000);

describe.skipIf(!dockerUp)('fleet on docker swarm', () => {
  it('3 generators as a replicated job at 3,000 req/s for 10 s merge to one exact run', async () => {
    const merged = join(outDir(), 'swarm');
    const load = ['--target', target, '--rate', '3000', '--connections', '30', '--duration', '10s'];
    const r = await hopscope(['run', ...load, '--generators', '3', '--fleet', 'swarm', '--out', merged, '--threshold', 'p99 < 10s'], 300_000);
    expect(r.code, r.stderr).toBe(0);
    const m = summaryOf(merged);
    expect(Math.abs(m.overall.count - 30_000) / 30_000).toBeLessThan(0.005);
    expect(m.fleet?.kind).toBe('swarm');
    expect(m.fleet?.generators).toHaveLength(3);
    const parts = [1, 2, 3].map((i) => summaryOf(join(merged, 'generators', `g${i}`)));
    // Each slot ran its own third: the segments are distinct, and they add up.
    expect(parts.map((p) => p.overall.count).every((c) => Math.abs(c - 10_000) / 10_000 < 0.01)).toBe(true);
    expect(m.overall.count).toBe(parts.reduce((n, p) => n + p.overall.count, 0));
    expect(m.overall.latency.maxUs).toBe(Math.max(...parts.map((p) => p.overall.latency.maxUs)));
    let hlogCount: number | undefined;
    if (javaReady) {
      hlogCount = hgrmTotals(processHlog(join(merged, 'latency.hlog'), join(merged, 'java')).hgrm).count;
      expect(hlogCount).toBe(m.overall.count);
    }
    console.log(
      `swarm fleet of 3: count ${m.overall.count}, p50 ${m.overall.latency.p50Us} us, p99 ${m.overall.latency.p99Us} us, achieved ${m.phases[0]!.achievedRps} req/s; HistogramLogProcessor count ${hlogCount ?? 'not run (no java)'}`,
    );
    await until(() => fleetContainers().length === 0, 15_000);
    expect(fleetServices()).toEqual([]);
    expect(fleetContainers()).toEqual([]);
  }, 360_000);

  it('runs a scenario file: the env carries it past the templating, per-request counts merge, its request threshold gates', async () => {
    const file = writeFleetScenario({ target, rateRps: 900, duration: '3s', connections: 9, thresholds: ['{ expr: "p99 < 10s", request: order }'] });
    try {
      const merged = join(outDir(), 'swarm-scenario');
      const r = await hopscope(['run', file, '--generators', '3', '--fleet', 'swarm', '--out', merged], 300_000);
      expect(r.code, r.stderr).toBe(0);
      const m = summaryOf(merged);
      expect(Math.abs(m.overall.count - 2700) / 2700).toBeLessThan(0.005);
      expect(m.requests.map((q) => q.name).sort()).toEqual(['item', 'order']);
      expect(r.stdout).toMatch(/pass +│ request order +│ p99 < 10s/);
      console.log(`swarm fleet of 3, scenario file: count ${m.overall.count} of 2700 (${m.requests.map((q) => `${q.name} ${q.count}`).join(', ')})`);
      await until(() => fleetContainers().length === 0, 15_000);
      expect(fleetServices()).toEqual([]);
    } finally {
      rmSync(dirname(file), { recursive: true, force: true });
    }
  }, 360_000);

  it("fails the run with the failing task's log and removes the service", async () => {
    const closed = await freePort();
    const r = await hopscope(['run', '--target', `http://127.0.0.1:${closed}/`, '--rate', '100', '--connections', '3', '--duration', '2s', '--generators', '3', '--fleet', 'swarm', '--out', join(outDir(), 'f')], 180_000);
    expect(r.code, r.stderr).toBe(3);
    expect(r.stderr).toMatch(/generator \d of 3 \(swarm task \w+\) failed \(task: non-zero exit \(1\)\); the other generators were stopped\. Its log:/);
    expect(r.stderr).toMatch(/no successful response/);
    await until(() => fleetContainers().length === 0, 15_000);
    expect(fleetServices()).toEqual([]);
    expect(fleetContainers()).toEqual([]);
  }, 200_000);

  it('removes the service and its tasks on Ctrl-C during the load and exits 130', async () => {
    const cli = startCli(['run', '--target', target, '--rate', '200', '--connections', '3', '--duration', '30s', '--generators', '3', '--fleet', 'swarm', '--out', join(outDir(), 'c')]);
    await cli.until(/load starts at \S+/, 120_000);
    const startAt = Date.parse(/load starts at (\S+)/.exec(cli.stderr())![1]!);
    await new Promise((r) => setTimeout(r, Math.max(0, startAt - Date.now()) + 1500));
    cli.child.kill('SIGINT');
    expect(await cli.exited).toBe(130);
    expect(fleetServices()).toEqual([]);
    expect(fleetContainers()).toEqual([]);
  }, 200_000);

  it('services down (reapLeftovers) removes a swarm service and task containers a run left', async () => {
    const runId = `fleet-leftover-${process.pid}`;
    const image = lines(docker('images', 'hopscope/reaper', '--format', '{{.Repository}}:{{.Tag}}'))[0]!;
    const labels = ['dev.hopscope=1', `dev.hopscope.run=${runId}`];
    // --no-resolve-image: the docker CLI would otherwise ask a registry for the image's digest.
    docker('service', 'create', '--detach', '--no-resolve-image', '--name', `hopscope-${runId}-generators`, ...labels.flatMap((l) => ['--label', l, '--container-label', l]), '--mode', 'replicated-job', '--network', 'host', '--restart-condition', 'none', image, '-h');
    await until(() => fleetContainers().length > 0, 15_000);
    const removed = await reapLeftovers({ runId });
    expect(removed).toContain(`swarm service hopscope-${runId}-generators`);
    await until(() => fleetContainers().length === 0, 15_000);
    expect(fleetServices()).toEqual([]);
    expect(fleetContainers()).toEqual([]);
  }, 60_000);

  it('leaves no service or task after kill -9 of the coordinator', async () => {
    const cli = startCli(['run', '--target', target, '--rate', '200', '--connections', '3', '--duration', '30s', '--generators', '3', '--fleet', 'swarm', '--out', join(outDir(), 'k')]);
    await cli.until(/load starts at/, 120_000);
    expect(fleetServices()).toHaveLength(1);
    cli.child.kill('SIGKILL');
    await cli.exited;
    await until(() => fleetServices().length === 0 && fleetContainers().length === 0, 45_000);
    expect(fleetServices()).toEqual([]);
    expect(fleetContainers()).toEqual([]);
  }, 200_000);
});
