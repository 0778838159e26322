import { createWriteStream, type WriteStream } from 'node:fs';
import { settlesWithin } from './deadline.js';

/** Bounds every wait on a log: a wedged disk must not hang readiness or teardown. */
export const LOG_WAIT_MS = 1_000;

/**
 * The file a service's stdout and stderr go to, across restarts. A write error (disk full, a late line after
 * teardown closed it) must not crash a run over a diagnostic file, so errors are dropped here.
 */
export function openServiceLog(path: string): WriteStream {
  return createWriteStream(path).on('error', () => undefined);
}

/** Resolves once everything written so far is on disk: writes complete in order, so an empty write marks the spot. */
export async function logWritten(log: WriteStream): Promise<void> {
  if (log.writableEnded) return;
  await settlesWithin(new Promise((resolve) => log.write('', resolve)), LOG_WAIT_MS);
}

export async function closeLog(log: WriteStream): Promise<void> {
  await settlesWithin(new Promise((resolve) => log.end(resolve)), LOG_WAIT_MS);
}
