import { spawn } from 'node:child_process';
import { InfraError } from '../../errors.js';
import { LineTail } from '../log-tail.js';
import { findOnPath, withDeathSignal } from '../process/death-signal.js';
import { track, untrack, type Teardownable } from '../teardown.js';

export interface ToolRun {
  tool: string;
  args: string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
  timeoutMs: number;
  /** Lines of output kept for the error message when the tool fails. */
  tailLines: number;
}

export type ToolOutcome = { ok: true } | { ok: false; why: string; tail: string[] };

/**
 * Runs a build tool to completion, keeping only the tail of its output. A missing tool is an InfraError for the
 * caller to word; a failing one is returned, so the caller can name the service. The child is tracked, so
 * Ctrl-C during a long build kills it, and dies with hopscope otherwise (death-signal.ts).
 */
export function runTool(run: ToolRun, missingToolError: () => InfraError): Promise<ToolOutcome> {
  return new Promise((resolve, reject) => {
    const tail = new LineTail(run.tailLines);
    // Under the parent-death signal, as a service is: a kill -9 of hopscope mid-build left cargo or go
    // building on. setpriv reports a missing tool as its own failure, not as ENOENT, so the tool is looked up first.
    const guarded = withDeathSignal([run.tool, ...run.args]);
    if (guarded.guarded && findOnPath(run.tool, run.env) === undefined) {
      reject(missingToolError());
      return;
    }
    const [file, ...args] = guarded.argv;
    const child = spawn(file!, args, { cwd: run.cwd, env: run.env, stdio: ['ignore', 'pipe', 'pipe'] });
    const handle: Teardownable = {
      label: `${run.tool} ${run.args[0] ?? ''} (pid ${child.pid ?? '?'})`,
      down: async () => {
        child.kill('SIGKILL');
      },
      killSync: () => child.kill('SIGKILL'),
    };
    track(handle);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, run.timeoutMs);

    child.stdout.setEncoding('utf8').on('data', (chunk: string) => tail.push(chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => tail.push(chunk));
    child.on('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      untrack(handle);
      reject(error.code === 'ENOENT' ? missingToolError() : error);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      untrack(handle);
      if (code === 0) return resolve({ ok: true });
      const why = timedOut
        ? `did not finish within ${Math.round(run.timeoutMs / 1000)} s`
        : signal !== null
          ? `was killed by ${signal}`
          : `exited with code ${code}`;
      resolve({ ok: false, why, tail: tail.toLines() });
    });
  });
}
