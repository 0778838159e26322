/**
 * A scenario with services on a fleet, without an engine: the coordinator runs the services on its own
 * loopback, so a fleet whose generators could not reach it (kubernetes, another engine) is refused with
 * exit 2 before anything starts; the generators get each phase's target resolved to its service's URL,
 * the run's CA added to the TLS trust, and neither services nor faults. The runs themselves are in
 * test/integration/fleet-services.test.ts.
 */

import { join } from 'node:path';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/program.js';
import { resolvedForGenerators } from '../../src/fleet/fleet-services.js';
import { loadScenario } from '../../src/library/scenario.js';
import type { StartedService } from '../../src/runtime/types.js';
import { resolveTopology } from '../../src/scenario/topology.js';

const QUICKSTART = join(import.meta.dirname, '../../scenarios/quickstart.yaml');
const ROOT = join(import.meta.dirname, '../..');
const SERVICES = `${join(ROOT, 'scenarios/quickstart.yaml')} declares services (origin, cache, api)`;

async function cli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stderr: string }> {
  let stderr = '';
  const out = new Writable({ write: (_c, _e, done) => done() });
  const err = new Writable({ write: (chunk, _, done) => ((stderr += String(chunk)), done()) });
  const code = await main(args, { stdout: out, stderr: err, env, cwd: ROOT });
  return { code, stderr };
}

describe('a fleet whose generators could not reach the coordinator\'s services is refused before anything starts', () => {
  it.each([
    [
      ['--fleet', 'kubernetes', '--generator-image', 'registry.example/g:1', '--coordinator-address', '10.0.0.5'],
      {},
      `hopscope: --fleet kubernetes: ${SERVICES}, which the coordinator runs on this machine's loopback, out of the pods' reach`,
    ],
    [
      ['--fleet', 'docker', '--docker-host', 'tcp://10.1.2.3:2375'],
      {},
      `hopscope: --docker-host: ${SERVICES}, which the coordinator runs on this machine's loopback: generators on another engine cannot reach them`,
    ],
    [
      ['--fleet', 'swarm', '--docker-host', 'ssh://ops@manager'],
      {},
      `hopscope: --docker-host: ${SERVICES}, which the coordinator runs on this machine's loopback: generators on another engine cannot reach them`,
    ],
    [
      ['--fleet', 'docker'],
      { DOCKER_HOST: 'tcp://192.0.2.1:2376' },
      `hopscope: DOCKER_HOST=tcp://192.0.2.1:2376: ${SERVICES}, which the coordinator runs on this machine's loopback: generators on that engine cannot reach them`,
    ],
  ])('%j %j', async (flags, env, message) => {
    const r = await cli(['run', 'scenarios/quickstart.yaml', '--generators', '3', ...flags], env);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain(message);
    expect(r.stderr).toContain('hint: ');
    // Refused before the runtime was chosen: nothing started.
    expect(r.stderr).not.toContain('runtime:');
  });

  it('names the fleets that do reach them', async () => {
    const r = await cli(['run', 'scenarios/quickstart.yaml', '--generators', '3', '--fleet', 'kubernetes', '--generator-image', 'g:1', '--coordinator-address', '10.0.0.5']);
    expect(r.stderr).toContain('hint: use --fleet docker or swarm on this machine\'s engine, or start the services where the generators reach them');
  });

  it('refuses a printed Job for a scenario with services: it has no coordinator to run them', async () => {
    const r = await cli(['fleet', 'manifest', 'scenarios/quickstart.yaml', '--generators', '3', '--generator-image', 'g:1']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`hopscope: fleet manifest: ${SERVICES}; a printed Job has no coordinator to run them`);
  });
});

describe('the scenario the generators get', () => {
  const CA = '-----BEGIN CERTIFICATE-----\nMIIBrunca\n-----END CERTIFICATE-----\n';

  function started(specs: ReturnType<typeof resolveTopology>, ca?: string): StartedService[] {
    return specs.map((spec) => ({ spec, url: `http://127.0.0.1:${spec.port}`, ca: spec.tls ? ca : undefined }) as unknown as StartedService);
  }

  it('targets the running services\' URLs and carries no services and no faults', async () => {
    const scenario = await loadScenario(QUICKSTART);
    const shipped = resolvedForGenerators(scenario, started(resolveTopology(scenario)));
    expect(shipped.services).toEqual([]);
    expect(shipped.phases.map((p) => p.target)).toEqual(['http://127.0.0.1:18182', 'http://127.0.0.1:18182', 'http://127.0.0.1:18182', 'http://127.0.0.1:18181']);
    expect(shipped.phases.every((p) => p.faults.length === 0)).toBe(true);
    expect(shipped.tls).toEqual(scenario.tls);
    expect(shipped.requests).toEqual(scenario.requests);
  });

  it('adds the run\'s CA to the TLS trust when a phase targets a tls: true service, keeping the scenario\'s own', async () => {
    const scenario = await loadScenario(QUICKSTART);
    const tlsApi = { ...scenario, tls: { ...scenario.tls, ca: 'SCENARIO-CA' }, services: scenario.services.map((s) => (s.name === 'api' ? { ...s, tls: true } : s)) };
    const shipped = resolvedForGenerators(tlsApi, started(resolveTopology(tlsApi), CA));
    expect(shipped.phases[0]!.target).toBe('https://127.0.0.1:18182');
    expect(shipped.tls.ca).toBe(`SCENARIO-CA\n${CA}`);
  });
});
