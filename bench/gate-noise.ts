/**
 * How often does the noise-aware baseline gate cry wolf, and how often does it catch a real 20% slowdown?
 *
 *   npx tsc -p tsconfig.bench.json && node dist-bench/bench/gate-noise.js [groups=20] [trialSeconds=3] [trials=2]
 *
 * Two local HTTP servers, each in its own process so that their work does not share the generator's event
 * loop: A spends BASE_US of CPU per request, B spends 20% more. Each group runs, in rotating order,
 * `trials` trials against A (the baseline), `trials` more against A (an A/A candidate) and `trials` against B
 * (an A/B candidate), each through the real CLI (`hopscope run scenario.yaml`, a short unrecorded warm-up
 * first), and then applies the gate's own comparison (`compareToBaseline`, default tolerance 10%) to the
 * saved folders, exactly as `hopscope gate CANDIDATE --baseline BASELINE` would. Prints the share of A/A
 * comparisons that failed (false alarms) and of A/B comparisons that failed (detections), for the p99
 * check alone and for the whole baseline gate (any of p50, p90, p99, p99.9). Figures, not assertions.
 */

import { fork } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { main } from '../src/cli/program.js';
import { compareToBaseline, parseTolerance } from '../src/gate/baseline.js';
import { DEFAULT_TOLERANCE } from '../src/scenario/defaults.js';
import { trialDir } from '../src/run-folder/layout.js';
import { loadRunSet } from '../src/run-folder/run-set.js';

const BASE_US = 250;
const SLOWDOWN = 1.2;
const RATE_RPS = 1000;
const WARM_UP = '500ms';

type Variant = 'A' | 'B';

/** The server process: answers every request after busy-waiting `workUs`, then reports its port. */
function serve(workUs: number): void {
  const server = createServer((_req, res) => {
    const until = process.hrtime.bigint() + BigInt(Math.round(workUs * 1000));
    while (process.hrtime.bigint() < until);
    res.end('ok');
  });
  server.listen(0, '127.0.0.1', () => process.send!((server.address() as { port: number }).port));
}

function startServer(workUs: number): Promise<{ port: number; stop: () => void }> {
  const child = fork(fileURLToPath(import.meta.url), ['--serve', String(workUs)], { stdio: 'inherit' });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('message', (port) => resolve({ port: Number(port), stop: () => child.kill() }));
  });
}

function scenarioFile(dir: string, name: string, port: number, trialSeconds: number): string {
  const load = `{ model: open, rate: ${RATE_RPS}, connections: 16 }`;
  const path = join(dir, `${name}.yaml`);
  writeFileSync(
    path,
    [
      `name: gate-noise-${name}`,
      `target: http://127.0.0.1:${port}`,
      'requests: [{ name: get, path: / }]',
      'phases:',
      `  - { name: warm-up, duration: ${WARM_UP}, record: false, load: ${load} }`,
      `  - { name: main, duration: ${trialSeconds}s, load: ${load} }`,
      '',
    ].join('\n'),
  );
  return path;
}

const discard = new Writable({ write: (_chunk, _encoding, done) => done() });

async function trial(scenario: string, outDir: string): Promise<void> {
  const code = await main(['run', scenario, '--out', outDir, '--quiet'], { stdout: discard, stderr: process.stderr, env: {}, cwd: process.cwd() });
  if (code !== 0) throw new Error(`hopscope run ${scenario} exited ${code}`);
}

interface Tally {
  comparisons: number;
  p99Failed: number;
  anyFailed: number;
}

function judge(baselineDir: string, candidateDir: string, tally: Tally): string {
  const { checks } = compareToBaseline(loadRunSet(baselineDir, 'baseline'), loadRunSet(candidateDir, 'candidate'), parseTolerance(DEFAULT_TOLERANCE));
  const p99 = checks.find((c) => c.scope === 'overall' && c.check === 'p99 vs baseline')!;
  tally.comparisons++;
  if (!p99.pass) tally.p99Failed++;
  if (checks.some((c) => !c.pass)) tally.anyFailed++;
  return `p99 ${p99.actualText}${p99.pass ? '' : ' FAIL'}`;
}

const percent = (n: number, of: number) => `${((n / of) * 100).toFixed(0)}% (${n}/${of})`;

async function bench(groups: number, trialSeconds: number, trials: number): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), 'hopscope-gate-noise-'));
  const servers = { A: await startServer(BASE_US), B: await startServer(BASE_US * SLOWDOWN) };
  const scenarios = { A: scenarioFile(root, 'A', servers.A.port, trialSeconds), B: scenarioFile(root, 'B', servers.B.port, trialSeconds) };
  const aa: Tally = { comparisons: 0, p99Failed: 0, anyFailed: 0 };
  const ab: Tally = { comparisons: 0, p99Failed: 0, anyFailed: 0 };
  const started = Date.now();
  console.log(`gate-noise: ${groups} groups of ${trials}+${trials}+${trials} trials, ${trialSeconds}s each at ${RATE_RPS} req/s; A ${BASE_US}us of work per request, B ${SLOWDOWN}x`);
  try {
    for (let g = 0; g < groups; g++) {
      const group = join(root, `group-${g + 1}`);
      const runs: [string, Variant][] = [
        ['baseline', 'A'],
        ['same', 'A'],
        ['slower', 'B'],
      ];
      // Rotate which set runs first, so that a slow drift of the machine favours none of them.
      for (let t = 1; t <= trials; t++) {
        for (let k = 0; k < runs.length; k++) {
          const [set, variant] = runs[(k + g + t) % runs.length]!;
          await trial(scenarios[variant], trialDir(join(group, set), t));
        }
      }
      const same = judge(join(group, 'baseline'), join(group, 'same'), aa);
      const slower = judge(join(group, 'baseline'), join(group, 'slower'), ab);
      console.log(`group ${g + 1}: A/A ${same}; A/B ${slower}`);
      rmSync(group, { recursive: true, force: true });
    }
  } finally {
    servers.A.stop();
    servers.B.stop();
    rmSync(root, { recursive: true, force: true });
  }
  console.log(`\nnoise-aware gate, tolerance ${DEFAULT_TOLERANCE}, ${trials} vs ${trials} trials per comparison (${((Date.now() - started) / 1000).toFixed(0)}s in all)`);
  console.log(`false-alarm rate (A/A failed): p99 check ${percent(aa.p99Failed, aa.comparisons)}; whole gate ${percent(aa.anyFailed, aa.comparisons)}`);
  console.log(`detection rate (A/B, ${Math.round((SLOWDOWN - 1) * 100)}% slower, failed): p99 check ${percent(ab.p99Failed, ab.comparisons)}; whole gate ${percent(ab.anyFailed, ab.comparisons)}`);
}

if (process.argv[2] === '--serve') serve(Number(process.argv[3]));
else {
  await bench(Number(process.argv[2] ?? 20), Number(process.argv[3] ?? 3), Number(process.argv[4] ?? 2));
  // As the CLI does: keep-alive sockets of the finished runs must not hold the process open.
  process.exit(0);
}
