/** The example team service (examples/own-service) for the end-to-end tests: its binary, and scenarios around it. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, run } from './cli-helpers.js';

export const EXAMPLE = join(ROOT, 'examples/own-service');

/** The static binary the Dockerfile copies and `command:` runs, built as the example's README says. */
export function buildExampleBinary(): void {
  execFileSync('go', ['build', '-trimpath', '-ldflags=-s -w', '-o', 'orders', '.'], {
    cwd: EXAMPLE,
    env: { ...process.env, CGO_ENABLED: '0', GOTOOLCHAIN: 'local' },
    timeout: 300_000,
    stdio: 'pipe',
  });
}

/** Writes a scenario file in a fresh temp folder; returns its path. */
export function scenarioFile(yaml: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'hopscope-own-')), 'scenario.yaml');
  writeFileSync(path, yaml);
  return path;
}

/** The example's service entry (build and command both, so --runtime chooses), on `port`. */
export function ordersEntry(port: number): string {
  return `
  - name: orders
    build: ${EXAMPLE}
    command: ["${EXAMPLE}/orders"]
    args: ["--listen", "127.0.0.1:{{port}}", "--garbage-kb", "64"]
    env: { GOGC: "50" }
    port: ${port}
    ready: { http: /healthz, timeout: 20s }
    gc: { go-expvar: /debug/vars }
    language: go`;
}

export function ordersScenario(port: number, phases: string): string {
  return scenarioFile(`name: own-test
services:${ordersEntry(port)}
requests:
  - { name: order, path: "/orders/{id}", vars: { id: { uniform: [1, 1000] } } }
phases:
${phases}
`);
}

/**
 * Names of hopscope's containers as the docker CLI sees them: one run's, or every run's. The machine is shared,
 * so tests compare against what ran before them rather than expect an empty engine.
 */
export async function hopscopeContainers(runId?: string): Promise<string[]> {
  const label = runId === undefined ? 'label=dev.hopscope' : `label=dev.hopscope.run=${runId}`;
  const { stdout } = await run('docker', ['ps', '-a', '--filter', label, '--format', '{{.Names}}']);
  return stdout.split('\n').filter(Boolean).sort();
}

/** The run id hopscope printed when it started the run's reaper. */
export function runIdIn(stderr: string): string {
  const match = /reaper: container hopscope-(\S+)-reaper /.exec(stderr);
  if (!match) throw new Error(`no reaper line in:\n${stderr}`);
  return match[1]!;
}
