/**
 * The kubernetes fleet against a STAND-IN API server (kubernetes-standin.ts), not a cluster: none can run
 * here. What is real: @kubernetes/client-node reading a kubeconfig and calling the API, the Indexed Job it
 * sends, the generators (the built CLI, run by the stand-in as its "pods"), their framed logs and the merge.
 * What is not: scheduling, image pulls, the kubelet, hostNetwork.
 */

import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Cleanup } from '../../bench/lib/cleanup.js';
import { startNginx } from '../../bench/lib/nginx.js';
import { hgrmTotals, javaReady, processHlog } from '../hdr-java.js';
import { decodeScenario, SHIPPED_SCENARIO_ENV } from '../../src/scenario/shipped.js';
import { CLI, hopscope, startCli } from './cli-helpers.js';
import { writeFleetScenario } from './fleet-scenario-file.js';
import { KubernetesStandin, standinKubeconfig } from './kubernetes-standin.js';
import { freePort } from './runtime-helpers.js';
import { outDir, summaryOf } from './target-helpers.js';

const cleanup = new Cleanup(() => undefined);
let target: string;
let standin: KubernetesStandin;
let env: NodeJS.ProcessEnv;
const kubeDir = mkdtempSync(join(tmpdir(), 'hopscope-kube-'));
const fleet = ['--generators', '3', '--fleet', 'kubernetes', '--generator-image', 'registry.invalid/hopscope/generator:test', '--coordinator-address', '127.0.0.1'];

beforeAll(async () => {
  const port = await freePort();
  await startNginx({ port, body: '{"ok":true}', cleanup });
  target = `http://127.0.0.1:${port}/`;
}, 60_000);

beforeEach(async () => {
  standin = new KubernetesStandin(CLI);
  const server = await standin.start();
  const kubeconfig = join(kubeDir, 'config');
  writeFileSync(kubeconfig, standinKubeconfig(server));
  env = { ...process.env, KUBECONFIG: kubeconfig };
});

afterEach(async () => {
  await standin.stop();
});

afterAll(async () => {
  await cleanup.runAll();
  rmSync(kubeDir, { recursive: true, force: true });
});

function deletions(): { path: string; policy: string | null; body: unknown }[] {
  return standin.requests.filter((r) => r.method === 'DELETE').map((r) => ({ path: r.path, policy: r.query.get('propagationPolicy'), body: r.body }));
}

