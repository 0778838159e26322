import { spawnSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';

// V8's own report of what TurboFan compiled (--trace-opt), in a process of its own: the flag it switches is
// the process's. The built module, as the CLI runs it (npm test builds first).
const tier = pathToFileURL('dist/pipeline/analysis-tier.js').href;

function compiledBetweenMarks(script: string, execArgv: string[] = []): Record<string, number> {
  const child = spawnSync(process.execPath, [...execArgv, '--trace-opt', '--input-type=module', '-e', script], { encoding: 'utf8', timeout: 60_000 });
  expect(child.status, child.stderr).toBe(0);
  const counts: Record<string, number> = {};
  let mark = 'start';
  for (const line of child.stdout.split('\n')) {
    if (line.startsWith('mark ')) counts[(mark = line.slice(5))] = 0;
    else if (line.includes('completed compiling') && line.includes('hot')) counts[mark] = (counts[mark] ?? 0) + 1;
  }
  return counts;
}

// `hot` is warmed at each mark: while the switch holds, TurboFan must not compile it; once released, it does.
const prelude = `
import { withoutOptimizer } from '${tier}';
const data = new Float64Array(10000).fill(1);
const make = () => function hot(a) { let s = 0; for (let i = 0; i < a.length; i++) s += a[i] * 2; return s; };
const warm = (label) => { console.log('mark ' + label); const f = make(); let t = 0; for (let k = 0; k < 3000; k++) t += f(data); return t; };
`;

describe('withoutOptimizer', () => {
  it('keeps TurboFan from compiling while the work runs, and turns it back on after', () => {
    const counts = compiledBetweenMarks(`${prelude}
await withoutOptimizer(async () => warm('inside'));
warm('after');
console.log('mark end');`);
    expect(counts.inside).toBe(0);
    expect(counts.after).toBeGreaterThan(0);
  });

  it('keeps it off until the last of overlapping holders is done', () => {
    const counts = compiledBetweenMarks(`${prelude}
let release;
const first = withoutOptimizer(() => new Promise((resolve) => (release = resolve)));
await withoutOptimizer(async () => warm('both'));
warm('first only');
release();
await first;
warm('none');
console.log('mark end');`);
    expect(counts.both).toBe(0);
    expect(counts['first only']).toBe(0);
    expect(counts.none).toBeGreaterThan(0);
  });

  it('leaves a process started with its own optimizer flags as it is', () => {
    const counts = compiledBetweenMarks(`${prelude}
await withoutOptimizer(async () => warm('inside'));
console.log('mark end');`, ['--max-opt=3']);
    expect(counts.inside).toBeGreaterThan(0);
  });
});
