/**
 * Makes a child die with hopscope, whatever kills hopscope (kill -9, the OOM killer, a CI timeout): the
 * kernel's parent-death signal, set by util-linux's `setpriv --pdeathsig KILL` just before it execs the
 * service. The service needs no cooperation and keeps its pid (setpriv execs, it does not fork), so SIGSTOP
 * and /proc sampling reach the service itself. The signal fires when the *thread* that forked the child
 * exits; Node forks from its main thread, which lives as long as the process.
 */

import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

let found: string | null | undefined;

/** setpriv's path, or undefined when util-linux's setpriv is not installed (or not Linux). */
export function setprivPath(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (found !== undefined) return found ?? undefined;
  found = null;
  if (process.platform !== 'linux') return undefined;
  for (const dir of (env.PATH ?? '').split(delimiter).concat(['/usr/bin', '/bin'])) {
    const candidate = join(dir, 'setpriv');
    try {
      accessSync(candidate, constants.X_OK);
      found = candidate;
      break;
    } catch {
      // not in this folder
    }
  }
  return found ?? undefined;
}

/** The argv to spawn so that `argv` gets SIGKILL when hopscope dies; unchanged (guarded false) without setpriv. */
export function withDeathSignal(argv: string[]): { argv: string[]; guarded: boolean } {
  const setpriv = setprivPath();
  if (setpriv === undefined) return { argv, guarded: false };
  return { argv: [setpriv, '--pdeathsig', 'KILL', '--', ...argv], guarded: true };
}

export const UNGUARDED_WARNING =
  'warning: setpriv (util-linux) is not installed: a service started as a process would outlive a kill -9 of hopscope ' +
  '(`hopscope services down` finds and stops such leftovers); install util-linux to close that gap';
