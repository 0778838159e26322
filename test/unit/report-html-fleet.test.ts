import { describe, expect, it } from 'vitest';
import type { RunSummary } from '../../src/run-folder/summary.js';
import { renderReport } from '../../src/report/html/report-page.js';
import { makeSummary } from '../fixtures/runs/make-summary.js';

const single = makeSummary();
const merged: RunSummary = {
  ...single,
  fleet: {
    kind: 'docker',
    generators: [
      { name: 'g1', where: 'unix:///var/run/docker.sock', achievedRps: 1999.5, sent: 40_000, unsent: 0, sendLagP99Us: 310, cpuMs: 2150, clockOffsetMs: 0.61 },
      { name: 'g2', where: 'unix:///var/run/docker.sock', achievedRps: 1996.1, sent: 39_930, unsent: 70, sendLagP99Us: 1840, cpuMs: 2480, clockOffsetMs: -0.37 },
    ],
  },
};

describe('the report of a merged run', () => {
  it('has a generators section, one row per generator, listed in the contents', () => {
    const html = renderReport(merged);
    const section = /<section id="fleet">([\s\S]*?)<\/section>/.exec(html)?.[1];
    expect(section).toBeDefined();
    expect(section).toContain('<h2>Generators (2, merged exactly)</h2>');
    expect(section).toContain('<td>g2</td><td>unix:///var/run/docker.sock</td><td class="num">1,996</td><td class="num">39,930</td><td class="num">70</td><td class="num">1.84ms</td><td class="num">2.48</td><td class="num">-0.37</td>');
    expect(html).toContain('<a href="#fleet">generators</a>');
    // Placed before the generator's own health and the run details.
    expect(html.indexOf('id="fleet"')).toBeLessThan(html.indexOf('id="generator"'));
  });

  it('a single run has none', () => {
    const html = renderReport(single);
    expect(html).not.toContain('id="fleet"');
    expect(html).not.toContain('href="#fleet"');
  });
});
