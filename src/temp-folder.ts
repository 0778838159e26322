/**
 * Temporary folders a hopscope process makes for itself (a run's certificates, a generator's results in
 * transit) and removes when it ends. A process killed before its teardown cannot, so each folder carries
 * its maker's pid, and the next process that makes one of the same kind removes those of gone processes.
 */

import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A new folder `<tmpdir>/<prefix><pid>-XXXXXX`, after removing the folders of that prefix whose process is gone. */
export function ownedTempDir(prefix: string): string {
  // A generator image built FROM scratch may have no /tmp yet.
  mkdirSync(tmpdir(), { recursive: true });
  for (const name of readdirSync(tmpdir())) {
    if (!name.startsWith(prefix)) continue;
    const pid = Number(name.slice(prefix.length).split('-')[0]);
    if (Number.isInteger(pid) && pid > 0 && !isAlive(pid)) rmSync(join(tmpdir(), name), { recursive: true, force: true });
  }
  return mkdtempSync(join(tmpdir(), `${prefix}${process.pid}-`));
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, under another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
