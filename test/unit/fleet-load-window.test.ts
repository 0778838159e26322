/**
 * The coordinator's observers over a fleet's load window, on stand-in services (no engine, no network):
 * faults fire at each phase's nominal start counted from the common start, every time comes out on the
 * merged run's clock, a phase whose measured start moved more than the bound gets a warning, and what a
 * fleet cannot see of a service is said.
 */

import { describe, expect, it } from 'vitest';
import { ServiceLoadWindow } from '../../src/fleet/load-window.js';
import type { RunningServices } from '../../src/pipeline/services.js';
import type { StartedService } from '../../src/runtime/types.js';
import type { PhaseDecl, Scenario } from '../../src/scenario/types.js';

function standIn(): StartedService & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    spec: { name: 'cache', kind: 'own', language: 'rust', hop: 'cache', args: [], gc: { source: 'none' }, counters: undefined },
    url: 'http://127.0.0.1:1',
    ca: undefined,
    describe: 'a stand-in',
    pause: async () => void calls.push('pause'),
    unpause: async () => void calls.push('unpause'),
    restart: async () => undefined,
    sample: async () => ({ atMs: Date.now(), cpuPercent: 12.5, memoryBytes: 1 << 20 }),
    down: async () => undefined,
  } as unknown as StartedService & { calls: string[] };
}

function phase(name: string, durationMs: number, faults: PhaseDecl['faults']): PhaseDecl {
  return { name, durationMs, protocol: 'h1', load: { model: 'closed', connections: 2, pipelining: 1 }, target: 'cache', mix: [], record: true, faults };
}

describe('a fleet\'s load window', () => {
  it('fires faults from the common start and reports them on the merged clock, with a warning where a phase moved more than the bound', async () => {
    const service = standIn();
    const scenario = {
      services: [],
      phases: [phase('one', 300, [{ kind: 'pause', service: 'cache', atMs: 100, durationMs: 20, everyMs: undefined }]), phase('two', 300, [{ kind: 'pause', service: 'cache', atMs: 50, durationMs: 20, everyMs: undefined }])],
    } as unknown as Scenario;
    const services: RunningServices = { started: [service], description: 'process (stand-in)', down: async () => undefined };
    const window = new ServiceLoadWindow(scenario, services);
    const startAtEpochMs = Date.now() + 50;
    await window.begin(startAtEpochMs);
    await new Promise((r) => setTimeout(r, 1300));
    await window.end();
    expect(service.calls).toEqual(['pause', 'unpause', 'pause', 'unpause']);
    // The merged run began 10 ms after the common start; phase two's generators started 200 ms after its nominal start.
    const seen = window.observed({ originEpochMs: startAtEpochMs + 10, hops: undefined, phases: [{ name: 'one', startMs: 0 }, { name: 'two', startMs: 490 }], sent: 100 });
    const pauses = seen.analysis.faults!.filter((f) => f.kind === 'pause').map((f) => f.tMs);
    expect(pauses[0]).toBeGreaterThanOrEqual(88);
    expect(pauses[0]).toBeLessThan(160);
    expect(pauses[1]).toBeGreaterThanOrEqual(338);
    expect(pauses[1]).toBeLessThan(410);
    expect(seen.warnings).toEqual([
      'phase two: its faults were timed from the phase\'s nominal start (0.29 s into the run); the generators\' phase started 200 ms later, so the faults came that much earlier in it',
    ]);
    const points = seen.analysis.resources![0]!.points;
    expect(points.length).toBeGreaterThanOrEqual(1);
    expect(points[0]!.tMs).toBeGreaterThan(900);
    expect(seen.runtime).toBe('process (stand-in)');
    expect(seen.services[0]!.unseen).toContain('no known /metrics counters: per-hop request, timeout and retry counts are not available for it');
    expect(seen.analysis.amplification).toEqual({ perService: [], deepestPerClientRequest: undefined });
  });

  it('ends at once when it never began', async () => {
    const window = new ServiceLoadWindow({ phases: [] } as unknown as Scenario, { started: [], description: 'none', down: async () => undefined });
    await expect(window.end()).resolves.toBeUndefined();
  });
});
