/**
 * A bounded command with the CPU time of its whole process tree (user + system of every thread and every
 * child it waited for), the figure that says what a load generator takes from the machine it measures.
 * Measured by bash's `times` after the command exits: rusage of waited children, exact, and taken by the
 * kernel, not by sampling.
 */

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run, type RunOptions, type RunResult } from './proc.js';

export interface TimedResult extends RunResult {
  /** User + system seconds of the command's process tree. */
  cpuS: number;
}

/** "0m1.234s" -> 1.234 */
function seconds(text: string): number {
  const m = /^(\d+)m([\d.]+)s$/.exec(text);
  if (!m) throw new Error(`times: unreadable "${text}"`);
  return Number(m[1]) * 60 + Number(m[2]);
}

/** Runs `cmd args` (as `run` does) and measures its CPU. */
export async function runTimed(cmd: string, args: readonly string[], opts: RunOptions): Promise<TimedResult> {
  const dir = mkdtempSync(join(tmpdir(), 'hopscope-bench-cpu-'));
  const timesFile = join(dir, 'times');
  try {
    // The shell stays (exec would lose the one that reports) and passes a timeout's signal on to the command,
    // so that a killed bench leaves no load generator running.
    const script = [
      '"$@" & pid=$!',
      "trap 'kill -INT $pid 2>/dev/null' INT TERM",
      'wait $pid; rc=$?',
      'while kill -0 $pid 2>/dev/null; do wait $pid; rc=$?; done',
      'times > "$HS_TIMES_FILE"',
      'exit $rc',
    ].join('\n');
    const r = await run('/bin/bash', ['-c', script, 'bash', cmd, ...args], { ...opts, env: { ...(opts.env ?? process.env), HS_TIMES_FILE: timesFile } });
    // Line 2 of `times` is the children's user and system time.
    const children = readFileSync(timesFile, 'utf8').trim().split('\n')[1]!.trim().split(/\s+/);
    return { ...r, cpuS: seconds(children[0]!) + seconds(children[1]!) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Unsets NODE_EXTRA_CA_CERTS for the commands this process starts and returns a line saying so (undefined
 * when it was not set). A sandbox's setting, not a tool's: every Node process then parses the whole CA
 * bundle at start (~30 ms of CPU here), charged to the Node tools only. Plain HTTP to loopback needs no CA.
 */
export function unsetSandboxCa(): string | undefined {
  const value = process.env.NODE_EXTRA_CA_CERTS;
  if (!value) return undefined;
  delete process.env.NODE_EXTRA_CA_CERTS;
  return `NODE_EXTRA_CA_CERTS (${value}) is unset for the tools' runs`;
}
