/**
 * The generators' Kubernetes Job, checked against the official Kubernetes schema (kubernetes-models'
 * validation, generated from the API's OpenAPI definitions): the Job the fleet creates and the one
 * `hopscope fleet manifest` prints. No cluster runs here; see fleet-kubernetes-standin.test.ts for the client path.
 */

import { Writable } from 'node:stream';
import { Job } from 'kubernetes-models/batch/v1/Job';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { generatorJob, jobDeadlineSeconds } from '../../src/fleet/kubernetes-job.js';
import { main } from '../../src/cli/program.js';
import { adhocScenario } from '../../src/scenario/adhoc.js';
import { decodeScenario, encodeScenario } from '../../src/scenario/shipped.js';

const spec = {
  name: 'hopscope-fleet-abc-1',
  runId: 'fleet-abc-1',
  image: 'registry.example/hopscope/generator:1',
  generators: 3,
  scenario: encodeScenario(adhocScenario({ target: 'http://127.0.0.1:8080/', rate: '300', connections: '3', duration: '10s' })),
  activeDeadlineSeconds: jobDeadlineSeconds(10_000, 14_000),
};

function sink(): { stream: Writable; text: () => string } {
  let text = '';
  const stream = new Writable({ write: (chunk, _, done) => ((text += String(chunk)), done()) });
  return { stream, text: () => text };
}

describe('the generators as a Kubernetes Indexed Job', () => {
  it('is a valid batch/v1 Job with a coordinator start', () => {
    const job = generatorJob({ ...spec, start: { startAtEpochMs: 1_800_000_000_000, clockUrl: 'http://10.0.0.5:4100/time' } });
    expect(() => new Job(job).validate()).not.toThrow();
    expect(job.spec).toMatchObject({ completionMode: 'Indexed', completions: 3, parallelism: 3, backoffLimit: 0, activeDeadlineSeconds: 144 });
    expect(job.spec.template.spec.hostNetwork).toBe(true);
    const args = job.spec.template.spec.containers[0]!.args;
    expect(args.join(' ')).toContain('run --shipped-scenario --runtime process --segment $(HOPSCOPE_SEGMENT_INDEX)/3 --start-at 1800000000000 --coordinator http://10.0.0.5:4100/time --result-frames');
    expect(job.spec.template.spec.containers[0]!.env).toContainEqual({ name: 'HOPSCOPE_SCENARIO', value: spec.scenario });
  });

  it('is rejected by the same validation when it is not a valid Job', () => {
    const job = generatorJob({ ...spec, start: undefined });
    const broken = { ...job, spec: { ...job.spec, completions: 'three' } };
    expect(() => new Job(broken as unknown as ConstructorParameters<typeof Job>[0]).validate()).toThrow(/completions must be integer/);
  });

  it('is what `hopscope fleet manifest` prints, as YAML that validates', async () => {
    const out = sink();
    const err = sink();
    const code = await main(
      ['fleet', 'manifest', '--target', 'http://127.0.0.1:8080/', '--rate', '300', '--connections', '3', '--duration', '10s', '--generators', '3', '--generator-image', spec.image],
      { stdout: out.stream, stderr: err.stream, env: {}, cwd: process.cwd() },
    );
    expect(code, err.text()).toBe(0);
    expect(out.text()).not.toMatch(/[&*]a\d/);
    const printed = parse(out.text());
    expect(() => new Job(printed).validate()).not.toThrow();
    expect(printed).toEqual(generatorJob({ ...spec, name: 'hopscope-generators', runId: 'manifest', start: undefined, activeDeadlineSeconds: jobDeadlineSeconds(10_000, 0) }));
    const shipped = decodeScenario(spec.scenario);
    expect(shipped.phases[0]).toMatchObject({ target: 'http://127.0.0.1:8080', durationMs: 10_000, load: { model: 'open', fromRps: 300, connections: 3 } });
  });

  it('refuses a load that cannot be split, with exit 2', async () => {
    const err = sink();
    const code = await main(['fleet', 'manifest', '--target', 'http://127.0.0.1:8080/', '--rate', '300', '--connections', '2', '--generators', '3', '--generator-image', 'x'], {
      stdout: sink().stream,
      stderr: err.stream,
      env: {},
      cwd: process.cwd(),
    });
    expect(code).toBe(2);
    expect(err.text()).toContain('2 connections cannot be split over 3 generators');
  });
});
