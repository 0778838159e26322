/**
 * Error accounting through the built CLI against real servers: a server that closes after every response
 * (python's http.server speaking HTTP/1.0, a Go server sending Connection: close) must cost no request,
 * and a dead target must give errors no larger than the intended requests, kinds that add up, and exit 1.
 */

import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from './runtime-helpers.js';
import { ChildServer, hopscopeCli, outDir, ROOT, summaryOf, waitForPort, wrkRequests } from './target-helpers.js';

const servers: ChildServer[] = [];
const buildDir = mkdtempSync(join(tmpdir(), 'hopscope-close-server-'));
afterAll(async () => {
  await Promise.all(servers.map((s) => s.stop()));
  rmSync(buildDir, { recursive: true, force: true });
});

async function closeAfterEachResponse(url: string) {
  const dir = outDir();
  const { code } = await hopscopeCli(['run', '--target', url, '--connections', '4', '--duration', '2s', '--quiet', '--out', dir]);
  const s = summaryOf(dir);
  const wrk = await wrkRequests(url, 4, 2);
  return { code, s, wrk };
}

describe('a server that closes the connection after each response', () => {
  it("python's http.server (HTTP/1.0): no errors, and about as many responses as wrk", async () => {
    const port = await freePort();
    const server = ChildServer.start('python3', ['-m', 'http.server', String(port), '--bind', '127.0.0.1'], { cwd: join(ROOT, 'test/fixtures') });
    servers.push(server);
    await waitForPort(port);
    const { code, s, wrk } = await closeAfterEachResponse(`http://127.0.0.1:${port}/`);
    expect(code).toBe(0);
    expect(s.overall.errorsByKind).toEqual({});
    expect(s.overall.count).toBeGreaterThan(100);
    // One new connection per response: the connection count is the response count.
    expect(s.connections!.opened).toBeGreaterThanOrEqual(s.overall.count);
    // Loose, for a shared machine running other tests at once: what it guards against is a reconnect that
    // waits (a timer's millisecond per response, which gave about a fifth of wrk's count), not noise.
    expect(s.overall.count).toBeGreaterThan(wrk * 0.35);
  }, 60_000);

  it('a Go server sending Connection: close (HTTP/1.1): no errors, and about as many responses as wrk', async () => {
    execFileSync('go', ['build', '-o', join(buildDir, 'close-server'), '.'], { cwd: join(ROOT, 'test/fixtures/close-server') });
    const server = ChildServer.start(join(buildDir, 'close-server'), []);
    servers.push(server);
    const address = await server.firstLine();
    const { code, s, wrk } = await closeAfterEachResponse(`http://${address}/`);
    expect(code).toBe(0);
    expect(s.overall.errorsByKind).toEqual({});
    expect(s.overall.count).toBeGreaterThan(100);
    // Against Go, hopscope is the bottleneck (a connect and a close per request, ~140 CPU-us each, a core
    // busy): 0.30-0.38x wrk on the 2-vCPU Firecracker VM (2026-12-05, 9 runs, quiet), where 0.35 failed a CI
    // run under the other tests' load. A reconnect that waits a timer's millisecond gives about 0.2x.
    expect(s.overall.count).toBeGreaterThan(wrk * 0.27);
  }, 90_000);
});

describe('a dead target', () => {
  it('open loop: every intended request ends once, failed connects are counted apart, exit 1', async () => {
    const port = await freePort();
    const dir = outDir();
    const { code, stderr, stdout } = await hopscopeCli(['run', '--target', `http://127.0.0.1:${port}/`, '--rate', '100', '--duration', '2s', '--quiet', '--out', dir]);
    expect(code).toBe(1);
    expect(stderr).toContain('no successful response');
    const s = summaryOf(dir);
    const phase = s.phases[0]!;
    expect(phase.intended).toBe(200);
    expect(s.overall.errors).toBeLessThanOrEqual(phase.intended);
    expect(s.overall.errors).toBe(phase.intended - phase.sent + (s.overall.errorsByKind.reset ?? 0) + (s.overall.errorsByKind.timeout ?? 0));
    const kinds = Object.values(s.overall.errorsByKind).reduce((a, b) => a! + b!, 0);
    expect(kinds).toBe(s.overall.errors);
    expect(s.overall.errorsByKind.connect).toBeUndefined();
    expect(s.connections!.errors).toBeGreaterThan(0);
    expect(s.connections!.errors).toBe(phase.connectFailures);
    expect(s.overall.errorRate).toBe(1);
    expect(stdout).toMatch(/\d+ connection errors \(failed attempts, not requests\)/);
  }, 30_000);

  it('closed loop: no request is invented for a failed connect, and the run still exits 1 with a threshold that holds', async () => {
    const port = await freePort();
    const dir = outDir();
    const { code, stderr } = await hopscopeCli(['run', '--target', `http://127.0.0.1:${port}/`, '--connections', '2', '--duration', '1s', '--threshold', 'error_rate < 1%', '--quiet', '--out', dir]);
    expect(code).toBe(1);
    expect(stderr).toMatch(/no successful response in .*: 0 failed requests, \d+ failed connection attempts/);
    const s = summaryOf(dir);
    expect(s.overall.count + s.overall.errors).toBe(0);
    expect(s.connections!.errors).toBeGreaterThan(2);
  }, 30_000);
});
