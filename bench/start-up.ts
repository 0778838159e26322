/**
 * What starting hopscope costs: the CPU of the whole process tree for a short run (a 1-s phase at 10 req/s
 * against a loopback server this script starts, with its run folder and report) and for `--version`, through
 * this checkout's built CLI (dist/cli/main.js) and, with `--baseline DIR`, through another checkout's build
 * (a worktree of an earlier commit, `npm ci && npm run build` in it), alternating, several rounds. A run's
 * fixed cost is paid once per run, on the machine under test, so it is part of the generator's CPU per
 * request in short runs. Prints figures; asserts nothing.
 *
 *   npm run build && npm run bench:build && node dist-bench/bench/start-up.js [--rounds 8] [--baseline DIR]
 */

import Table from 'cli-table3';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { runTimed, unsetSandboxCa } from './lib/cpu.js';
import { CLI_PATH, cliPath, REPO_ROOT } from './lib/hopscope.js';
import { arg, median } from './lib/util.js';

const ROUNDS = Number(arg('--rounds') ?? 8);
const baseline = arg('--baseline');
const BUILDS: [string, string][] = [[`this build (${REPO_ROOT})`, CLI_PATH]];
if (baseline) {
  const path = cliPath(resolve(baseline));
  if (!existsSync(path)) throw new Error(`--baseline ${baseline}: no dist/cli/main.js there (npm ci && npm run build in it first)`);
  BUILDS.push([`baseline (${resolve(baseline)})`, path]);
}

const server = createServer((_req, res) => res.end('{"ok":true}'));
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const { port } = server.address() as { port: number };
const out = mkdtempSync(join(tmpdir(), 'hopscope-bench-start-up-'));
const commands: [string, string[]][] = [
  ['--version', ['--version']],
  ['run: 1 s at 10 req/s', ['run', '--target', `http://127.0.0.1:${port}/`, '--rate', '10', '--duration', '1s', '--quiet', '--out', out]],
];

const unsetCa = unsetSandboxCa();
const cpuMs = new Map<string, number[]>();
try {
  for (let round = 0; round < ROUNDS; round++) {
    // Alternate which build goes first, so that neither always runs on a machine the other just warmed.
    const order = round % 2 === 0 ? BUILDS : [...BUILDS].reverse();
    for (const [command, args] of commands) {
      for (const [build, path] of order) {
        const t = await runTimed(path, args, { cwd: REPO_ROOT, timeoutMs: 60_000 });
        if (t.code !== 0) throw new Error(`${build} ${command} exited ${t.code}: ${t.stderr}`);
        const key = `${command}\0${build}`;
        cpuMs.set(key, [...(cpuMs.get(key) ?? []), t.cpuS * 1000]);
      }
    }
  }
} finally {
  server.close();
  rmSync(out, { recursive: true, force: true });
}

const table = new Table({ style: { head: [], border: [] }, head: ['command', 'build', 'CPU ms, median', 'min', 'max'] });
for (const [command] of commands) {
  for (const [build] of BUILDS) {
    const values = cpuMs.get(`${command}\0${build}`)!;
    table.push([command, build, median(values).toFixed(0), Math.min(...values).toFixed(0), Math.max(...values).toFixed(0)]);
  }
}
if (unsetCa) console.log(unsetCa);
console.log(`${ROUNDS} rounds, alternating; CPU = user + system of the process tree (the loopback server runs in this bench's own process)`);
console.log(table.toString());
