/**
 * Shared by the benches that compare hopscope with peers round by round: run each tool once per round in
 * a rotated order, then print every round, the best, and hopscope's ratio to each (with a target, met or not).
 */

import { mkdtempSync, rmSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import Table from 'cli-table3';
import type { Cleanup } from './cleanup.js';
import { cliPath } from './hopscope.js';
import { run } from './proc.js';
import { formatRps, rotate } from './util.js';

export const OHA_BIN = join(homedir(), '.cargo/bin/oha');

export interface Figures {
  rps: number;
  /** Connections opened per second (handshakes, over TLS), when the tool reports it. */
  connectionsPerS?: number;
}

/** A closed-loop run of the hopscope CLI under `root`; figures from its summary.json. */
export async function hopscopeClosedLoop(cleanup: Cleanup, root: string, url: string, connections: number, extra: string[], durationS: number): Promise<Figures> {
  const out = mkdtempSync(join(tmpdir(), 'hopscope-bench-tls-'));
  try {
    const args = ['run', '--target', url, '--connections', String(connections), '--duration', `${durationS}s`, '--json', '--quiet', '--out', out, ...extra];
    const r = await run(cliPath(root), args, { cwd: root, timeoutMs: durationS * 1000 + 60_000, killSignal: 'SIGINT', cleanup });
    const s = JSON.parse(r.stdout) as { phases: { achievedRps: number; durationMs: number }[]; connections?: { opened: number } };
    const phase = s.phases[0]!;
    return { rps: phase.achievedRps, ...(s.connections ? { connectionsPerS: s.connections.opened / (phase.durationMs / 1000) } : {}) };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

export async function oha(cleanup: Cleanup, url: string, connections: number, durationS: number, extra: string[] = []): Promise<Figures> {
  const r = await run(OHA_BIN, ['-z', `${durationS}s`, '-c', String(connections), '--no-tui', '--output-format', 'json', '--insecure', ...extra, url], { timeoutMs: durationS * 1000 + 30_000, cleanup });
  const s = JSON.parse(r.stdout) as { summary: { requestsPerSec: number } };
  return { rps: s.summary.requestsPerSec };
}

export type Tools = Record<string, () => Promise<Figures>>;

export async function runRounds(label: string, tools: Tools, count: number): Promise<Record<string, Figures[]>> {
  const results: Record<string, Figures[]> = Object.fromEntries(Object.keys(tools).map((k) => [k, []]));
  const names = Object.keys(tools);
  for (let round = 0; round < count; round++) {
    // Rotated each round, so that no tool always runs first (or last) on a warm or cold machine.
    for (const name of rotate(names, round)) {
      results[name]!.push(await tools[name]!());
      process.stderr.write(`${label} round ${round + 1}: ${name} ${formatRps(results[name]!.at(-1)!.rps)} req/s\n`);
    }
  }
  return results;
}

export function printRounds(title: string, results: Record<string, Figures[]>, reference: string, count: number, target?: { against: string; ratio: number }): void {
  const best = (name: string) => Math.max(...results[name]!.map((f) => f.rps));
  const t = new Table({ head: [title, ...Array.from({ length: count }, (_, i) => `round ${i + 1}`), 'best', `${reference} / this`] });
  for (const [name, figures] of Object.entries(results)) {
    t.push([name, ...figures.map((f) => formatRps(f.rps)), formatRps(best(name)), (best(reference) / best(name)).toFixed(2)]);
  }
  console.log(t.toString());
  if (target) {
    const ratio = best(reference) / best(target.against);
    console.log(`target ${reference} >= ${target.ratio}x ${target.against}: ${ratio.toFixed(2)}x, ${ratio >= target.ratio ? 'met' : 'NOT met'}`);
  }
}

