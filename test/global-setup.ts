/**
 * Every test's temp folders in one folder of this test run, removed at its end: tests and the CLIs they
 * start make hundreds (run folders, scenarios, certificates, build contexts), and cleaning each up in each
 * test let them pile up in /tmp whenever one was missed or a test failed.
 */

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export default function setup(): () => void {
  const dir = mkdtempSync(join(tmpdir(), 'hopscope-tests-'));
  // Test files run in processes started after this, and so do the CLIs and services they start: all inherit it.
  process.env.TMPDIR = dir;
  return () => rmSync(dir, { recursive: true, force: true });
}
