/** Running the built CLI (`npm test` builds dist/ first) and reading what it wrote, for the end-to-end tests. */
import { execFile, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import type { RunSummary } from '../../src/run-folder/summary.js';

export const run = promisify(execFile);
export const ROOT = resolve(import.meta.dirname, '../..');
export const CLI = join(ROOT, 'dist/cli/main.js');

export const dockerUp = await run('docker', ['info'], { timeout: 5000 }).then(
  () => true,
  () => false,
);

export function outDir(): string {
  return mkdtempSync(join(tmpdir(), 'hopscope-e2e-'));
}

export async function hopscope(args: string[], timeoutMs = 240_000, env: NodeJS.ProcessEnv = process.env): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run('node', [CLI, ...args], { cwd: ROOT, timeout: timeoutMs, maxBuffer: 64 << 20, env });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

export function summaryOf(dir: string): RunSummary {
  return JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8')) as RunSummary;
}

/** The CLI as a child whose stderr is collected; `until` waits (bounded) for a line matching a pattern. */
export function startCli(args: string[], env: NodeJS.ProcessEnv = process.env): {
  child: ChildProcessWithoutNullStreams;
  stderr: () => string;
  until: (pattern: RegExp, timeoutMs: number) => Promise<void>;
  exited: Promise<number | null>;
} {
  const child = spawn('node', [CLI, ...args], { cwd: ROOT, env });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d));
  child.stdout.resume();
  const exited = new Promise<number | null>((r) => child.on('exit', r));
  const until = async (pattern: RegExp, timeoutMs: number): Promise<void> => {
    const deadline = Date.now() + timeoutMs;
    while (!pattern.test(stderr)) {
      if (Date.now() > deadline || child.exitCode !== null) throw new Error(`no ${pattern} from hopscope within ${timeoutMs} ms; stderr:\n${stderr}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  return { child, stderr: () => stderr, until, exited };
}
