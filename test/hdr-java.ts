/** HdrHistogram's reference Java tools (Debian's libhdrhistogram-java), for tests that check hlog files with them. */

import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';

export const JAR = '/usr/share/java/hdrhistogram.jar';

export const javaReady =
  existsSync(JAR) &&
  (() => {
    try {
      execFileSync('java', ['-version'], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  })();

/**
 * Runs HistogramLogProcessor over `hlog` (values in us, printed in ms), writing `out` and `out.hgrm`; returns
 * the .hgrm text and the interval lines of `out`.
 */
export function processHlog(hlog: string, out: string, tag?: string): { hgrm: string; intervals: string[] } {
  execFileSync('java', ['-cp', JAR, 'org.HdrHistogram.HistogramLogProcessor', '-i', hlog, '-o', out, ...(tag ? ['-tag', tag] : []), '-outputValueUnitRatio', '1000']);
  return { hgrm: readFileSync(`${out}.hgrm`, 'utf8'), intervals: readFileSync(out, 'utf8').split('\n').filter((l) => /^\s*\d/.test(l)) };
}

/** The `#[Max = 3.000, Total count = 3030]` footer of a .hgrm, as numbers (max in ms). */
export function hgrmTotals(hgrm: string): { maxMs: number; count: number } {
  const match = /#\[Max\s+=\s+([\d.]+), Total count\s+=\s+(\d+)\]/.exec(hgrm);
  if (!match) throw new Error(`no totals line in the .hgrm:\n${hgrm.slice(-300)}`);
  return { maxMs: Number(match[1]), count: Number(match[2]) };
}
