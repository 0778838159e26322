/**
 * The coordinated-omission stall through a fleet: nginx SIGSTOPped for 1 s at t=5 s of a 12 s open-loop run
 * at 1,000 req/s in total, once from one hopscope and once from 3 generators on this machine's Docker engine.
 * Requests due during the stall are measured from when they were due, so about 1,000 of 12,000 read 0-1 s and
 * p99 sits near 0.88 s; the merged histogram must read the stall as the single run does (p99 within 10 %).
 */

import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Cleanup } from '../../bench/lib/cleanup.js';
import { nginxPids, startNginx, type Nginx } from '../../bench/lib/nginx.js';
import { dockerUp, startCli } from './cli-helpers.js';
import { freePort } from './runtime-helpers.js';
import { outDir, summaryOf } from './target-helpers.js';

const STALL_AT_MS = 5000;
const STALL_MS = 1000;
const RUN_TIMEOUT_MS = 240_000;

const cleanup = new Cleanup(() => undefined);
let nginx: Nginx;
let target: string;

beforeAll(async () => {
  if (!dockerUp) return;
  const port = await freePort();
  nginx = await startNginx({ port, body: '{"ok":true}', cleanup });
  target = `http://127.0.0.1:${port}/`;
}, 60_000);

afterAll(async () => {
  await cleanup.runAll();
}, 60_000);

/**
 * Runs hopscope with nginx stopped for STALL_MS from STALL_AT_MS after the load starts: for a fleet, the start
 * time the coordinator announces; for one process, its spawn (as bench/generator-cost.ts does). Returns p99 in s.
 */
async function stalledP99(extra: string[], fleet: boolean): Promise<number> {
  const dir = join(outDir(), fleet ? 'fleet' : 'single');
  const cli = startCli(['run', '--target', target, '--rate', '1000', '--connections', '60', '--duration', '12s', '--out', dir, ...extra]);
  const killTimer = setTimeout(() => cli.child.kill('SIGTERM'), RUN_TIMEOUT_MS);
  const pids = nginxPids(nginx);
  const resume = () => pids.forEach((pid) => process.kill(pid, 'SIGCONT'));
  const unregister = cleanup.add('resume nginx', resume);
  const timers: NodeJS.Timeout[] = [];
  try {
    let startsAt = Date.now();
    if (fleet) {
      await cli.until(/load starts at \S+/, RUN_TIMEOUT_MS);
      startsAt = Date.parse(/load starts at (\S+)/.exec(cli.stderr())![1]!);
    }
    const stopIn = startsAt + STALL_AT_MS - Date.now();
    expect(stopIn, 'the stall must fall inside the run').toBeGreaterThan(0);
    timers.push(setTimeout(() => pids.forEach((pid) => process.kill(pid, 'SIGSTOP')), stopIn), setTimeout(resume, stopIn + STALL_MS));
    const code = await cli.exited;
    expect(code, cli.stderr()).toBe(0);
  } finally {
    timers.forEach(clearTimeout);
    clearTimeout(killTimer);
    resume();
    unregister();
  }
  const s = summaryOf(dir);
  console.log(`${fleet ? 'fleet of 3' : 'single    '}: count ${s.overall.count}, p50 ${s.overall.latency.p50Us} us, p99 ${s.overall.latency.p99Us} us, max ${s.overall.latency.maxUs} us`);
  return s.overall.latency.p99Us / 1e6;
}

describe.skipIf(!dockerUp)('the coordinated-omission stall through a fleet', () => {
  it('3 generators read a 1 s stall as one does: merged p99 within 10 % of the single run, both 0.75-1.0 s', async () => {
    const single = await stalledP99([], false);
    // A long lead: the stall is timed from the announced start, which must leave the generators time to come up.
    const merged = await stalledP99(['--generators', '3', '--fleet', 'docker', '--fleet-lead', '10000'], true);
    console.log(`stall p99: single ${single.toFixed(3)} s, fleet of 3 ${merged.toFixed(3)} s, ratio ${(merged / single).toFixed(3)}`);
    for (const p99 of [single, merged]) {
      expect(p99).toBeGreaterThanOrEqual(0.75);
      expect(p99).toBeLessThanOrEqual(1.0);
    }
    expect(Math.abs(merged - single) / single).toBeLessThan(0.1);
  }, 2 * RUN_TIMEOUT_MS + 60_000);
});
