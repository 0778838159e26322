import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { mergeRunFolders } from '../../src/fleet/merge-folders.js';
import type { RunSummary } from '../../src/run-folder/summary.js';
import { renderReport } from '../../src/report/html/report-page.js';
import { formatRate, formatUs } from '../../src/units.js';
import { makeSummary, writeQuickstartRun } from '../fixtures/runs/make-summary.js';

const WHERE = 'unix:///var/run/docker.sock';
const single = makeSummary();
let merged: RunSummary;

beforeAll(async () => {
  // Two generators' run folders, their clocks a little off the coordinator's, merged as the fleet coordinator merges them.
  const root = mkdtempSync(join(tmpdir(), 'hopscope-fleet-report-'));
  const sources = [
    { dir: join(root, 'g1'), name: 'g1', where: WHERE, seed: 1, clockOffsetMs: 0.61 },
    { dir: join(root, 'g2'), name: 'g2', where: WHERE, seed: 2, clockOffsetMs: -0.37 },
  ];
  for (const { dir, seed, clockOffsetMs } of sources) await writeQuickstartRun(dir, { seed, clockOffsetMs });
  merged = await mergeRunFolders(sources, join(root, 'merged'), { kind: 'docker', runtime: `fleet: 2 generators on docker (${WHERE})` });
}, 60_000);

describe('the report of a merged run', () => {
  it('has a generators section, one row per generator, listed in the contents', () => {
    const html = renderReport(merged);
    const section = /<section id="fleet">([\s\S]*?)<\/section>/.exec(html)?.[1];
    expect(section).toBeDefined();
    expect(section).toContain('<h2>Generators (2, merged exactly)</h2>');
    const g2 = merged.fleet!.generators[1]!;
    expect(g2).toMatchObject({ name: 'g2', where: WHERE, clockOffsetMs: -0.37 });
    expect(g2.unsent).toBeGreaterThan(0);
    const cells = [formatRate(g2.achievedRps), g2.sent.toLocaleString('en-US'), g2.unsent.toLocaleString('en-US'), formatUs(g2.sendLagP99Us), (g2.cpuMs / 1000).toFixed(2), '-0.37'];
    expect(section).toContain(`<td>g2</td><td>${WHERE}</td>${cells.map((c) => `<td class="num">${c}</td>`).join('')}`);
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
