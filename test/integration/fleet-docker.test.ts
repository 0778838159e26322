/**
 * The Docker fleet for real: generator containers on this machine's engine (host networking) against a
 * loopback nginx; the merged run beside a single generator at the same total rate; a generator that fails
 * fails the run with its log; Ctrl-C stops and removes the generators and exits 130; kill -9 of the
 * coordinator leaves no container once the reaper has run. A scenario file's mix reaches the generators
 * through the engine (HOPSCOPE_SCENARIO), not a file; the merge keeps its per-request histograms, and its
 * request thresholds are gated on the merge: one that holds exits 0, one that cannot exits 1.
 */

import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Cleanup } from '../../bench/lib/cleanup.js';
import { startNginx } from '../../bench/lib/nginx.js';
import { hgrmTotals, javaReady, processHlog } from '../hdr-java.js';
import { dockerUp, hopscope, startCli } from './cli-helpers.js';
import { writeFleetScenario } from './fleet-scenario-file.js';
import { freePort } from './runtime-helpers.js';
import { outDir, summaryOf } from './target-helpers.js';

const cleanup = new Cleanup(() => undefined);
let target: string;

function fleetContainers(): string[] {
  return execFileSync('docker', ['ps', '-a', '--filter', 'label=dev.hopscope.service', '--format', '{{.Names}}'], { encoding: 'utf8' })
    .split('\n')
    .filter((n) => n.includes('fleet-'));
}

beforeAll(async () => {
  if (!dockerUp) return;
  const port = await freePort();
  await startNginx({ port, body: '{"ok":true}', cleanup });
  target = `http://127.0.0.1:${port}/`;
}, 60_000);

afterAll(async () => {
  await cleanup.runAll();
});

describe.skipIf(!dockerUp)('fleet on docker', () => {
  it('3 generators at 6,000 req/s for 20 s merge to one exact run, beside one generator at the same rate', async () => {
    const merged = join(outDir(), 'fleet');
    const single = join(outDir(), 'single');
    const load = ['--target', target, '--rate', '6000', '--connections', '30', '--duration', '20s'];
    const r = await hopscope(['run', ...load, '--generators', '3', '--fleet', 'docker', '--out', merged, '--threshold', 'p99 < 10s'], 300_000);
    expect(r.code, r.stderr).toBe(0);
    const one = await hopscope(['run', ...load, '--out', single, '--quiet'], 120_000);
    expect(one.code, one.stderr).toBe(0);
    const m = summaryOf(merged);
    const s = summaryOf(single);
    expect(Math.abs(m.overall.count - 120_000) / 120_000).toBeLessThan(0.005);
    expect(m.fleet?.generators).toHaveLength(3);
    const parts = [1, 2, 3].map((i) => summaryOf(join(merged, 'generators', `g${i}`)));
    expect(m.overall.count).toBe(parts.reduce((n, p) => n + p.overall.count, 0));
    expect(m.overall.latency.maxUs).toBe(Math.max(...parts.map((p) => p.overall.latency.maxUs)));
    let hlogCount: number | undefined;
    if (javaReady) {
      hlogCount = hgrmTotals(processHlog(join(merged, 'latency.hlog'), join(merged, 'java')).hgrm).count;
      expect(hlogCount).toBe(m.overall.count);
    }
    const row = (x: typeof m) => `count ${x.overall.count}, p50 ${x.overall.latency.p50Us} us, p99 ${x.overall.latency.p99Us} us, achieved ${x.phases[0]!.achievedRps} req/s`;
    console.log(`fleet of 3: ${row(m)}; clock offsets ${m.fleet!.generators.map((g) => g.clockOffsetMs.toFixed(2)).join(', ')} ms; HistogramLogProcessor count ${hlogCount ?? 'not run (no java)'}`);
    console.log(`single:     ${row(s)}`);
    expect(fleetContainers()).toEqual([]);
  }, 420_000);

  it('fails the run with the failing generator\'s log when a generator fails, and stops the others', async () => {
    const closed = await freePort();
    const r = await hopscope(['run', '--target', `http://127.0.0.1:${closed}/`, '--rate', '100', '--connections', '3', '--duration', '2s', '--generators', '3', '--out', join(outDir(), 'f')], 180_000);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/generator \d of 3 .* exited with code 1; the other generators were stopped\. Its log:/);
    expect(r.stderr).toMatch(/no successful response/);
    expect(fleetContainers()).toEqual([]);
  }, 200_000);

  it('leaves no generator container after kill -9 of the coordinator', async () => {
    const cli = startCli(['run', '--target', target, '--rate', '200', '--connections', '3', '--duration', '30s', '--generators', '3', '--out', join(outDir(), 'k')]);
    await cli.until(/load starts at/, 120_000);
    expect(fleetContainers().length).toBeGreaterThanOrEqual(3);
    cli.child.kill('SIGKILL');
    await cli.exited;
    const deadline = Date.now() + 20_000;
    while (fleetContainers().length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250));
    expect(fleetContainers()).toEqual([]);
  }, 200_000);

  it('stops and removes the generators on Ctrl-C during the load and exits 130', async () => {
    const cli = startCli(['run', '--target', target, '--rate', '200', '--connections', '3', '--duration', '30s', '--generators', '3', '--out', join(outDir(), 'c')]);
    await cli.until(/load starts at \S+/, 120_000);
    const startAt = Date.parse(/load starts at (\S+)/.exec(cli.stderr())![1]!);
    await new Promise((r) => setTimeout(r, Math.max(0, startAt - Date.now()) + 1500));
    expect(fleetContainers().length).toBeGreaterThanOrEqual(3);
    cli.child.kill('SIGINT');
    expect(await cli.exited).toBe(130);
    // Checked at once: the run removed them itself, not its reaper a second after the connection dropped.
    expect(fleetContainers()).toEqual([]);
    expect(cli.stderr()).not.toMatch(/exited with code/);
  }, 200_000);

  it('refuses bad fleet flags with exit 2', async () => {
    const few = await hopscope(['run', '--target', target, '--rate', '100', '--connections', '2', '--generators', '3']);
    expect(few.code).toBe(2);
    expect(few.stderr).toMatch(/2 connections cannot be split over 3 generators/);
    const kind = await hopscope(['run', '--target', target, '--rate', '100', '--generators', '2', '--fleet', 'nomad']);
    expect(kind.code).toBe(2);
  }, 60_000);
});

