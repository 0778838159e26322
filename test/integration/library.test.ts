/**
 * hopscope from code, as a library user calls it (src/index.ts): scenarios from an object, a YAML file and a
 * JS module; run() against a real local server with progress callbacks and an AbortSignal; the saved run
 * read back, gated and compared. The library must leave the process alone: no signal handlers, no exit.
 */

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compare, defineScenario, ExitCode, gate, loadScenario, readRun, run, UsageError, type ProgressEvent, type ScenarioInput } from '../../src/index.js';
import { ChildServer } from './target-helpers.js';

const SERVER = `
const http = require('node:http');
const server = http.createServer((req, res) => res.end('ok'));
server.listen(0, '127.0.0.1', () => console.log(server.address().port));
`;

let server: ChildServer;
let target: string;
const work = mkdtempSync(join(tmpdir(), 'hopscope-library-'));

beforeAll(async () => {
  server = ChildServer.start(process.execPath, ['-e', SERVER]);
  target = `http://127.0.0.1:${await server.firstLine()}`;
});
afterAll(async () => {
  await server.stop();
  rmSync(work, { recursive: true, force: true });
});

const scenarioOf = (duration: string): ScenarioInput =>
  defineScenario({
    name: 'library',
    target: 'http://127.0.0.1:1',
    requests: [{ name: 'root', path: '/' }, { name: 'other', path: '/other', weight: 1 }],
    phases: [{ name: 'main', duration, load: { model: 'open', rate: 200, connections: 4 } }],
    thresholds: ['p99 < 5s'],
  });

describe('the library API', () => {
  it('runs a scenario object to a run folder, reporting progress, without touching the process', { timeout: 30_000 }, async () => {
    const before = ['SIGINT', 'SIGTERM', 'uncaughtException', 'unhandledRejection', 'exit'].map((e) => process.listenerCount(e));
    const scenario = await loadScenario({ ...scenarioOf('2s'), target });
    const events: ProgressEvent[] = [];
    const result = await run(scenario, { outDir: join(work, 'a'), onProgress: (e) => events.push(e) });

    expect(result.outDir).toBe(join(work, 'a'));
    expect(result.interrupted).toBe(false);
    expect(result.summary.overall.count).toBeGreaterThan(300);
    expect(result.summary.overall.errors).toBe(0);
    expect(result.summary.overall.latency.p99Us).toBeGreaterThan(0);
    expect(result.summary.requests.map((r) => r.name)).toEqual(['root', 'other']);
    expect(result.gate?.passed).toBe(true);
    expect(events.filter((e) => e.type === 'interval').length).toBeGreaterThanOrEqual(1);
    expect(events.at(-1)).toMatchObject({ type: 'phase-done', phase: 'main', model: 'open' });
    expect(['SIGINT', 'SIGTERM', 'uncaughtException', 'unhandledRejection', 'exit'].map((e) => process.listenerCount(e))).toEqual(before);

    // The folder reads back validated, and gates and compares without running load.
    const saved = readRun(result.outDir);
    expect(saved.runs[0]!.summary).toEqual(result.summary);
    expect(gate(result.outDir, { thresholds: ['root: p50 < 1us'] }).passed).toBe(false);
    const comparison = compare([result.outDir, result.outDir]);
    expect(comparison.requests.map((r) => r.name)).toEqual(['root', 'other']);
    expect(comparison.overall.latencyRatios.p99).toEqual([1, 1]);
  });

  it('stops early on an AbortSignal and still writes what it measured', { timeout: 30_000 }, async () => {
    const scenario = await loadScenario({ ...scenarioOf('20s'), target });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 1500);
    const started = Date.now();
    const result = await run(scenario, { outDir: join(work, 'b'), signal: controller.signal });
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(result.interrupted).toBe(true);
    expect(result.summary.run.interrupted).toBe(true);
    expect(result.summary.overall.count).toBeGreaterThan(100);
    expect(readRun(result.outDir).runs).toHaveLength(1);
  });

  it('loads a JS module whose default export is the scenario, and a YAML file, with relative paths from their folder', async () => {
    const module = join(work, 'generated.mjs');
    // Phases generated in code: the reason to write a scenario as a module.
    writeFileSync(
      module,
      `export default () => ({ name: 'steps', target: '${target}', requests: [{ name: 'root', path: '/' }],
        phases: [100, 200, 300].map((rate) => ({ name: 'r' + rate, duration: '1s', load: { model: 'open', rate } })) });\n`,
    );
    const fromModule = await loadScenario(module);
    expect(fromModule.phases.map((p) => [p.name, p.load.model === 'open' && p.load.fromRps])).toEqual([['r100', 100], ['r200', 200], ['r300', 300]]);
    expect(fromModule.source).toBe(module);

    writeFileSync(join(work, 'body.txt'), 'hello');
    writeFileSync(join(work, 'x.yaml'), `name: x\ntarget: ${target}\nrequests: [{ name: post, path: /, bodyFile: body.txt }]\nphases: [{ name: m, duration: 1s, load: { model: closed } }]\n`);
    const fromYaml = await loadScenario('x.yaml', { baseDir: work });
    expect(fromYaml.requests[0]!.body?.toString()).toBe('hello');
  });

  it('rejects bad input with a UsageError naming the place, before anything runs', async () => {
    const bad = { ...scenarioOf('1s'), target, phases: [{ name: 'main', duration: '1s', load: { model: 'open' as const, rate: -5 } }] };
    const error = await loadScenario(bad).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UsageError);
    expect((error as UsageError).exitCode).toBe(ExitCode.usage);
    expect((error as UsageError).message).toMatch(/^scenario object: phases\[0\]\.load\.rate: expected/);

    const noDefault = join(work, 'empty.mjs');
    writeFileSync(noDefault, 'export const scenario = {};\n');
    await expect(loadScenario(noDefault)).rejects.toThrow(/no default export; a scenario module ends with `export default defineScenario/);

    const scenario = await loadScenario({ ...scenarioOf('1s'), target });
    const refused = await run(scenario, { outDir: join(work, 'never'), thresholds: ['missing: p99 < 1ms'], engine: 'autocannon' }).catch((e: unknown) => e);
    expect((refused as UsageError).exitCode).toBe(ExitCode.usage);
    expect((refused as UsageError).message).toContain('the scenario has no request named "missing"');
    expect((refused as UsageError).message).toContain('--engine autocannon runs closed-loop phases only');
    expect(() => readRun(join(work, 'never'))).toThrow(/no such folder/);
  });
});
