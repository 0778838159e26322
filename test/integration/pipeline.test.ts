/**
 * End to end, with the real reference services: the README's main command, fault attribution, GC pauses,
 * Ctrl-C, and bad input, all through the built CLI (`npm test` builds dist/ first).
 */

import { tailSentence } from '../../src/report/tail-sentence.js';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLI, dockerUp, hopscope, outDir, ROOT, run, summaryOf } from './cli-helpers.js';

const FIXTURES = join(ROOT, 'test/fixtures/scenarios');

async function leftovers(): Promise<string> {
  // This checkout's binaries only: other worktrees on the shared machine run their own services.
  const procs = (await run('ps', ['-eo', 'args'])).stdout
    .split('\n')
    .filter((l) => l.startsWith(`${ROOT}/.cache/bin/`) && /\/(fastjson-api|rust-cache-server)-[0-9a-f]{12} /.test(l));
  const containers = dockerUp ? (await run('docker', ['ps', '-aq', '--filter', 'label=dev.hopscope'])).stdout.trim() : '';
  return [...procs, containers].filter(Boolean).join('\n');
}

describe("the README's main command", () => {
  it('npx hopscope run scenarios/quickstart.yaml runs the three-hop chain and writes the run folder', async () => {
    const dir = outDir();
    const { stdout } = await run('npx', ['hopscope', 'run', 'scenarios/quickstart.yaml', '--out', dir], {
      cwd: ROOT,
      timeout: 400_000,
      maxBuffer: 64 << 20,
    });
    expect(stdout).toMatch(/│ item\s+│\s+\d+/);
    for (const file of ['summary.json', 'latency.hlog', 'latency.hgrm', 'report.html']) expect(existsSync(join(dir, file))).toBe(true);
    const s = summaryOf(dir);
    expect(s.run.runtime).toMatch(dockerUp ? /^docker/ : /^process/);
    expect(s.overall.count).toBeGreaterThan(1000);
    expect(s.overall.errorRate).toBeLessThan(0.01);
    // Microseconds, not whole milliseconds: loopback answers have a non-zero p50 below 1 ms.
    expect(s.requests.find((r) => r.name === 'bench-json')!.latency.p50Us).toBeGreaterThan(0);
    expect(s.hops!.hops.map((h) => h.name).sort()).toEqual(['fastjson-api', 'origin', 'rust-cache-server']);
    expect(s.gc!.find((g) => g.service === 'cache')!.collector).toBe('go');
    expect(s.gc!.find((g) => g.service === 'api')!.note).toMatch(/no garbage collector/);
    expect(s.resources!.every((r) => r.points.length > 10)).toBe(true);
    // Each second of load closed on the thread that sends, timed: one per second but a phase's last (a
    // timer held up past its next tick, on a loaded machine, skips one).
    const loadSeconds = s.phases.reduce((sum, p) => sum + Math.floor(p.durationMs / 1000 - 0.5), 0);
    expect(s.generator!.intervalEnds!.count).toBeLessThanOrEqual(loadSeconds);
    expect(s.generator!.intervalEnds!.count).toBeGreaterThanOrEqual(loadSeconds - s.phases.length);
    expect(s.generator!.intervalEnds!.p50Us).toBeGreaterThan(0);
    expect(await leftovers()).toBe('');
  }, 420_000);
});

describe('latency analysis on real services (process runtime)', () => {
  it('attributes the tail to the hop that a pause fault froze', async () => {
    const dir = outDir();
    const r = await hopscope(['run', join(FIXTURES, 'chain-pause.yaml'), '--runtime', 'process', '--out', dir, '--quiet']);
    expect(r.code, r.stderr).toBe(0);
    const s = summaryOf(dir);
    expect(s.faults!.filter((f) => f.kind === 'pause' && f.service === 'cache').length).toBeGreaterThanOrEqual(6);
    expect(s.faults!.filter((f) => f.kind === 'unpause').length).toBe(s.faults!.filter((f) => f.kind === 'pause').length);
    const p99 = s.hops!.tails.find((t) => t.tail === 'p99')!;
    expect(p99.hops[0]!.name).toBe('rust-cache-server');
    expect(p99.thresholdUs).toBeGreaterThan(30_000);
    expect(tailSentence(p99)).toMatch(/in rust-cache-server \(\d+%\)/);
  }, 300_000);

  it('records GC pauses of the Go service under GC pressure, and says the Rust one has none', async () => {
    const dir = outDir();
    const r = await hopscope(['run', join(FIXTURES, 'gc-pressure.yaml'), '--runtime', 'process', '--out', dir, '--quiet']);
    expect(r.code, r.stderr).toBe(0);
    const s = summaryOf(dir);
    const go = s.gc!.find((g) => g.service === 'cache')!;
    expect(go.pauses.length).toBeGreaterThan(5);
    expect(go.lost).toBe(0);
    expect(go.pauseStats.maxUs).toBeGreaterThan(0);
    expect(go.correlation!.duringPause.count + go.correlation!.otherwise.count).toBeGreaterThan(1000);
    // Every pause lies within the run, on the run's clock.
    expect(go.pauses.every((p) => p.tMs > -1000 && p.tMs < s.run.durationMs + 1000)).toBe(true);
    expect(s.gc!.find((g) => g.service === 'rust')).toMatchObject({ collector: 'none', pauses: [] });
  }, 300_000);
});

describe.each(dockerUp ? ['process', 'docker'] : ['process'])('Ctrl-C during a run (%s runtime)', (runtime) => {
  it('stops the load, writes what it measured, removes every service, and exits 130', async () => {
    const dir = outDir();
    const child = spawn('node', [CLI, 'run', join(FIXTURES, 'long.yaml'), '--runtime', runtime, '--out', dir], { cwd: ROOT });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    const deadline = Date.now() + 180_000;
    while (!/service "api" \(fastjson-api\) ready/.test(stderr) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    await new Promise((r) => setTimeout(r, 2000));
    child.kill('SIGINT');
    const code = await new Promise<number | null>((r) => child.on('exit', r));
    expect(code, stderr).toBe(130);
    expect(summaryOf(dir).run.interrupted).toBe(true);
    expect(summaryOf(dir).overall.count).toBeGreaterThan(100);
    expect(await leftovers()).toBe('');
  }, 240_000);
});

describe('bad input', () => {
  it.each([
    [['run', 'scenarios/nope.yaml'], /cannot read scenario file .*nope\.yaml: ENOENT/],
    [['run', join(FIXTURES, '../../../README.md')], /not valid YAML|expected|unknown field/],
    // A .ts file is a scenario module; plain Node cannot load one, and says what to do instead.
    [['run', join(FIXTURES, '../../unit/analysis.test.ts')], /cannot load scenario module .*analysis\.test\.ts: Unknown file extension ".ts"[\s\S]*hint: Node runs \.ts files only under a TypeScript loader/],
    [['run', '--target', 'http://192.168.1.1/', '--rate', '10'], /not a loopback address/],
    [['run', '--target', 'http://127.0.0.1:1/', '--rate', '10', '--runtime', 'kubernetes'], /--runtime/],
    [['frobnicate'], /unknown command/],
    [['run', 'scenarios/quickstart.yaml', '--rate', '500', '--warm-up', '2s', '--duration', '5s'], /--rate, --duration, --warm-up: for ad-hoc runs \(--target URL\) only; scenarios\/quickstart\.yaml sets the load in its phases/],
  ])('%j exits 2 with a message, never a stack trace', async (args, message) => {
    const r = await hopscope(args as string[], 30_000);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});
