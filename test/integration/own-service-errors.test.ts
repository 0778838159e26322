/**
 * Bad input around own services, through the built CLI: each is a clear message, exit 3 for what the machine
 * could not do (image, build, start, port, readiness) or 2 for a scenario mistake, and nothing is left running.
 */

import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dockerUp, hopscope, outDir } from './cli-helpers.js';
import { buildExampleBinary, EXAMPLE, hopscopeContainers, scenarioFile } from './own-service-helpers.js';
import { freePort, getStatus } from './runtime-helpers.js';

/** A scenario with the one service; `path` is what its single request asks for. */
function oneService(entry: string, path = '/'): string {
  return scenarioFile(`name: bad
services:
  - name: svc
${entry
  .trim()
  .split('\n')
  .map((line) => `    ${line}`)
  .join('\n')}
requests:
  - { name: root, path: ${path} }
phases:
  - { name: main, duration: 1s, load: { model: closed, connections: 1 } }
`);
}

async function expectFailure(file: string, runtime: string, code: number, message: RegExp): Promise<string> {
  const before = dockerUp ? await hopscopeContainers() : [];
  const r = await hopscope(['run', file, '--runtime', runtime, '--out', outDir()], 120_000);
  expect(r.code, r.stderr).toBe(code);
  expect(r.stderr).toMatch(message);
  expect(r.stderr).not.toMatch(/\n\s+at /);
  if (dockerUp) expect(await hopscopeContainers()).toEqual(before);
  return r.stderr;
}

describe('scenario mistakes: exit 2, before anything starts', () => {
  it('an unknown gc source', async () => {
    const port = await freePort();
    await expectFailure(oneService(`command: ["true"]\nport: ${port}\ngc: { jvm: /gc }`), 'auto', 2, /services\[0\]\.gc\.jvm: unknown field; allowed here: go-expvar, hopscope/);
  });

  it('a service that cannot run in the chosen runtime', async () => {
    const port = await freePort();
    await expectFailure(
      oneService(`image: acme/orders:1.4\nport: ${port}`),
      'process',
      2,
      /--runtime process: "svc" cannot run as a process: it has only image or build\n.*give it command in the scenario, or use --runtime docker/,
    );
    await expectFailure(oneService(`command: ["true"]\nport: ${port}`), 'docker', 2, /--runtime docker: "svc" cannot run in a container: it has only a command/);
  });

  it('a service with neither kind nor image, build or command', async () => {
    await expectFailure(oneService(`port: ${await freePort()}`), 'auto', 2, /services\[0\]: needs kind \(a reference service\), or image, build and\/or command \(your own service\)/);
  });
});

describe('what the machine could not do: exit 3, nothing left running', () => {
  it('a command that exits at once, with its last log lines', async () => {
    const port = await freePort();
    await expectFailure(
      oneService(`command: ["sh", "-c", "echo boom-at-start >&2; exit 7"]\nport: ${port}`),
      'process',
      3,
      /service "svc" \(own\) exited with code 7 before it was ready on 127\.0\.0\.1:\d+ \(TCP\); its last log lines:\n\s+boom-at-start/,
    );
  });

  it('a command whose program does not exist: named before anything starts', async () => {
    await expectFailure(
      oneService(`command: ["./bin/not-built-yet", "--port", "{{port}}"]\nport: ${await freePort()}`),
      'process',
      3,
      /service "svc": \/tmp\/.*\/bin\/not-built-yet does not exist or is not executable\nhint: build it first/,
    );
  });

  it('a port already taken', async () => {
    const port = await freePort();
    const squatter: Server = createServer((socket) => socket.destroy());
    await new Promise<void>((r) => squatter.listen(port, '127.0.0.1', r));
    try {
      await expectFailure(oneService(`command: ["sleep", "30"]\nport: ${port}`), 'process', 3, new RegExp(`cannot start: port ${port} on 127\\.0\\.0\\.1 is already in use`));
    } finally {
      squatter.close();
    }
  });

  it('ready that never holds: stopped, and its log quoted', async () => {
    const port = await freePort();
    const failure = new RegExp(`was not ready on http://127\\.0\\.0\\.1:${port}/healthz after 2 s; its last log lines:\\n([\\s\\S]*)\\nhint: full log: (\\S+)`);
    const stderr = await expectFailure(
      oneService(`command: ["python3", "-m", "http.server", "{{port}}", "--bind", "127.0.0.1"]\nport: ${port}\nready: { http: /healthz, timeout: 2s }`),
      'process',
      3,
      failure,
    );
    expect(await getStatus(`http://127.0.0.1:${port}/`, 500)).toBe('error');
    // The quote is the tail of the service's own log, which shows the probes it refused. Not the 404 lines
    // themselves: a probe that gives up while the server writes its answer makes http.server print a
    // BrokenPipeError traceback after them, which can fill the quoted tail (a fresh-clone CI run, 2026-12-06).
    const [, quoted, logPath] = failure.exec(stderr)!;
    const log = readFileSync(logPath!, 'utf8');
    expect(log).toMatch(/GET \/healthz HTTP\/1\.1" 404/);
    expect(quoted!.trim()).not.toBe('');
    for (const line of quoted!.split('\n')) expect(log).toContain(line.trim());
  });

  it.runIf(dockerUp)('an image that does not exist', async () => {
    await expectFailure(
      oneService(`image: hopscope-test/does-not-exist:1\nport: ${await freePort()}`),
      'docker',
      3,
      /service "svc": image hopscope-test\/does-not-exist:1 is not in the engine's local images\n.*set pull: true/,
    );
  });

  it.runIf(dockerUp)('a build that fails, with its last log lines', async () => {
    const context = mkdtempSync(join(tmpdir(), 'hopscope-badbuild-'));
    writeFileSync(join(context, 'Dockerfile'), 'FROM scratch\nCOPY no-such-binary /svc\nENTRYPOINT ["/svc"]\n');
    await expectFailure(oneService(`build: ${context}\nport: ${await freePort()}`), 'docker', 3, /service "svc": building its image from .* failed: COPY failed: .*no-such-binary.*; the build's last output lines:\n  [\s\S]*COPY no-such-binary \/svc/);
  });
});

describe('readiness variants', () => {
  it('{ log: "..." } and { tcp: true } both hold for the example service', async () => {
    buildExampleBinary();
    for (const ready of ['{ log: "orders listening on" }', '{ tcp: true }']) {
      const port = await freePort();
      const file = oneService(`command: ["${EXAMPLE}/orders", "--listen", "127.0.0.1:{{port}}"]\nport: ${port}\nready: ${ready}\nlanguage: go`, '/healthz');
      const r = await hopscope(['run', file, '--runtime', 'process', '--out', outDir()], 60_000);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toMatch(/service "svc" \(own\) ready on/);
    }
  }, 120_000);
});
