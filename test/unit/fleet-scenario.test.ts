/**
 * Scenario files on a fleet, without an engine: the validated scenario shipped to the generators (bodies
 * and TLS PEMs inlined) comes back equal; `fleet manifest FILE` prints a Job that validates against the
 * official Kubernetes schema and carries it; what a fleet cannot run is refused with exit 2 before anything
 * starts. The runs themselves are in test/integration/fleet-scenario-docker.test.ts.
 */

import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { Job } from 'kubernetes-models/batch/v1/Job';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { main } from '../../src/cli/program.js';
import { loadScenario } from '../../src/library/scenario.js';
import { decodeScenario, encodeScenario, MAX_SHIPPED_SCENARIO_CHARS, SHIPPED_SCENARIO_ENV } from '../../src/scenario/shipped.js';

const dir = mkdtempSync(join(tmpdir(), 'hopscope-fleet-scenario-'));
const PEM = '-----BEGIN CERTIFICATE-----\nMIIBfleetscenariotest\n-----END CERTIFICATE-----\n';
writeFileSync(join(dir, 'order.json'), '{"sku":"a-1","qty":2}');
writeFileSync(join(dir, 'ca.pem'), PEM);
writeFileSync(join(dir, 'big.bin'), randomBytes(200_000));

function scenarioFile(name: string, lines: string[]): string {
  const path = join(dir, `${name}.yaml`);
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
}

const MIX = [
  'requests:',
  '  - { name: item, path: "/items/{id}", vars: { id: { uniform: [1, 100] } }, weight: 3 }',
  '  - { name: order, method: POST, path: /orders, bodyFile: order.json }',
];
const mix = scenarioFile('mix', [
  'name: fleet-mix',
  'seed: 7',
  'target: http://127.0.0.1:8080/',
  'tls: { ca: ca.pem }',
  ...MIX,
  'phases:',
  '  - { name: steady, duration: 5s, load: { model: open, rate: 300, connections: 6 } }',
  'thresholds:',
  '  - "p99 < 1s"',
  '  - { expr: "p99 < 1s", request: order }',
]);
const big = scenarioFile('big', [
  'name: fleet-big',
  'target: http://127.0.0.1:8080/',
  'requests: [{ name: upload, method: POST, path: /upload, bodyFile: big.bin }]',
  'phases: [{ name: steady, duration: 2s, load: { model: open, rate: 300, connections: 6 } }]',
]);
const knee = scenarioFile('knee', [
  'name: fleet-knee',
  'target: http://127.0.0.1:8080/',
  ...MIX,
  'knee: { from: 100, step: 100, max: 300, stepDuration: 1s, connections: 6, slo: { percentile: 99, below: 5ms } }',
]);
const unknownRequest = scenarioFile('unknown-request', [
  'name: fleet-unknown',
  'target: http://127.0.0.1:8080/',
  ...MIX,
  'phases: [{ name: steady, duration: 2s, load: { model: open, rate: 300, connections: 6 } }]',
  'thresholds: [{ expr: "p99 < 1s", request: cart }]',
]);
const withServices = join(import.meta.dirname, '../../scenarios/quickstart.yaml');

afterAll(() => rmSync(dir, { recursive: true, force: true }));

function sink(): { stream: Writable; text: () => string } {
  let text = '';
  const stream = new Writable({ write: (chunk, _, done) => ((text += String(chunk)), done()) });
  return { stream, text: () => text };
}

async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = sink();
  const err = sink();
  const code = await main(args, { stdout: out.stream, stderr: err.stream, env: {}, cwd: dir });
  return { code, stdout: out.text(), stderr: err.text() };
}

describe('a scenario shipped to the generators', () => {
  it('comes back equal to the validated scenario, the body file and the CA inlined', async () => {
    const scenario = await loadScenario(mix);
    const shipped = decodeScenario(encodeScenario(scenario));
    expect(shipped).toEqual(scenario);
    expect(shipped.requests.find((r) => r.name === 'order')!.body).toEqual(readFileSync(join(dir, 'order.json')));
    expect(shipped.tls.ca).toBe(PEM);
  });

  it('is refused by a generator when it is missing, damaged, or from another hopscope version', () => {
    expect(() => decodeScenario(undefined)).toThrow(`${SHIPPED_SCENARIO_ENV} is not set`);
    expect(() => decodeScenario('not base64 gzip')).toThrow('is not a scenario the coordinator encoded');
    const other = gzipSync(JSON.stringify({ format: 'hopscope.scenario/v1', hopscope: '0.0.0-other', scenario: {} })).toString('base64');
    expect(() => decodeScenario(other)).toThrow(/the coordinator is hopscope 0\.0\.0-other, this generator/);
  });

  it('is refused with the limit named when it is too large to ship', async () => {
    const r = await cli(['run', big, '--generators', '3']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`the scenario is [\\d,]+ characters shipped \\(gzip, base64, bodies and TLS PEMs inlined\\); a fleet ships at most ${MAX_SHIPPED_SCENARIO_CHARS.toLocaleString('en-US')} to each generator`));
  });
});

describe('`hopscope fleet manifest SCENARIO`', () => {
  it('prints a Job that validates and carries the validated scenario', async () => {
    const r = await cli(['fleet', 'manifest', 'mix.yaml', '--generators', '3', '--generator-image', 'registry.example/hopscope/generator:1']);
    expect(r.code, r.stderr).toBe(0);
    const job = parse(r.stdout);
    expect(() => new Job(job).validate()).not.toThrow();
    const container = job.spec.template.spec.containers[0];
    expect(container.args.slice(0, 6)).toEqual(['run', '--shipped-scenario', '--runtime', 'process', '--segment', '$(HOPSCOPE_SEGMENT_INDEX)/3']);
    const value = container.env.find((e: { name: string }) => e.name === SHIPPED_SCENARIO_ENV).value as string;
    expect(value.length).toBeLessThanOrEqual(MAX_SHIPPED_SCENARIO_CHARS);
    expect(decodeScenario(value)).toEqual(await loadScenario(mix));
    expect(job.spec.activeDeadlineSeconds).toBe(5 + 120);
  });

  it('refuses what the generators would refuse at their start, with exit 2', async () => {
    const r = await cli(['fleet', 'manifest', unknownRequest, '--generators', '3', '--generator-image', 'x']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('the scenario has no request named "cart"');
  });
});

describe('what a fleet cannot run is refused before anything starts, with exit 2', () => {
  it.each([
    [['fleet', 'manifest', withServices, '--generators', '3', '--generator-image', 'x'], 'declares services (origin, cache, api)'],
    [['run', knee, '--generators', '3', '--fleet', 'swarm'], 'searches for a knee'],
    [['fleet', 'manifest', big, '--generators', '3', '--generator-image', 'x'], 'a fleet ships at most 120,000'],
  ])('%j', async (args, message) => {
    const r = await cli(args);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain(message);
  });

  it('refuses --engine autocannon, which runs no segment', async () => {
    const r = await cli(['run', '--target', 'http://127.0.0.1:8080/', '--connections', '6', '--generators', '3', '--engine', 'autocannon']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('each generator runs its segment on the hopscope engine, not --engine autocannon');
  });
});
