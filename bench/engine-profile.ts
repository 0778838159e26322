/**
 * Where the load engine's time goes: a V8 CPU profile (`node --cpu-prof`) of `hopscope run` driving a
 * closed loop of 50 connections against nginx for 10 s, summed by self time into the stages a request
 * passes through. Prints the shares and the top functions; asserts nothing.
 *
 *   npm run build && npm run bench:build && node dist-bench/bench/engine-profile.js
 */

import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Cleanup } from './lib/cleanup.js';
import { CLI_V8_FLAGS } from '../src/node-flags.js';
import { CLI_PATH, REPO_ROOT } from './lib/hopscope.js';
import { SMALL_JSON_BODY, startNginx } from './lib/nginx.js';
import { freePort, runOk } from './lib/proc.js';


interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/**
 * The CLI runs as one bundle (dist/bin/cli.cjs), where esbuild marks each module's start with a comment
 * naming its file (`// dist/load/engine.js`): the module a bundle line belongs to, for stage() to tell the
 * stages apart.
 */
function bundleModules(): (line: number) => string {
  const starts: { line: number; file: string }[] = [];
  readFileSync(join(REPO_ROOT, 'dist/bin/cli.cjs'), 'utf8')
    .split('\n')
    .forEach((text, line) => {
      const marker = /^\/\/ ((?:dist|node_modules)\/\S+)$/.exec(text);
      if (marker) starts.push({ line, file: marker[1]! });
    });
  return (line) => starts.findLast((s) => s.line <= line)?.file ?? 'dist/bin/cli.cjs';
}
const moduleAt = bundleModules();

/** Where a function is defined: its script, or for the bundle's functions the module they came from. */
function sourceOf(frame: ProfileNode['callFrame']): string {
  return frame.url.endsWith('/bin/cli.cjs') ? moduleAt(frame.lineNumber) : frame.url;
}

/** The stage a function belongs to, from where it is defined. */
function stage(frame: ProfileNode['callFrame']): string {
  const { functionName } = frame;
  const url = sourceOf(frame);
  if (functionName === '(garbage collector)') return 'V8 garbage collector';
  if (functionName === '(idle)') return 'idle (waiting for the kernel)';
  if (functionName === '(program)') return 'V8 and libuv native code (syscalls, epoll, timers)';
  // Native bindings have no script: for this workload they are the socket writes and the clock.
  if (url === '') return 'Node native bindings (socket write syscalls, clock)';
  if (url.includes('/load/http1/')) return 'hopscope: HTTP/1.1 connection and response parser';
  if (url.includes('/load/')) return 'hopscope: engine, scheduling, request mix';
  if (url.includes('/record/') || url.includes('hdr-histogram')) return 'hopscope: recording (HDR histograms, hop times)';
  if (url.startsWith('node:net') || url.startsWith('node:internal/stream') || url.startsWith('node:stream') || url.includes('stream_base')) {
    return 'Node: net.Socket and streams (read/write)';
  }
  if (url.startsWith('node:')) return 'Node: other internals (timers, events, buffers)';
  return 'other JavaScript';
}

async function main(): Promise<void> {
  const cleanup = new Cleanup();
  const dir = mkdtempSync(join(tmpdir(), 'hopscope-profile-'));
  try {
    const port = await freePort(18950);
    await startNginx({ port, body: SMALL_JSON_BODY, cleanup });
    // Node itself, not the `bin`, so that --cpu-prof reaches it; with the flags the `bin` starts it with.
    const args = ['--cpu-prof', `--cpu-prof-dir=${dir}`, ...CLI_V8_FLAGS, CLI_PATH, 'run', '--target', `http://127.0.0.1:${port}/`, '--connections', '50', '--duration', '10s', '--json', '--quiet', '--out', join(dir, 'run')];
    const r = await runOk(process.execPath, args, { cwd: REPO_ROOT, timeoutMs: 90_000, cleanup });
    const rps = (JSON.parse(r.stdout) as { phases: { achievedRps: number }[] }).phases[0]!.achievedRps;
    const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'))!;
    const profile = JSON.parse(readFileSync(join(dir, file), 'utf8')) as Profile;

    const byId = new Map(profile.nodes.map((n) => [n.id, n]));
    const selfUs = new Map<number, number>();
    profile.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
    const totalUs = [...selfUs.values()].reduce((a, b) => a + b, 0);
    const byStage = new Map<string, number>();
    const byFunction = new Map<string, number>();
    for (const [id, us] of selfUs) {
      const frame = byId.get(id)!.callFrame;
      byStage.set(stage(frame), (byStage.get(stage(frame)) ?? 0) + us);
      const file = sourceOf(frame);
      const name = `${frame.functionName || '(anonymous)'} ${file.replace(/^.*?(dist|node_modules)\//, '')}${file === frame.url ? `:${frame.lineNumber + 1}` : ''}`;
      byFunction.set(name, (byFunction.get(name) ?? 0) + us);
    }
    const share = (us: number) => `${((us / totalUs) * 100).toFixed(1).padStart(5)} %`;
    console.log(`hopscope closed loop, 50 connections, 10 s against nginx: ${Math.round(rps)} req/s; ${(totalUs / 1e6).toFixed(1)} s of samples`);
    console.log('\nself time by stage:');
    for (const [name, us] of [...byStage].sort((a, b) => b[1] - a[1])) console.log(`  ${share(us)}  ${name}`);
    console.log('\ntop functions by self time:');
    for (const [name, us] of [...byFunction].sort((a, b) => b[1] - a[1]).slice(0, 15)) console.log(`  ${share(us)}  ${name}`);
  } finally {
    await cleanup.runAll();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
