/**
 * Several hosts on one machine: two more Docker engines, each in a network namespace this test makes
 * (test/netns.ts), run the generators of one fleet against an nginx on the host's side of the veth pairs,
 * reached across the namespaces with --allow-remote (198.18.0.0/15 only). The engines are named by tcp://
 * URL on their namespace's address because that is also where the coordinator reaches each run's reaper.
 * Everything made is removed afterwards, and the test checks that it was.
 */

import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Cleanup } from '../../bench/lib/cleanup.js';
import { startNginx } from '../../bench/lib/nginx.js';
import { NetnsEngines, netnsSkipReason } from '../netns.js';
import { hopscope } from './cli-helpers.js';
import { freePort } from './runtime-helpers.js';
import { outDir, summaryOf } from './target-helpers.js';

const RATE = 1500;
const DURATION_S = 10;

const reason = netnsSkipReason();
// On CI (root, tools installed) this must run: a missing prerequisite there is a failure, not a skip.
const skip = reason !== undefined && process.env.CI !== 'true';
if (skip) console.log(`fleet across network namespaces skipped: ${reason}`);

const netns = new NetnsEngines();
const cleanup = new Cleanup(() => undefined);
let target: string;

beforeAll(async () => {
  if (reason) return;
  const one = await netns.add(1);
  await netns.add(2);
  const port = await freePort();
  await startNginx({ alsoOn: [one.hostAddress], port, body: '{"ok":true}', cleanup });
  target = `http://${one.hostAddress}:${port}/`;
}, 180_000);

afterAll(async () => {
  await cleanup.runAll();
  const left = await netns.remove();
  if (left.length) console.log(`netns teardown could not undo: ${left.join('; ')}`);
}, 120_000);

describe.skipIf(skip)('fleet over engines in network namespaces', () => {
  it('3 generators on two namespace engines merge to one run, each row naming its engine, with clock offsets', async () => {
    if (reason) throw new Error(`CI=true but ${reason}`);
    const [ns1, ns2] = netns.engines;
    const dir = join(outDir(), 'netns-fleet');
    const r = await hopscope(
      [
        'run',
        '--target',
        target,
        '--rate',
        String(RATE),
        '--connections',
        '12',
        '--duration',
        `${DURATION_S}s`,
        '--allow-remote',
        '--generators',
        '3',
        '--fleet',
        'docker',
        '--docker-host',
        ns1!.tcpUrl,
        '--docker-host',
        ns2!.tcpUrl,
        // The host's side of the first pair: the second namespace reaches it through its route to 198.18.0.0/15.
        '--coordinator-address',
        ns1!.hostAddress,
        // Generators start in fresh engines on a machine shared with other work: a lead that a slow start cannot miss.
        '--fleet-lead',
        '15000',
        '--out',
        dir,
      ],
      420_000,
    );
    expect(r.code, r.stderr).toBe(0);
    const m = summaryOf(dir);
    const expected = RATE * DURATION_S;
    expect(Math.abs(m.overall.count - expected) / expected).toBeLessThan(0.005);
    const rows = m.fleet!.generators;
    expect(rows.map((g) => g.where)).toEqual([ns1!.tcpUrl, ns2!.tcpUrl, ns1!.tcpUrl]);
    for (const g of rows) expect(Number.isFinite(g.clockOffsetMs)).toBe(true);
    console.log(
      `netns fleet: count ${m.overall.count} of ${expected}, p50 ${m.overall.latency.p50Us} us, p99 ${m.overall.latency.p99Us} us; ` +
        rows.map((g) => `${g.name} on ${g.where}: clock offset ${g.clockOffsetMs.toFixed(2)} ms`).join('; '),
    );
    expect(ns1!.containers()).toEqual([]);
    expect(ns2!.containers()).toEqual([]);
  }, 480_000);

  it('removes its engines, namespaces, veth pairs and mounts', async () => {
    if (reason) throw new Error(`CI=true but ${reason}`);
    await cleanup.runAll();
    expect(await netns.remove()).toEqual([]);
    expect(netns.namespaces()).toEqual([]);
    expect(netns.mounts()).toEqual([]);
    expect(execFileSync('ip', ['-o', 'link', 'show'], { encoding: 'utf8' })).not.toContain(netns.tag);
  }, 120_000);
});
