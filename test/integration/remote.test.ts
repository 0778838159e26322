/**
 * Targets beyond loopback, opt-in. The refusal needs no network; the load runs ONLY against a host this test
 * creates: a network namespace joined to this one by a veth pair, addresses from 198.18.0.0/15 (the
 * benchmarking range, RFC 2544), a server started inside it with `ip netns exec`, and everything removed in
 * afterAll. Without root (no namespaces), those tests skip and say why; CI runs as root.
 */

import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChildServer, hopscopeCli, outDir, summaryOf, waitForPort } from './target-helpers.js';

const NS = `hs-test-${process.pid}`;
// A /30 of its own per test process, so that two runs at once never share addresses.
const SUBNET = `198.18.${process.pid % 250}`;
const HOST_SIDE = `${SUBNET}.1`;
const NS_SIDE = `${SUBNET}.2`;
const VETH = `hsv${process.pid % 100000}`;
const PORT = 18080;

const isRoot = process.getuid?.() === 0;
let netnsError: string | undefined;
let server: ChildServer | undefined;

function ip(...args: string[]): void {
  execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'], timeout: 10_000 });
}

beforeAll(async () => {
  if (!isRoot) return;
  try {
    ip('netns', 'add', NS);
    ip('link', 'add', VETH, 'type', 'veth', 'peer', 'name', `${VETH}p`);
    ip('link', 'set', `${VETH}p`, 'netns', NS);
    ip('addr', 'add', `${HOST_SIDE}/30`, 'dev', VETH);
    ip('link', 'set', VETH, 'up');
    ip('netns', 'exec', NS, 'ip', 'addr', 'add', `${NS_SIDE}/30`, 'dev', `${VETH}p`);
    ip('netns', 'exec', NS, 'ip', 'link', 'set', `${VETH}p`, 'up');
    ip('netns', 'exec', NS, 'ip', 'link', 'set', 'lo', 'up');
  } catch (error) {
    netnsError = `cannot create a network namespace: ${(error as { stderr?: Buffer }).stderr?.toString().trim() || String(error)}`;
    return;
  }
  server = ChildServer.start('ip', ['netns', 'exec', NS, 'python3', '-m', 'http.server', String(PORT), '--bind', NS_SIDE]);
  await waitForPort(PORT, NS_SIDE);
}, 30_000);

afterAll(async () => {
  await server?.stop();
  // Deleting the namespace removes its end of the veth pair, and with it this end.
  if (isRoot) {
    try {
      ip('netns', 'del', NS);
    } catch {
      // never created
    }
  }
});

describe('targets beyond loopback', () => {
  it('are refused before anything starts (exit 2) with an error naming --allow-remote', async () => {
    const { code, stderr } = await hopscopeCli(['run', '--target', `http://${NS_SIDE}:${PORT}/`, '--connections', '1', '--duration', '1s', '--quiet', '--out', outDir()]);
    expect(code).toBe(2);
    expect(stderr).toContain(`${NS_SIDE} is not a loopback address`);
    expect(stderr).toContain('--allow-remote');
  });

  it.skipIf(!isRoot)('with --allow-remote, load a host in a network namespace made by this test', async (ctx) => {
    if (netnsError) ctx.skip(netnsError);
    const dir = outDir();
    const { code, stderr } = await hopscopeCli(['run', '--target', `http://${NS_SIDE}:${PORT}/`, '--allow-remote', '--connections', '2', '--duration', '1s', '--quiet', '--out', dir]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const s = summaryOf(dir);
    expect(s.overall.errors).toBe(0);
    expect(s.overall.count).toBeGreaterThan(10);
    expect(s.phases[0]!.target).toBe(`http://${NS_SIDE}:${PORT}`);
  }, 30_000);

  it.skipIf(!isRoot)('a scenario file opts in with allowRemote: true', async (ctx) => {
    if (netnsError) ctx.skip(netnsError);
    const file = join(mkdtempSync(join(tmpdir(), 'hopscope-remote-')), 'remote.yaml');
    const yaml = (allow: boolean) =>
      `name: remote\n${allow ? 'allowRemote: true\n' : ''}target: http://${NS_SIDE}:${PORT}\nrequests:\n  - { name: root, path: / }\nphases:\n  - { name: main, duration: 500ms, load: { model: closed, connections: 1 } }\n`;
    writeFileSync(file, yaml(false));
    const refused = await hopscopeCli(['run', file, '--quiet', '--out', outDir()]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('allowRemote: true');
    writeFileSync(file, yaml(true));
    const dir = outDir();
    const allowed = await hopscopeCli(['run', file, '--quiet', '--out', dir]);
    expect(allowed.code).toBe(0);
    expect(summaryOf(dir).overall.count).toBeGreaterThan(0);
  }, 30_000);
});

if (!isRoot) {
  it.skip('network-namespace tests need root (ip netns add); CI runs as root');
}
