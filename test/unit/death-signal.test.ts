import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { setprivPath, withDeathSignal } from '../../src/runtime/process/death-signal.js';

describe('the parent-death signal around a service', () => {
  it('wraps argv in setpriv --pdeathsig KILL, which execs it (same argv after --)', () => {
    const setpriv = setprivPath();
    expect(setpriv, 'util-linux setpriv is needed here (.ci/run installs it)').toBeDefined();
    expect(withDeathSignal(['./orders', '--listen', '127.0.0.1:9090'])).toEqual({
      argv: [setpriv, '--pdeathsig', 'KILL', '--', './orders', '--listen', '127.0.0.1:9090'],
      guarded: true,
    });
  });

  it('the wrapped program really gets SIGKILL as its parent-death signal', () => {
    // /proc has no pdeathsig field; `setpriv --dump`, run under the wrapper, prints what it was given.
    const [file, ...args] = withDeathSignal([setprivPath()!, '--dump']).argv;
    const dump = spawnSync(file!, args, { encoding: 'utf8' });
    expect(dump.status).toBe(0);
    expect(dump.stdout).toMatch(/^Parent death signal: (KILL|kill|9)$/m);
  });
});
