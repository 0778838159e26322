/**
 * A small scenario with one reference service (the Go rust-cache-server, whose GC hopscope polls) for the
 * fleet-with-services tests: one open-loop phase with a pause fault, on a free loopback port; and what the
 * merged summary must carry of the service, asserted the same way for every fleet.
 */

import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import type { RunSummary } from '../../src/run-folder/summary.js';
import { ROOT } from './cli-helpers.js';
import { freePort } from './runtime-helpers.js';

export const RATE_RPS = 400;
export const DURATION_S = 4;

/** Writes the scenario into a fresh folder; returns its path. */
export async function writeServiceScenario(durationS = DURATION_S): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'hopscope-fleet-services-'));
  const path = join(dir, 'fleet-services.yaml');
  writeFileSync(
    path,
    [
      'name: fleet-services',
      'seed: 3',
      'services:',
      `  - { name: cache, kind: rust-cache-server, port: ${await freePort()}, flags: { ballast-mb: "32", garbage-kb-per-request: "64" } }`,
      'target: cache',
      'timeout: 2s',
      'requests:',
      `  - { name: go-bench, method: POST, path: /bench/json, bodyFile: ${join(ROOT, 'scenarios/payloads/bench.json')} }`,
      'phases:',
      `  - name: steady`,
      `    duration: ${durationS}s`,
      `    load: { model: open, rate: ${RATE_RPS}, connections: 8 }`,
      '    faults: [{ kind: pause, service: cache, at: 2s, duration: 150ms }]',
      '',
    ].join('\n'),
  );
  return path;
}

/**
 * The containers (services, generators, reapers) of the runs whose log this is: the engine is shared with
 * other checkouts' runs, so only names with this run's ids count (each run id names its reaper).
 */
export function containersOf(stderr: string): string[] {
  const runs = [...stderr.matchAll(/container (hopscope-\S+)-reaper /g)].map((m) => m[1]!);
  expect(runs.length).toBeGreaterThanOrEqual(2);
  return execFileSync('docker', ['ps', '-a', '--filter', 'label=dev.hopscope', '--format', '{{.Names}}'], { encoding: 'utf8' })
    .split('\n')
    .filter((name) => runs.some((run) => name.startsWith(run)));
}

/** The merged run carries the whole load and what the coordinator saw of the service during it. */
export function expectServiceObserved(m: RunSummary, generators: number): void {
  const intended = RATE_RPS * DURATION_S;
  expect(Math.abs(m.overall.count - intended) / intended).toBeLessThan(0.005);
  expect(m.fleet?.generators).toHaveLength(generators);
  expect(m.run.runtime).toMatch(/; services: (docker|process) /);
  // Server-Timing attribution, from the generators' hop histograms merged.
  expect(m.hops?.hops.find((h) => h.name === 'rust-cache-server')?.count).toBeGreaterThan(0);
  expect(m.services.map((s) => s.name)).toEqual(['cache']);
  const resources = m.resources?.find((r) => r.service === 'cache');
  expect(resources?.points.length).toBeGreaterThanOrEqual(2);
  expect(resources!.points.every((p) => p.memoryBytes > 0 && p.tMs > 0 && p.tMs < (DURATION_S + 5) * 1000)).toBe(true);
  const gc = m.gc?.find((g) => g.service === 'cache');
  expect(gc?.collector).toBe('go');
  expect(gc!.pauses.length).toBeGreaterThan(0);
  expect(gc!.correlation).toBeUndefined();
  // The pause fault at 2 s into the phase, on the merged clock (the phase starts after its connections are up).
  const pause = m.faults?.find((f) => f.kind === 'pause');
  expect(pause?.tMs).toBeGreaterThan(1900);
  expect(pause!.tMs).toBeLessThan(2300);
  expect(m.faults?.filter((f) => f.kind === 'unpause')).toHaveLength(1);
  // /metrics before and after the load: every client request reached the service once.
  expect(m.amplification?.perService.find((s) => s.service === 'cache')?.requests).toBe(m.overall.count);
  expect(m.amplification?.deepestPerClientRequest).toBe(1);
  expect(m.phases.every((p) => p.amplification === undefined)).toBe(true);
  const unseen = m.services[0]!.unseen ?? [];
  expect(unseen.some((u) => u.startsWith('GC correlation: on a fleet'))).toBe(true);
  expect(unseen.some((u) => u.startsWith('per-phase /metrics counts: on a fleet'))).toBe(true);
}

export function describeRun(m: RunSummary): string {
  const resources = m.resources!.find((r) => r.service === 'cache')!;
  const gc = m.gc!.find((g) => g.service === 'cache')!;
  return (
    `count ${m.overall.count} of ${RATE_RPS * DURATION_S} intended, p50 ${m.overall.latency.p50Us} us, p99 ${m.overall.latency.p99Us} us; ` +
    `hops ${m.hops!.hops.map((h) => `${h.name} ${h.count} responses, own p99 ${h.selfTime.p99Us} us`).join(', ')}; ` +
    `cache: ${resources.points.length} resource samples (max ${Math.max(...resources.points.map((p) => p.memoryBytes >> 20))} MiB), ` +
    `${gc.pauses.length} GC pauses, /metrics requests ${m.amplification!.perService[0]!.requests}; faults ${m.faults!.map((f) => `${f.kind}@${f.tMs}ms`).join(' ')}`
  );
}