const files: string[] = [];

afterAll(() => {
  for (const file of files) rmSync(dirname(file), { recursive: true, force: true });
});

function scenario(rateRps: number, duration: string, thresholds: string[]): string {
  const file = writeFleetScenario({ target, rateRps, duration, connections: 15, thresholds });
  files.push(file);
  return file;
}

describe.skipIf(!dockerUp)('a scenario file on the docker fleet', () => {
  it('3 generators run the mix at 1,500 req/s for 5 s; the merge keeps each request; its request threshold passes', async () => {
    const file = scenario(1500, '5s', ['{ expr: "p99 < 10s", request: order }', '{ expr: "error_rate < 1%", request: item }']);
    const merged = join(outDir(), 'fleet');
    const r = await hopscope(['run', file, '--generators', '3', '--fleet', 'docker', '--out', merged], 240_000);
    expect(r.code, r.stderr).toBe(0);
    const m = summaryOf(merged);
    expect(Math.abs(m.overall.count - 7500) / 7500).toBeLessThan(0.005);
    expect(m.scenario).toMatchObject({ name: 'fleet-mix', thresholds: [{ expression: 'p99 < 10s', scope: 'order' }, { expression: 'error_rate < 1%', scope: 'item' }] });
    expect(m.fleet?.generators).toHaveLength(3);
    // Each generator's folder states its segment, so the merge states the whole load, not N times it.
    expect(m.phases[0]).toMatchObject({ targetRps: { from: 1500, to: 1500 }, connections: 15 });
    const byName = Object.fromEntries(m.requests.map((q) => [q.name, q.count]));
    expect(Object.keys(byName).sort()).toEqual(['item', 'order']);
    // Weights 3:1, seeded per generator: about three quarters items.
    expect(byName.item! / m.overall.count).toBeGreaterThan(0.7);
    expect(byName.item! / m.overall.count).toBeLessThan(0.8);
    expect(byName.item! + byName.order!).toBe(m.overall.count);
    const parts = [1, 2, 3].map((i) => summaryOf(join(merged, 'generators', `g${i}`)));
    for (const name of ['item', 'order']) {
      expect(m.requests.find((q) => q.name === name)!.count).toBe(parts.reduce((n, p) => n + p.requests.find((q) => q.name === name)!.count, 0));
    }
    expect(parts.map((p) => p.scenario.name)).toEqual(['fleet-mix', 'fleet-mix', 'fleet-mix']);
    expect(r.stdout).toMatch(/pass +│ request order +│ p99 < 10s/);
    expect(r.stdout).toMatch(/gate: passed/);
    console.log(
      `scenario fleet of 3: count ${m.overall.count} of 7500 (item ${byName.item}, order ${byName.order}), achieved ${m.phases[0]!.achievedRps} req/s, ` +
        `p99 item ${m.requests.find((q) => q.name === 'item')!.latency.p99Us} us, order ${m.requests.find((q) => q.name === 'order')!.latency.p99Us} us; ` +
        `clock offsets ${m.fleet!.generators.map((g) => g.clockOffsetMs.toFixed(2)).join(', ')} ms`,
    );
    expect(fleetContainers()).toEqual([]);
  }, 300_000);

  it('exits 1 when the scenario\'s request threshold fails on the merge', async () => {
    const file = scenario(600, '2s', ['{ expr: "p99 < 1us", request: item }']);
    const merged = join(outDir(), 'fail');
    const r = await hopscope(['run', file, '--generators', '3', '--fleet', 'docker', '--out', merged], 240_000);
    expect(r.code, r.stderr).toBe(1);
    const m = summaryOf(merged);
    expect(Math.abs(m.overall.count - 1200) / 1200).toBeLessThan(0.005);
    expect(r.stdout).toMatch(/FAIL request item p99 < 1us/);
    console.log(`failing gate: count ${m.overall.count} of 1200, item p99 ${m.requests.find((q) => q.name === 'item')!.latency.p99Us} us against 1 us: exit ${r.code}`);
    expect(fleetContainers()).toEqual([]);
  }, 300_000);
});
