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

/** Kills tracked child processes at once: a second Ctrl-C, or the process exiting with services still up. */
export function killAllSync(): void {
  for (const item of tracked) {
    try {
      item.killSync?.();
    } catch {
      // best effort: the process may be gone already
    }
  }
}
