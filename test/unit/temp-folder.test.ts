import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ownedTempDir } from '../../src/temp-folder.js';

describe('ownedTempDir', () => {
  it('names the folder after this process and removes those of gone processes, not of live ones', () => {
    const prefix = `hopscope-test-owned-${process.pid}x-`;
    const gonePid = spawnSync(process.execPath, ['-e', '0']).pid!;
    const gone = join(tmpdir(), `${prefix}${gonePid}-abc123`);
    const live = join(tmpdir(), `${prefix}${process.pid}-def456`);
    const other = join(tmpdir(), `${prefix}notapid`);
    for (const dir of [gone, live, other]) mkdirSync(dir, { recursive: true });
    const made = ownedTempDir(prefix);
    try {
      expect(basename(made).startsWith(`${prefix}${process.pid}-`)).toBe(true);
      expect(existsSync(made)).toBe(true);
      expect(existsSync(gone)).toBe(false);
      expect(existsSync(live)).toBe(true);
      expect(existsSync(other)).toBe(true);
    } finally {
      for (const dir of [made, gone, live, other]) rmSync(dir, { recursive: true, force: true });
    }
  });
});
