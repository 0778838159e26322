/**
 * Docker through its CLI, for bench scripts: `FROM scratch` images from a temp build context, image size,
 * and container start-to-ready time. Everything is labelled so it can be told apart; nothing here creates a
 * network (containers use `--network host`).
 */

import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import type { Cleanup } from './cleanup.js';
import { waitForHttp } from './http.js';
import { run, runOk } from './proc.js';

export const HOPSCOPE_LABEL = 'dev.hopscope=1';

export interface BuildImageOptions {
  tag: string;
  dockerfile: string;
  /** Files copied into the context root under their own names (e.g. the static binary). */
  files: readonly string[];
  labels?: readonly string[];
  cleanup: Cleanup;
}

/**
 * `docker build` from a temp context holding only the Dockerfile and `files`; registers the image's removal.
 * Returns the image id.
 */
export async function buildImage(opts: BuildImageOptions): Promise<string> {
  const ctx = mkdtempSync(join(tmpdir(), 'hopscope-bench-ctx-'));
  try {
    copyFileSync(opts.dockerfile, join(ctx, 'Dockerfile'));
    for (const f of opts.files) copyFileSync(f, join(ctx, basename(f)));
    const labels = (opts.labels ?? [HOPSCOPE_LABEL]).flatMap((l) => ['--label', l]);
    opts.cleanup.add(`image ${opts.tag}`, () => removeImage(opts.tag));
    const r = await runOk('docker', ['build', '-q', ...labels, '-t', opts.tag, ctx], { timeoutMs: 180_000, cleanup: opts.cleanup });
    return r.stdout.trim();
  } finally {
    rmSync(ctx, { recursive: true, force: true });
  }
}

/** `docker image inspect -f {{.Size}}`, bytes. */
export async function imageSize(image: string): Promise<number> {
  const r = await runOk('docker', ['image', 'inspect', '-f', '{{.Size}}', image], { timeoutMs: 30_000 });
  return Number(r.stdout.trim());
}

export async function removeImage(image: string): Promise<void> {
  await run('docker', ['rmi', '-f', image], { timeoutMs: 60_000 });
}

export async function removeContainer(nameOrId: string): Promise<void> {
  await run('docker', ['rm', '-f', nameOrId], { timeoutMs: 60_000 });
}

export interface StartToReadyOptions {
  image: string;
  /** Unique container name (removal works by name even if `docker run` never printed an id). */
  name: string;
  /** Arguments after the image, e.g. ['--port', '18710']. */
  args: readonly string[];
  /** Polled every `intervalMs` (default 2) until 200, e.g. http://127.0.0.1:18710/healthz. */
  readyUrl: string;
  intervalMs?: number;
  timeoutMs?: number;
  labels?: readonly string[];
  cleanup: Cleanup;
}

/**
 * Milliseconds from spawning `docker run -d --network host IMAGE ARGS` to the first 200 from `readyUrl`,
 * polled while `docker run` is still running. The container is removed before returning (or on cleanup).
 */
export async function startToReady(opts: StartToReadyOptions): Promise<number> {
  const labels = (opts.labels ?? [HOPSCOPE_LABEL]).flatMap((l) => ['--label', l]);
  const unregister = opts.cleanup.add(`container ${opts.name}`, () => removeContainer(opts.name));
  try {
    const t0 = performance.now();
    const started = runOk('docker', ['run', '-d', '--name', opts.name, '--network', 'host', ...labels, opts.image, ...opts.args], {
      timeoutMs: 60_000,
      cleanup: opts.cleanup,
    });
    const stopPolling = new AbortController();
    started.catch(() => stopPolling.abort());
    const ready = waitForHttp(opts.readyUrl, {
      timeoutMs: opts.timeoutMs ?? 30_000,
      intervalMs: opts.intervalMs ?? 2,
      since: t0,
      signal: stopPolling.signal,
    });
    ready.catch(() => undefined);
    // Either failure ends the measurement; `docker run` finishing first is the normal case.
    const [ms] = await Promise.all([ready, started]);
    return ms;
  } finally {
    await removeContainer(opts.name);
    unregister();
  }
}
