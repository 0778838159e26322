/**
 * `hopscope merge`: two real runs against a loopback nginx, merged by the built CLI; the merged folder's
 * counts and max are the parts' added, HdrHistogram's own log processor reads its latency.hlog, and gates
 * judge the merged result (exit 1 on a failing threshold, 2 on bad input).
 */

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Cleanup } from '../../bench/lib/cleanup.js';
import { startNginx } from '../../bench/lib/nginx.js';
import { hgrmTotals, javaReady, processHlog } from '../hdr-java.js';
import { freePort } from './runtime-helpers.js';
import { hopscopeCli, outDir, summaryOf } from './target-helpers.js';

const cleanup = new Cleanup(() => undefined);
const work = mkdtempSync(join(tmpdir(), 'hopscope-merge-'));
let target: string;
const parts = [join(work, 'a'), join(work, 'b')];

beforeAll(async () => {
  const port = await freePort();
  await startNginx({ port, body: '{"ok":true}', cleanup });
  target = `http://127.0.0.1:${port}/`;
  // Two separate runs, as two CI jobs would make them, at different rates.
  for (const [i, dir] of parts.entries()) {
    const r = await hopscopeCli(['run', '--target', target, '--rate', String(300 + 200 * i), '--connections', '4', '--duration', '3s', '--out', dir, '--quiet']);
    expect(r.code, r.stderr).toBe(0);
  }
}, 60_000);

afterAll(async () => {
  await cleanup.runAll();
  rmSync(work, { recursive: true, force: true });
});

describe('hopscope merge', () => {
  it('adds the parts exactly and gates on the whole', async () => {
    const out = join(outDir(), 'merged');
    const r = await hopscopeCli(['merge', ...parts, '--out', out, '--threshold', 'p99 < 10s']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/merged from 2 \(folders\)/);
    const merged = summaryOf(out);
    const [a, b] = parts.map(summaryOf);
    expect(merged.overall.count).toBe(a!.overall.count + b!.overall.count);
    expect(merged.overall.latency.maxUs).toBe(Math.max(a!.overall.latency.maxUs, b!.overall.latency.maxUs));
    expect(merged.phases[0]!.sent).toBe(a!.phases[0]!.sent + b!.phases[0]!.sent);
    expect(merged.phases[0]!.targetRps).toEqual({ from: 800, to: 800 });
    expect(merged.fleet?.generators.map((g) => g.sent)).toEqual([a!.phases[0]!.sent, b!.phases[0]!.sent]);
    if (javaReady) {
      const { hgrm } = processHlog(join(out, 'latency.hlog'), join(out, 'java'));
      expect(hgrmTotals(hgrm).count).toBe(merged.overall.count);
    }
    // A merge of the merged folder with a part is a run folder like any other.
    const again = join(outDir(), 'again');
    expect((await hopscopeCli(['merge', out, parts[0]!, '--out', again])).code).toBe(0);
    expect(summaryOf(again).overall.count).toBe(merged.overall.count + a!.overall.count);
  }, 60_000);

  it('fails the gate of the merged run with exit 1', async () => {
    const r = await hopscopeCli(['merge', ...parts, '--out', join(outDir(), 'm'), '--threshold', 'p50 < 1us']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/p50/);
  }, 60_000);

  it('refuses bad input with exit 2, naming what is wrong', async () => {
    const one = await hopscopeCli(['merge', parts[0]!, '--out', join(outDir(), 'x')]);
    expect(one.code).toBe(2);
    expect(one.stderr).toMatch(/two or more run folders, got 1/);
    const bare = join(work, 'bare');
    mkdirSync(bare);
    writeFileSync(join(bare, 'summary.json'), JSON.stringify(summaryOf(parts[0]!)));
    const noExact = await hopscopeCli(['merge', parts[0]!, bare, '--out', join(outDir(), 'y')]);
    expect(noExact.code).toBe(2);
    expect(noExact.stderr).toMatch(/histograms\.json: not found/);
    const noOut = await hopscopeCli(['merge', ...parts]);
    expect(noOut.code).toBe(2);
    expect(noOut.stderr).toMatch(/--out DIR is required/);
  }, 60_000);
});
