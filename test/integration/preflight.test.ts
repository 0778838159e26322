/**
 * Mistakes that can be found from the scenario, the flags and the thresholds are usage errors (exit 2)
 * before anything is built or started: run against the quickstart, whose services would need a cargo and a
 * go build, each case must end at once with the reason, no run folder, and no runtime chosen.
 */

import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hopscope, outDir } from './cli-helpers.js';

async function refused(args: string[], message: RegExp | string): Promise<void> {
  const out = join(outDir(), 'run');
  const result = await hopscope(['run', 'scenarios/quickstart.yaml', '--out', out, '--runtime', 'process', ...args], 30_000);
  expect(result.code, result.stderr).toBe(2);
  expect(result.stderr).toMatch(message);
  // Nothing was started: no runtime was chosen, no build ran, no run folder was made.
  expect(result.stderr).not.toMatch(/runtime: |building|cargo|go build/);
  expect(existsSync(out)).toBe(false);
}

describe('checked before anything starts', () => {
  it('a threshold on a request the scenario does not send', async () => {
    await refused(['--threshold', 'itme: p99 < 5ms'], 'threshold "itme: p99 < 5ms": the scenario has no request named "itme"; requests: item, order, bench-json');
  });

  it('a threshold on a hop no service of the scenario writes', async () => {
    await refused(['--threshold', 'hop:redis: p99 < 2ms'], /no service of the scenario writes the hop "redis"; hops: origin, rust-cache-server, fastjson-api, outside/);
  });

  it('a threshold that does not parse', async () => {
    await refused(['--threshold', 'p99 < fast'], /threshold "p99 < fast"/);
  });

  it('--engine autocannon with open-loop phases', async () => {
    await refused(['--engine', 'autocannon'], /phase open: --engine autocannon runs closed-loop phases only/);
  });

  it('--workers with another engine, and out of range', async () => {
    await refused(['--engine', 'autocannon', '--workers', '2'], '--workers: worker threads run the hopscope engine, not --engine autocannon');
    await refused(['--workers', '0'], '--workers: expected a whole number from 1 to 64, got "0"');
  });

  it('an engine or runtime that does not exist, from commander\'s choices', async () => {
    await refused(['--engine', 'wrk'], "argument 'wrk' is invalid. Allowed choices are hopscope, autocannon.");
    await refused(['--runtime', 'podman'], "argument 'podman' is invalid. Allowed choices are auto, docker, process.");
  });
});

describe('a damaged run folder', () => {
  it('is exit 2 naming the file and the field', async () => {
    const dir = outDir();
    const run = await hopscope(['run', '--target', 'http://127.0.0.1:9/', '--rate', '10', '--duration', '200ms', '--out', dir, '--quiet'], 30_000);
    // A dead target: the run itself exits 1 (no successful response) but writes its folder.
    expect(run.code).toBe(1);
    const path = join(dir, 'summary.json');
    const summary = JSON.parse(readFileSync(path, 'utf8'));
    summary.overall.latency.p99Us = 'fast';
    delete summary.phases;
    writeFileSync(path, JSON.stringify(summary));
    const gate = await hopscope(['gate', dir, '--threshold', 'p99 < 1s'], 30_000);
    expect(gate.code).toBe(2);
    expect(gate.stderr).toContain(`${path}: not a valid hopscope.summary/v2 summary`);
    expect(gate.stderr).toContain("overall.latency.p99Us: must be number");
    expect(gate.stderr).toContain("(top level): must have required property 'phases'");
    mkdirSync(join(dir, 'empty'));
    expect((await hopscope(['report', join(dir, 'empty')], 30_000)).stderr).toMatch(/summary\.json: not found/);
  });
});
