import { ExitCode, HopscopeError } from '../errors.js';
import { settlesWithin } from './deadline.js';

/** Anything hopscope started that must not outlive it: a service, or a build still compiling. */
export interface Teardownable {
  /** For messages: `service "api" (fastjson-api)`, `cargo build (pid 4242)`. */
  readonly label: string;
  down(): Promise<void>;
  /** Stopped after everything else (the docker reaper: it must outlast the containers it backs up). */
  readonly last?: boolean;
  /** Last resort after a second Ctrl-C or on exit: synchronous, best effort (child processes only). */
  killSync?(): void;
}

/** Services get 2 s to stop gracefully, so 15 s covers a handful of them even on a slow engine. */
export const DEFAULT_TEARDOWN_DEADLINE_MS = 15_000;

/** How long an interrupt hook (stop the load, print a line) may take before teardown starts anyway. */
const MAX_HOOK_MS = 3_000;

const tracked = new Set<Teardownable>();

export function track(item: Teardownable): void {
  tracked.add(item);
}

export function untrack(item: Teardownable): void {
  tracked.delete(item);
}

/** What is still running: tests check that every down() untracked its service. */
export function trackedLabels(): string[] {
  return [...tracked].map((item) => item.label);
}

/** Stops everything tracked, in parallel; resolves by the deadline with the labels that failed or did not finish. */
export async function downAll(deadlineMs = DEFAULT_TEARDOWN_DEADLINE_MS): Promise<string[]> {
  const items = [...tracked];
  const unfinished = new Set(items.map((item) => item.label));
  const downEach = (group: Teardownable[]) =>
    Promise.all(
      group.map(async (item) => {
        try {
          await item.down();
          unfinished.delete(item.label);
        } catch {
          // reported through `unfinished`
        }
      }),
    );
  const all = downEach(items.filter((item) => !item.last)).then(() => downEach(items.filter((item) => item.last)));
  await settlesWithin(all, deadlineMs);
  killAllSync();
  return [...unfinished];
}

function killAllSync(): void {
  for (const item of tracked) {
    try {
      item.killSync?.();
    } catch {
      // best effort: the process may be gone already
    }
  }
}

export type InterruptSignal = 'SIGINT' | 'SIGTERM';

/**
 * Makes Ctrl-C, SIGTERM and crashes tear down every tracked service before the process exits:
 * first signal → onInterrupt (e.g. stop the load, say what is happening), downAll(), exit 130;
 * second signal → kill child processes synchronously and exit at once;
 * uncaught exception / unhandled rejection → print it, downAll(), exit 3 (or the error's own exit code).
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
    const exitCode = error instanceof HopscopeError ? error.exitCode : ExitCode.infrastructure;
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
