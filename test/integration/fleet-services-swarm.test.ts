/**
 * A scenario with a service on the swarm fleet for real (run under `flock /tmp/hopscope-swarm.lock`): this
 * machine's engine a one-node swarm (`docker swarm init --advertise-addr 127.0.0.1`, left again only if
 * the test made it), the generators a replicated job pinned to this node, loading the service the
 * coordinator started on its loopback; the merge carries the service as the docker fleet's does.
 */

import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dockerUp, hopscope } from './cli-helpers.js';
import { containersOf, describeRun, expectServiceObserved, writeServiceScenario } from './fleet-services-scenario.js';
import { docker, joinSwarm } from './swarm-helpers.js';
import { outDir, summaryOf } from './target-helpers.js';

let leaveSwarm = (): void => undefined;
let file: string | undefined;

beforeAll(() => {
  if (!dockerUp) return;
  leaveSwarm = joinSwarm();
}, 60_000);

afterAll(() => {
  if (file) rmSync(dirname(file), { recursive: true, force: true });
  leaveSwarm();
}, 60_000);

describe.skipIf(!dockerUp)('a scenario with a service on the swarm fleet', () => {
  it('2 generators as a replicated job on this node load the coordinator\'s service; the merge carries it', async () => {
    file = await writeServiceScenario();
    const merged = join(outDir(), 'swarm-services');
    const r = await hopscope(['run', file, '--generators', '2', '--fleet', 'swarm', '--out', merged], 300_000);
    expect(r.code, r.stderr).toBe(0);
    const m = summaryOf(merged);
    expectServiceObserved(m, 2);
    expect(m.fleet?.kind).toBe('swarm');
    console.log(`swarm fleet of 2 with a service: ${describeRun(m)}`);
    // Removing a job leaves its task containers for the run to remove (swarm-fleet.ts), at once.
    expect(containersOf(r.stderr)).toEqual([]);
    expect(docker('service', 'ls', '--filter', 'label=dev.hopscope', '--format', '{{.Name}}').split('\n').filter((n) => n.includes('fleet-'))).toEqual([]);
  }, 360_000);
});
