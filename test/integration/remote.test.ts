/**
 * Targets beyond loopback, opt-in. The refusal needs no network; the load runs ONLY against a host this test
 * creates: a network namespace joined to this one by a veth pair, addresses from 198.18.0.0/15 (the
 * benchmarking range, RFC 2544), servers started inside it with `ip netns exec`, and everything removed in
 * afterAll. A host name that resolves to both of the namespace's addresses comes from an /etc/hosts of the
 * test's own, bind-mounted over the real one in a private mount namespace that only the hopscope under test
 * runs in (`unshare --mount`): nothing of this machine's name resolution changes. Without root (no
 * namespaces), those tests skip and say why; CI runs as root.
 */

import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { promisify } from 'node:util';
import { CLI, ROOT } from './cli-helpers.js';
import { ChildServer, hopscopeCli, outDir, summaryOf, waitForPort } from './target-helpers.js';

const NS = `hs-test-${process.pid}`;
// A /29 of its own per test process, so that two runs at once never share addresses.
const SUBNET = `198.18.${process.pid % 250}`;
const HOST_SIDE = `${SUBNET}.1`;
const NS_SIDE = `${SUBNET}.2`;
const NS_SECOND = `${SUBNET}.3`;
const VETH = `hsv${process.pid % 100000}`;
const PORT = 18080;
const ECHO_PORT = 18081;
const MULTI_NAME = 'hopscope-multi.test';

/**
 * Answers every request with 200 and prints, per request, the Host header it got and the local address the
 * connection reached (HTTP/1.1 keep-alive, a thread per connection; one write per line under a lock, as
 * print() from several threads interleaves its parts).
 */
const ECHO_SERVER = `
import http.server, sys, threading
lock = threading.Lock()
class H(http.server.BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'
    def do_GET(self):
        self.send_response(200)
        self.send_header('Content-Length', '2')
        self.end_headers()
        self.wfile.write(b'ok')
        with lock:
            sys.stdout.write(f"{self.headers['Host']} {self.connection.getsockname()[0]}\\n")
            sys.stdout.flush()
    def log_message(self, *args):
        pass
s = http.server.ThreadingHTTPServer(('0.0.0.0', int(sys.argv[1])), H)
print('listening', flush=True)
s.serve_forever()
`;
let echoLines: string[] = [];

const isRoot = process.getuid?.() === 0;
let netnsError: string | undefined;
let server: ChildServer | undefined;
let echo: ChildServer | undefined;

function ip(...args: string[]): void {
  execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'], timeout: 10_000 });
}

beforeAll(async () => {
  if (!isRoot) return;
  try {
    ip('netns', 'add', NS);
    ip('link', 'add', VETH, 'type', 'veth', 'peer', 'name', `${VETH}p`);
    ip('link', 'set', `${VETH}p`, 'netns', NS);
    ip('addr', 'add', `${HOST_SIDE}/29`, 'dev', VETH);
    ip('link', 'set', VETH, 'up');
    ip('netns', 'exec', NS, 'ip', 'addr', 'add', `${NS_SIDE}/29`, 'dev', `${VETH}p`);
    ip('netns', 'exec', NS, 'ip', 'addr', 'add', `${NS_SECOND}/29`, 'dev', `${VETH}p`);
    ip('netns', 'exec', NS, 'ip', 'link', 'set', `${VETH}p`, 'up');
    ip('netns', 'exec', NS, 'ip', 'link', 'set', 'lo', 'up');
  } catch (error) {
    netnsError = `cannot create a network namespace: ${(error as { stderr?: Buffer }).stderr?.toString().trim() || String(error)}`;
    return;
  }
  server = ChildServer.start('ip', ['netns', 'exec', NS, 'python3', '-m', 'http.server', String(PORT), '--bind', NS_SIDE]);
  await waitForPort(PORT, NS_SIDE);
  echo = ChildServer.start('ip', ['netns', 'exec', NS, 'python3', '-c', ECHO_SERVER, String(ECHO_PORT)]);
  await echo.firstLine();
  createInterface({ input: echo.child.stdout! }).on('line', (line) => echoLines.push(line));
}, 30_000);

afterAll(async () => {
  await server?.stop();
  await echo?.stop();
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

  it.skipIf(!isRoot)('a name that resolves to two addresses: connections spread over both, Host keeps the name', async (ctx) => {
    if (netnsError) ctx.skip(netnsError);
    const hosts = join(mkdtempSync(join(tmpdir(), 'hopscope-hosts-')), 'hosts');
    writeFileSync(hosts, `127.0.0.1 localhost\n${NS_SIDE} ${MULTI_NAME}\n${NS_SECOND} ${MULTI_NAME}\n`);
    const dir = outDir();
    echoLines = [];
    // The bind mount exists only in this command's private mount namespace, and goes with it.
    const inPrivateHosts = ['--mount', '--propagation', 'private', '--', 'sh', '-c', 'mount --bind "$0" /etc/hosts && exec "$@"', hosts];
    const target = `http://${MULTI_NAME}:${ECHO_PORT}/`;
    await promisify(execFile)('unshare', [...inPrivateHosts, 'node', CLI, 'run', '--target', target, '--allow-remote', '--connections', '4', '--duration', '1s', '--quiet', '--out', dir], { cwd: ROOT, timeout: 30_000 });
    const s = summaryOf(dir);
    expect(s.overall.errors).toBe(0);
    expect(s.overall.count).toBe(echoLines.length);
    const byAddress = new Map<string, number>();
    for (const line of echoLines) {
      const [host, local] = line.split(' ');
      expect(host).toBe(`${MULTI_NAME}:${ECHO_PORT}`);
      byAddress.set(local!, (byAddress.get(local!) ?? 0) + 1);
    }
    expect([...byAddress.keys()].sort()).toEqual([NS_SIDE, NS_SECOND].sort());
  }, 30_000);
});

if (!isRoot) {
  it.skip('network-namespace tests need root (ip netns add); CI runs as root');
}
