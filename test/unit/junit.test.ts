import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { CheckResult } from '../../src/gate/check.js';
import type { GateReport } from '../../src/gate/gate.js';
import type { RunSet } from '../../src/run-folder/run-set.js';
import { escapeXml, junitXml } from '../../src/report/junit.js';
import { writeRun } from './gate-fixtures.js';

const python = (() => {
  try {
    execFileSync('python3', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

/** Parses with a real XML parser (Python's expat) and returns what it read back. */
function parseBack(xml: string): { suites: string; cases: { name: string; failure: string | null; out: string | null }[] } {
  const script = `
import json, sys, xml.dom.minidom as m
d = m.parseString(sys.stdin.buffer.read())
text = lambda e: e[0].firstChild.data if e and e[0].firstChild else None
print(json.dumps({"suites": d.documentElement.getAttribute("failures"), "cases": [
  {"name": c.getAttribute("name"), "failure": (c.getElementsByTagName("failure") or [None])[0] and c.getElementsByTagName("failure")[0].getAttribute("message"),
   "out": text(c.getElementsByTagName("system-out"))} for c in d.getElementsByTagName("testcase")]}))
`;
  return JSON.parse(execFileSync('python3', ['-c', script], { input: xml }).toString());
}

const NASTY = 'p99 = 6ms, expected < 5ms & "quoted" \'single\' <tag> \u0001bell';

let candidate: RunSet;
beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'hopscope-junit-'));
  candidate = { dir, runs: [await writeRun(dir, { intervals: [{ item: [1000] }] })] };
});

function report(checks: CheckResult[]): GateReport {
  return { candidate, baseline: undefined, method: undefined, toleranceRatio: 0.1, checks, passed: checks.every((c) => c.pass) };
}

const pass: CheckResult = { kind: 'threshold', check: 'p99 < 5ms', scope: 'overall', actual: 4000, actualText: '4.00ms', pass: true, message: 'p99 = 4.00ms, within < 5.00ms' };
const fail: CheckResult = { kind: 'baseline', check: 'p99 vs baseline', scope: 'request <item>', actual: 1.2, actualText: '+20.0%', pass: false, message: NASTY };

describe('junitXml', () => {
  it('escapes the five XML specials and drops characters XML cannot hold', () => {
    expect(escapeXml(`a&b<c>d"e'f\u0001g\u{1F600}`)).toBe('a&amp;b&lt;c&gt;d&quot;e&apos;f\uFFFDg\u{1F600}');
  });

  it('writes one testcase per check, a failure with its message for each failed one', () => {
    const xml = junitXml(report([pass, fail]), 'hopscope gate: fixture');
    expect(xml).toContain('<testsuites name="hopscope" tests="2" failures="1" errors="0" skipped="0">');
    expect(xml).toContain('<testcase classname="hopscope.threshold" name="overall: p99 &lt; 5ms" time="0">');
    expect(xml).toContain('<system-out>p99 = 4.00ms, within &lt; 5.00ms</system-out>');
    expect(xml).toContain(
      '<failure message="p99 = 6ms, expected &lt; 5ms &amp; &quot;quoted&quot; &apos;single&apos; &lt;tag&gt; \uFFFDbell" type="baseline">',
    );
    expect(xml.match(/<testcase /g)).toHaveLength(2);
  });

  it.runIf(python)('is well-formed: a real parser reads the messages back', () => {
    const back = parseBack(junitXml(report([pass, fail]), 'suite & <co>'));
    expect(back.suites).toBe('1');
    expect(back.cases).toEqual([
      { name: 'overall: p99 < 5ms', failure: null, out: 'p99 = 4.00ms, within < 5.00ms' },
      { name: 'request <item>: p99 vs baseline', failure: NASTY.replace('\u0001', '\uFFFD'), out: null },
    ]);
  });

  it('with no checks, an empty suite that still parses', () => {
    const xml = junitXml(report([]), 'empty');
    expect(xml).toContain('tests="0" failures="0"');
    if (python) expect(parseBack(xml).cases).toEqual([]);
  });
});