describe('fleet on kubernetes, against a stand-in API server (no cluster)', () => {
  it('creates an Indexed Job in the kubeconfig namespace, merges the pods\' logged results, deletes the Job', async () => {
    const merged = join(outDir(), 'k8s');
    const transitBefore = transitFolders();
    const r = await hopscope(['run', '--target', target, '--rate', '1500', '--connections', '15', '--duration', '5s', ...fleet, '--out', merged], 180_000, env);
    expect(r.code, r.stderr).toBe(0);
    // The pods run as processes of this host: each wrote its results to a folder of its own and removed it
    // (and removed those that killed generators of earlier runs had left: fewer may remain, none is new).
    expect(transitFolders().filter((name) => !transitBefore.includes(name))).toEqual([]);
    const [create] = standin.requests.filter((q) => q.method === 'POST');
    expect(create!.path).toBe('/apis/batch/v1/namespaces/loadtest/jobs');
    const job = create!.body as { spec: { completionMode: string; completions: number; parallelism: number; template: { spec: { hostNetwork: boolean; containers: { image: string }[] } } } };
    expect(job.spec).toMatchObject({ completionMode: 'Indexed', completions: 3, parallelism: 3 });
    expect(job.spec.template.spec.hostNetwork).toBe(true);
    expect(job.spec.template.spec.containers[0]!.image).toBe('registry.invalid/hopscope/generator:test');
    const m = summaryOf(merged);
    expect(Math.abs(m.overall.count - 7500) / 7500).toBeLessThan(0.005);
    expect(m.fleet?.kind).toBe('kubernetes');
    const parts = [1, 2, 3].map((i) => summaryOf(join(merged, 'generators', `g${i}`)));
    expect(m.overall.count).toBe(parts.reduce((n, p) => n + p.overall.count, 0));
    if (javaReady) expect(hgrmTotals(processHlog(join(merged, 'latency.hlog'), join(merged, 'java')).hgrm).count).toBe(m.overall.count);
    const [deleted] = deletions();
    expect(deleted!.path).toMatch(/^\/apis\/batch\/v1\/namespaces\/loadtest\/jobs\/hopscope-fleet-/);
    expect(deleted!.policy ?? (deleted!.body as { propagationPolicy?: string })?.propagationPolicy).toBe('Background');
  }, 200_000);

  it('runs a scenario file: the Job carries the validated scenario, and its request threshold is gated on the merge', async () => {
    const file = writeFleetScenario({ target, rateRps: 900, duration: '3s', connections: 9, thresholds: ['{ expr: "p99 < 10s", request: order }'] });
    try {
      const merged = join(outDir(), 'k8s-scenario');
      const r = await hopscope(['run', file, ...fleet, '--out', merged], 180_000, env);
      expect(r.code, r.stderr).toBe(0);
      const [create] = standin.requests.filter((q) => q.method === 'POST');
      const container = (create!.body as { spec: { template: { spec: { containers: { env: { name: string; value?: string }[] }[] } } } }).spec.template.spec.containers[0]!;
      const shipped = decodeScenario(container.env.find((e) => e.name === SHIPPED_SCENARIO_ENV)!.value);
      expect(shipped.name).toBe('fleet-mix');
      expect(shipped.requests.find((q) => q.name === 'order')!.body?.toString()).toBe('{"sku":"a-1","qty":2}');
      const m = summaryOf(merged);
      expect(Math.abs(m.overall.count - 2700) / 2700).toBeLessThan(0.005);
      expect(m.requests.map((q) => q.name).sort()).toEqual(['item', 'order']);
      expect(r.stdout).toMatch(/pass +│ request order +│ p99 < 10s/);
      console.log(`kubernetes stand-in, scenario file: count ${m.overall.count} of 2700 (${m.requests.map((q) => `${q.name} ${q.count}`).join(', ')})`);
    } finally {
      rmSync(dirname(file), { recursive: true, force: true });
    }
  }, 200_000);

  it("fails the run with the failed pod's log and deletes the Job", async () => {
    const closed = await freePort();
    const r = await hopscope(['run', '--target', `http://127.0.0.1:${closed}/`, '--rate', '100', '--connections', '3', '--duration', '2s', ...fleet, '--out', join(outDir(), 'f')], 120_000, env);
    expect(r.code, r.stderr).toBe(3);
    expect(r.stderr).toMatch(/generator \d of 3 \(pod hopscope-fleet-\S+\) failed; the other generators were stopped\. Its log:/);
    expect(r.stderr).toMatch(/no successful response/);
    expect(deletions()).toHaveLength(1);
    expect(standin.running()).toBe(0);
  }, 150_000);

  it('deletes the Job on Ctrl-C and exits 130', async () => {
    const cli = startCli(['run', '--target', target, '--rate', '200', '--connections', '3', '--duration', '30s', ...fleet, '--out', join(outDir(), 'c')], env);
    await cli.until(/load starts at/, 60_000);
    await new Promise((r) => setTimeout(r, 1000));
    cli.child.kill('SIGINT');
    expect(await cli.exited).toBe(130);
    expect(deletions()).toHaveLength(1);
    expect(standin.running()).toBe(0);
  }, 120_000);

  it('refuses to run without --generator-image or --coordinator-address, with exit 2', async () => {
    const noImage = await hopscope(['run', '--target', target, '--rate', '100', '--connections', '3', '--generators', '3', '--fleet', 'kubernetes'], 30_000, env);
    expect(noImage.code).toBe(2);
    expect(noImage.stderr).toContain('--fleet kubernetes needs --generator-image REF');
    const noAddress = await hopscope(['run', '--target', target, '--rate', '100', '--connections', '3', '--generators', '3', '--fleet', 'kubernetes', '--generator-image', 'x'], 30_000, env);
    expect(noAddress.code).toBe(2);
    expect(noAddress.stderr).toContain('--fleet kubernetes needs --coordinator-address IP');
    expect(standin.requests).toEqual([]);
  }, 60_000);
});

/** The folders generators that send results through their log pass them through (framesRunDir). */
function transitFolders(): string[] {
  return readdirSync(tmpdir()).filter((name) => name.startsWith('hopscope-run-'));
}
