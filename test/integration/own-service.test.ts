/**
 * A team's own Go service (examples/own-service: net/http + expvar, nothing hopscope-specific) run through
 * the built CLI both ways: as an image built through dockerode from its Dockerfile, and as a command. Its GC
 * pauses come from expvar into summary.json and the HTML report; a service with neither Server-Timing nor a
 * GC source runs too, and the report says what it could not see.
 */

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { dockerUp, hopscope, outDir, summaryOf } from './cli-helpers.js';
import { buildExampleBinary, hopscopeContainers, ordersScenario, runIdIn, scenarioFile } from './own-service-helpers.js';
import { freePort } from './runtime-helpers.js';

beforeAll(() => buildExampleBinary());

const PHASES = `  - name: steady
    duration: 6s
    load: { model: open, rate: 300, connections: 16 }
    faults:
      - { kind: pause, service: orders, at: 1500ms, duration: 300ms }
      - { kind: kill, service: orders, at: 3500ms }`;

describe.each(dockerUp ? ['process', 'docker'] : ['process'])('examples/own-service in the %s runtime', (runtime) => {
  it('reads GC pauses from expvar into summary.json and the report, samples resources, a pause fault freezes it, a kill restarts it', async () => {
    const dir = outDir();
    const r = await hopscope(['run', ordersScenario(await freePort(), PHASES), '--runtime', runtime, '--out', dir], 120_000);
    expect(r.code, r.stderr).toBe(0);
    const s = summaryOf(dir);
    expect(s.services[0]).toMatchObject({ name: 'orders', kind: 'own', language: 'go', hop: 'orders' });
    expect(s.services[0]!.describe).toMatch(runtime === 'docker' ? /^docker: container .* from image hopscope-build\/orders:[0-9a-f]{12}/ : /^process: .*examples\/own-service\/orders --listen/);
    expect(s.overall.count).toBeGreaterThan(1000);
    // Only the requests in flight when it was killed may fail; the rest succeed.
    expect(s.overall.statuses['2xx']).toBeGreaterThan(1000);
    expect(s.overall.errorRate).toBeLessThan(0.05);

    const gc = s.gc!.find((g) => g.service === 'orders')!;
    expect(gc.collector).toBe('go');
    expect(gc.note).toMatch(/\/debug\/vars \(expvar memstats\)/);
    expect(gc.pauses.length).toBeGreaterThan(5); // 64 KB of garbage per request at GOGC=50
    // The restarted service counts its cycles from 0 again: its pauses after the kill are read too.
    const killedAtMs = s.faults!.find((f) => f.kind === 'restart')!.tMs;
    expect(gc.pauses.some((p) => p.tMs > killedAtMs)).toBe(true);
    expect(gc.lost).toBe(0);
    for (const p of gc.pauses) expect(p.durationUs).toBeGreaterThan(0);

    const resources = s.resources!.find((x) => x.service === 'orders')!;
    expect(resources.points.length).toBeGreaterThanOrEqual(3);
    expect(Math.max(...resources.points.map((p) => p.memoryBytes))).toBeGreaterThan(1 << 20);

    // Frozen for 300 ms: requests due then wait for it, and the Server-Timing hop is the service's own.
    expect(s.faults!.map((f) => f.kind)).toEqual(['pause', 'unpause', 'kill', 'restart']);
    expect(s.overall.latency.maxUs).toBeGreaterThan(200_000);
    expect(s.hops!.hops.map((h) => h.name)).toContain('orders');
    expect(s.services[0]!.unseen).toEqual(['no known /metrics counters: per-hop request, timeout and retry counts are not available for it']);

    const html = readFileSync(join(dir, 'report.html'), 'utf8');
    expect(html).toContain('orders (own): Go GC');
    expect(html).toContain('Go GC pauses polled from /debug/vars (expvar memstats)');
    expect(html).toMatch(new RegExp(`${gc.pauses.length} pauses`));
    if (runtime === 'docker') expect(await hopscopeContainers(runIdIn(r.stderr))).toEqual([]);
  }, 180_000);
});

describe('a service without Server-Timing or GC source (python3 -m http.server)', () => {
  it('runs, and the report says what hopscope could not see', async () => {
    const dir = outDir();
    const port = await freePort();
    const file = scenarioFile(`name: plain
services:
  - name: files
    command: ["python3", "-m", "http.server", "{{port}}", "--bind", "127.0.0.1"]
    port: ${port}
    ready: { http: /, timeout: 20s }
    language: python
requests:
  - { name: index, path: / }
phases:
  - { name: main, duration: 2s, load: { model: closed, connections: 2 } }
`);
    const r = await hopscope(['run', file, '--out', dir], 60_000);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/runtime: process \(auto: "files" has a command but no image or build\)/);
    const s = summaryOf(dir);
    expect(s.overall.count).toBeGreaterThan(50);
    expect(s.gc![0]).toMatchObject({ service: 'files', collector: 'unseen', pauses: [] });
    expect(s.services[0]!.unseen).toEqual([
      'no response carried a Server-Timing entry named "files": its time is not attributed to it (it is part of "outside" or of its caller\'s own time)',
      'GC: python: it has a garbage collector, but no GC source is configured, so its pauses are not visible here',
      'no known /metrics counters: per-hop request, timeout and retry counts are not available for it',
    ]);
    expect(r.stdout).toContain('not seen in files: no response carried a Server-Timing entry named "files"');
    const html = readFileSync(join(dir, 'report.html'), 'utf8');
    expect(html).toContain('What hopscope could not see');
    expect(html).toContain('files (own): GC not visible to hopscope');
  }, 90_000);
});
