/**
 * The CLI's process-wide handlers: Ctrl-C, SIGTERM and crashes tear down every service the run tracked
 * before the process exits. Only the CLI installs them; library users own their process and its signals
 * (their services still die with it: child processes by their death signal, containers by the reaper).
 */

import { ExitCode, HopscopeError } from '../errors.js';
import { settlesWithin } from '../runtime/deadline.js';
import { DEFAULT_TEARDOWN_DEADLINE_MS, downAll, killAllSync } from '../runtime/teardown.js';

/** How long an interrupt hook (stop the load, print a line) may take before teardown starts anyway. */
const MAX_HOOK_MS = 3_000;

export type InterruptSignal = 'SIGINT' | 'SIGTERM';

/**
 * Makes Ctrl-C, SIGTERM and crashes tear down every tracked service before the process exits:
 * first signal → onInterrupt (e.g. stop the load, say what is happening), downAll(), exit 130;
 * second signal → kill child processes synchronously and exit at once;
 * uncaught exception / unhandled rejection → print it, downAll(), exit 4 (or the error's own exit code).
 * Returns a function that removes the handlers.
 */
export function installSignalHandlers(
  onInterrupt?: (signal: InterruptSignal) => void | Promise<void>,
  deadlineMs = DEFAULT_TEARDOWN_DEADLINE_MS,
): () => void {
  let shuttingDown = false;

  const shutDown = (exitCode: number, first?: () => void | Promise<void>): void => {
    if (shuttingDown) {
      killAllSync();
      process.exit(exitCode);
    }
    shuttingDown = true;
    // The hook gets a slice of the deadline so that a hung hook cannot eat the services' teardown time.
    const hookDeadlineMs = Math.min(MAX_HOOK_MS, deadlineMs / 3);
    void (async () => {
      await settlesWithin(Promise.resolve().then(first), hookDeadlineMs);
      await downAll(deadlineMs - hookDeadlineMs);
      process.exit(exitCode);
    })();
  };

  const onSignal = (signal: InterruptSignal): void => {
    shutDown(ExitCode.interrupted, onInterrupt && (() => onInterrupt(signal)));
  };
  const onCrash = (error: unknown): void => {
    const exitCode = error instanceof HopscopeError ? error.exitCode : ExitCode.internal;
    const text = error instanceof HopscopeError ? error.message : error instanceof Error ? error.stack : String(error);
    process.stderr.write(`hopscope: ${text ?? 'unknown error'}\nhopscope: stopping services\n`);
    shutDown(exitCode);
  };

  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.on('uncaughtException', onCrash);
  process.on('unhandledRejection', onCrash);
  process.on('exit', killAllSync);
  return () => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    process.off('uncaughtException', onCrash);
    process.off('unhandledRejection', onCrash);
    process.off('exit', killAllSync);
  };
}
