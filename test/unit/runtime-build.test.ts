import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InfraError } from '../../src/errors.js';
import { runTool } from '../../src/runtime/build/run-tool.js';
import { lastLines, LineTail } from '../../src/runtime/log-tail.js';

const run = (tool: string, args: string[]) =>
  runTool({ tool, args, cwd: tmpdir(), env: process.env, timeoutMs: 10_000, tailLines: 30 }, () => new InfraError(`no ${tool}`));

describe('build tool runs', () => {
  it('a missing tool is the caller-worded InfraError', async () => {
    await expect(run('hopscope-no-such-tool', [])).rejects.toThrow(new InfraError('no hopscope-no-such-tool'));
  });

  it('a failing tool reports why and the last 30 lines of its output, stdout and stderr together', async () => {
    const outcome = await run('sh', ['-c', 'for i in $(seq 1 50); do echo out $i; done; echo boom >&2; exit 3']);
    expect(outcome.ok).toBe(false);
    if (outcome.ok) return;
    expect(outcome.why).toBe('exited with code 3');
    expect(outcome.tail).toHaveLength(30);
    expect(outcome.tail.at(0)).toBe('out 22');
    expect(outcome.tail.at(-1)).toBe('boom');
  });

  it('a tool that succeeds is ok', async () => {
    await expect(run('true', [])).resolves.toEqual({ ok: true });
  });
});

describe('log tails', () => {
  it('LineTail keeps the last lines, including an unterminated one, across chunk boundaries', () => {
    const tail = new LineTail(3);
    for (const chunk of ['a\nb', '\nc\nd', 'e\nf']) tail.push(chunk);
    expect(tail.toLines()).toEqual(['c', 'de', 'f']);
  });

  it('lastLines reads the end of a file, and [] for a service that never wrote one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hopscope-tail-'));
    const lines = Array.from({ length: 100 }, (_, i) => `line ${i}`);
    writeFileSync(join(dir, 'svc.log'), `${lines.join('\n')}\n`);
    expect(await lastLines(join(dir, 'svc.log'), 3)).toEqual(['line 97', 'line 98', 'line 99']);
    expect(await lastLines(join(dir, 'missing.log'), 3)).toEqual([]);
  });
});
