import { afterEach, describe, expect, it, vi } from 'vitest';
import { ExitCode, InfraError, UsageError } from '../../src/errors.js';
import { engineAddress } from '../../src/runtime/docker/engine-address.js';
import { containerName } from '../../src/runtime/docker/labels.js';
import { parseRuntimeChoice } from '../../src/runtime/choice.js';
import { selectRuntime } from '../../src/runtime/select.js';
import type { ServiceSpec } from '../../src/runtime/types.js';

const quiet = () => {};

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('--runtime values', () => {
  it.each(['auto', 'docker', 'process'])('accepts %s', (value) => {
    expect(parseRuntimeChoice(value)).toBe(value);
  });

  it.each(['', 'Docker', 'podman', 'proc'])('rejects "%s" as a usage error naming the allowed values', (value) => {
    expect(() => parseRuntimeChoice(value)).toThrow(UsageError);
    expect(() => parseRuntimeChoice(value)).toThrow(`--runtime: expected one of auto, docker, process, got "${value}"`);
  });

  it('selectRuntime rejects an unknown value with exit code 2 before probing anything', async () => {
    await expect(selectRuntime('kubernetes', quiet)).rejects.toMatchObject({ exitCode: ExitCode.usage });
  });

  it('process is taken as asked, without asking an engine', async () => {
    vi.stubEnv('DOCKER_HOST', 'tcp://192.0.2.1:2375'); // would fail (remote) if it were probed
    const { runtime, reason } = await selectRuntime('process', quiet);
    expect(runtime.kind).toBe('process');
    expect(reason).toBe('chosen with --runtime process');
  });
});

describe('without an engine', () => {
  it('auto falls back to process and says why', async () => {
    vi.stubEnv('DOCKER_HOST', 'unix:///nonexistent/docker.sock');
    const { runtime, reason } = await selectRuntime('auto', quiet);
    expect(runtime.kind).toBe('process');
    expect(reason).toBe('no Docker engine: connect ENOENT /nonexistent/docker.sock');
  });

  it('docker is an infrastructure error that says how to start an engine', async () => {
    vi.stubEnv('DOCKER_HOST', 'unix:///nonexistent/docker.sock');
    const failure = selectRuntime('docker', quiet);
    await expect(failure).rejects.toBeInstanceOf(InfraError);
    await expect(failure).rejects.toMatchObject({
      message: '--runtime docker: no usable Docker engine: connect ENOENT /nonexistent/docker.sock',
      hint: expect.stringContaining('sudo scripts/docker-engine.sh'),
    });
  });

  it('a remote engine is refused without connecting: host-networked services would not be on our loopback', async () => {
    vi.stubEnv('DOCKER_HOST', 'tcp://192.0.2.1:2375');
    const { runtime, reason } = await selectRuntime('auto', quiet);
    expect(runtime.kind).toBe('process');
    expect(reason).toBe('no Docker engine: the engine at tcp://192.0.2.1:2375 is not on this machine');
  });
});

describe('engine address', () => {
  it.each([
    { dockerHost: 'unix:///run/user/1000/docker.sock', description: '/run/user/1000/docker.sock', local: true },
    { dockerHost: 'tcp://127.0.0.1:2375', description: 'tcp://127.0.0.1:2375', local: true },
    { dockerHost: 'tcp://localhost:2375', description: 'tcp://localhost:2375', local: true },
    { dockerHost: 'tcp://[::1]:2375', description: 'tcp://[::1]:2375', local: true },
    { dockerHost: '127.0.0.1:2375', description: '127.0.0.1:2375', local: true },
    { dockerHost: 'tcp://10.0.0.5:2376', description: 'tcp://10.0.0.5:2376', local: false },
    { dockerHost: 'ssh://me@build-box', description: 'ssh://me@build-box', local: false },
  ])('$dockerHost → local: $local', ({ dockerHost, description, local }) => {
    expect(engineAddress({ DOCKER_HOST: dockerHost })).toEqual({ description, local });
  });
});

describe('container names', () => {
  it('keep docker-safe characters only', () => {
    expect(containerName('lz3k9a', 'cache-1')).toBe('hopscope-lz3k9a-cache-1');
    expect(containerName('run 1', 'api/v2')).toBe('hopscope-run-1-api-v2');
  });
});

describe('own services decide what auto can choose, before anything starts', () => {
  const own = (name: string, source: Omit<Extract<ServiceSpec['source'], { type: 'own' }>, 'type'>): ServiceSpec => ({
    name,
    kind: 'own',
    source: { type: 'own', ...source },
    port: 9000,
    args: [],
    env: {},
    ready: { probe: 'tcp', timeoutMs: 1000 },
    gc: { source: 'none' },
    hop: name,
    language: 'other',
    counters: undefined,
    tls: false,
  });
  const commandOnly = own('orders', { command: { argv: ['./orders'], cwd: '/' } });
  const imageOnly = own('billing', { image: { tag: 'acme/billing:1', pull: false } });
  const both = own('both', { image: { tag: 'acme/both:1', pull: false }, command: { argv: ['./both'], cwd: '/' } });

  it('auto takes processes for a command-only service, says so, and asks no engine', async () => {
    vi.stubEnv('DOCKER_HOST', 'tcp://192.0.2.1:2375');
    const { runtime, reason } = await selectRuntime('auto', quiet, [commandOnly, both]);
    expect(runtime.kind).toBe('process');
    expect(reason).toBe('auto: "orders" has a command but no image or build');
  });

  it('auto needs an engine for an image-only service: exit 3 naming it', async () => {
    vi.stubEnv('DOCKER_HOST', 'unix:///nonexistent/docker.sock');
    const error = await selectRuntime('auto', quiet, [imageOnly]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InfraError);
    expect((error as Error).message).toBe('"billing" can only run in a container (no command), but there is no usable Docker engine: connect ENOENT /nonexistent/docker.sock');
  });

  it('services that fit no single runtime are a scenario mistake: exit 2', async () => {
    const error = await selectRuntime('auto', quiet, [commandOnly, imageOnly]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toBe(
      'these services cannot run in one runtime: "billing" only in a container (image or build, no command), "orders" only as a process (command, no image or build)',
    );
  });

  it.each([
    ['process', [imageOnly], '--runtime process: "billing" cannot run as a process: it has only image or build'],
    ['docker', [commandOnly], '--runtime docker: "orders" cannot run in a container: it has only a command'],
  ] as const)('--runtime %s refuses a service it cannot run', async (choice, specs, message) => {
    vi.stubEnv('DOCKER_HOST', 'tcp://192.0.2.1:2375');
    await expect(selectRuntime(choice, quiet, [...specs])).rejects.toThrow(message);
    await expect(selectRuntime(choice, quiet, [...specs])).rejects.toMatchObject({ exitCode: ExitCode.usage });
  });
});
