/**
 * One place that knows everything a bench script started (processes, nginx, containers, images, temp
 * folders) and tears it down in reverse order: from a `finally`, and from SIGINT/SIGTERM/SIGHUP.
 *
 *   const cleanup = new Cleanup();
 *   const remove = cleanup.installSignalHandlers();
 *   try { ...; cleanup.add('nginx', () => nginx.stop()); ... } finally { await cleanup.runAll(); remove(); }
 */

export type CleanupTask = () => unknown | Promise<unknown>;

interface Entry {
  name: string;
  fn: CleanupTask;
}

/** Each task gets at most this long; a stuck task must not keep the others from running. */
const TASK_TIMEOUT_MS = 15_000;

export class Cleanup {
  private entries: Entry[] = [];
  private running: Promise<void> | undefined;

  constructor(private readonly log: (line: string) => void = (line) => process.stderr.write(`${line}\n`)) {}

  /** Registers a task; returns a function that unregisters it (call it once the thing is gone). */
  add(name: string, fn: CleanupTask): () => void {
    const entry: Entry = { name, fn };
    this.entries.push(entry);
    return () => {
      this.entries = this.entries.filter((e) => e !== entry);
    };
  }

  /** Runs every registered task, last added first, each once; errors are logged, never thrown. */
  runAll(): Promise<void> {
    this.running ??= (async () => {
      while (this.entries.length > 0) {
        const entry = this.entries.pop()!;
        let timer: NodeJS.Timeout | undefined;
        try {
          await Promise.race([
            Promise.resolve().then(entry.fn),
            new Promise((_, reject) => {
              timer = setTimeout(() => reject(new Error(`timed out after ${TASK_TIMEOUT_MS} ms`)), TASK_TIMEOUT_MS);
            }),
          ]);
        } catch (err) {
          this.log(`cleanup: ${entry.name}: ${err instanceof Error ? err.message : String(err)}`);
        } finally {
          clearTimeout(timer);
        }
      }
    })().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  /**
   * On SIGINT, SIGTERM or SIGHUP: runs every task, then exits 130 (SIGINT) or 143. A second signal while
   * cleaning up exits at once. A reader of stdout that goes away (`bench | head`) is treated the same way,
   * exit 141: the write's EPIPE used to end the bench as an uncaught error, its nginx left running.
   * Returns a function that removes the handlers.
   */
  installSignalHandlers(): () => void {
    let received = false;
    const handler = (signal: NodeJS.Signals) => {
      if (received) {
        this.log(`${signal} again: exiting without finishing the cleanup`);
        process.exit(1);
      }
      received = true;
      this.log(`\n${signal}: stopping everything this bench started`);
      void this.runAll().finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
    };
    const onStdoutError = (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE' || received) return;
      received = true;
      void this.runAll().finally(() => process.exit(141));
    };
    const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
    for (const s of signals) process.on(s, handler);
    process.stdout.on('error', onStdoutError);
    return () => {
      for (const s of signals) process.off(s, handler);
      process.stdout.off('error', onStdoutError);
    };
  }
}
