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
  found = process.platform === 'linux' ? (findOnPath('setpriv', env) ?? null) : null;
  return found ?? undefined;
}

/** The executable `name` in env.PATH's folders (then /usr/bin and /bin), as execvp would find it; a path is taken as it is. */
export function findOnPath(name: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const candidates = name.includes('/') ? [name] : (env.PATH ?? '').split(delimiter).concat(['/usr/bin', '/bin']).map((dir) => join(dir, name));
  return candidates.find((candidate) => {
    try {
      accessSync(candidate, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
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
