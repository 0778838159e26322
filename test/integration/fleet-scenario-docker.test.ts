/**
 * A scenario file on the Docker fleet for real: 3 generator containers (host networking) run their
 * segments of a YAML scenario's mix against a loopback nginx; the scenario reached them through the engine
 * (HOPSCOPE_SCENARIO), not a file; the merge keeps the per-request histograms, and the scenario's request
 * thresholds are gated on the merge: one that holds exits 0, one that cannot exits 1.
 */

import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Cleanup } from '../../bench/lib/cleanup.js';
import { startNginx } from '../../bench/lib/nginx.js';
import { dockerUp, hopscope } from './cli-helpers.js';
import { writeFleetScenario } from './fleet-scenario-file.js';
import { freePort } from './runtime-helpers.js';
import { outDir, summaryOf } from './target-helpers.js';

const cleanup = new Cleanup(() => undefined);
let target: string;
const files: string[] = [];

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
