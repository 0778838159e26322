/**
 * A scenario with a service on the docker fleet for real: the coordinator starts the Go reference service
 * (the run's runtime, containers when the engine answers), two generator containers on this machine's
 * engine load it over loopback, and the merged run carries the service as a run on one machine does:
 * Server-Timing attribution, resources, GC pauses, the pause fault, /metrics counts. Ctrl-C during the
 * load stops the generators and the service. No container is left either way.
 */

import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { dockerUp, hopscope, startCli } from './cli-helpers.js';
import { containersOf, describeRun, expectServiceObserved, writeServiceScenario } from './fleet-services-scenario.js';
import { outDir, summaryOf } from './target-helpers.js';

const files: string[] = [];

afterAll(() => {
  for (const file of files) rmSync(dirname(file), { recursive: true, force: true });
});

describe.skipIf(!dockerUp)('a scenario with a service on the docker fleet', () => {
  it('2 generators load the coordinator\'s service; the merge carries its hops, resources, GC pauses, fault and counters', async () => {
    const file = await writeServiceScenario();
    files.push(file);
    const merged = join(outDir(), 'fleet-services');
    const r = await hopscope(['run', file, '--generators', '2', '--fleet', 'docker', '--out', merged], 300_000);
    expect(r.code, r.stderr).toBe(0);
    const m = summaryOf(merged);
    expectServiceObserved(m, 2);
    expect(m.fleet?.kind).toBe('docker');
    expect(r.stdout).toContain('not seen in cache: GC correlation: on a fleet');
    console.log(`docker fleet of 2 with a service: ${describeRun(m)}`);
    expect(containersOf(r.stderr)).toEqual([]);
  }, 360_000);

  it('stops the generators and the service on Ctrl-C during the load and exits 130', async () => {
    const file = await writeServiceScenario(30);
    files.push(file);
    const cli = startCli(['run', file, '--generators', '2', '--fleet', 'docker', '--out', join(outDir(), 'c')]);
    await cli.until(/load starts at \S+/, 180_000);
    const startAt = Date.parse(/load starts at (\S+)/.exec(cli.stderr())![1]!);
    await new Promise((r) => setTimeout(r, Math.max(0, startAt - Date.now()) + 1500));
    // Its two generators, its service and the two runs' reapers.
    expect(containersOf(cli.stderr()).length).toBeGreaterThanOrEqual(5);
    cli.child.kill('SIGINT');
    expect(await cli.exited).toBe(130);
    expect(containersOf(cli.stderr())).toEqual([]);
  }, 240_000);
});
