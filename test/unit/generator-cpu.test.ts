/** The generator's own CPU as a figure of the result: per phase in summary.json, totalled, and in the terminal. */

import { describe, expect, it } from 'vitest';
import { generatorLoadCpu, type RunSummary } from '../../src/run-folder/summary.js';
import { terminalReport } from '../../src/report/terminal-report.js';
import { makeSummary } from '../fixtures/runs/make-summary.js';

const summary = makeSummary();

describe('generator CPU', () => {
  it('totals the phases: CPU summed, per 1,000 requests over all sent, share over all phase time', () => {
    const phases: RunSummary['phases'] = [
      { ...summary.phases[0]!, sent: 1000, durationMs: 1000, generator: { cpuMs: 100, cpuMsPer1kRequests: 100, cpuShare: 0.1 } },
      { ...summary.phases[1]!, sent: 3000, durationMs: 3000, generator: { cpuMs: 60, cpuMsPer1kRequests: 20, cpuShare: 0.02 } },
    ];
    expect(generatorLoadCpu({ phases })).toEqual({ cpuMs: 160, cpuMsPer1kRequests: 40, cpuShare: 0.04 });
  });

  it('is absent for a summary written before it was recorded, and the report says nothing of it', () => {
    const old = { ...summary, phases: summary.phases.map(({ generator: _g, ...p }) => p) };
    expect(generatorLoadCpu(old)).toBeUndefined();
    expect(terminalReport(old, false)).not.toContain('generator CPU');
  });

  it('shows the total in the terminal and the generator beside the services in their CPU table', () => {
    const total = generatorLoadCpu(summary)!;
    const text = terminalReport(summary, false);
    expect(text).toContain(`generator CPU: ${(total.cpuMs / 1000).toFixed(2)} s over the load`);
    expect(text).toContain(`${total.cpuMsPer1kRequests.toFixed(1)} ms per 1,000 requests`);
    expect(text).toMatch(/│ hopscope \(generator\) +│ +\d+% │/);
    expect(text).toContain('gen CPU/1k req');
  });

  it('says how many engine threads each phase had, and how many carried its open loop', () => {
    const [open, closed] = summary.phases;
    const phases: RunSummary['phases'] = [
      { ...open!, generator: { ...open!.generator!, threads: { count: 2, carrying: { fewest: 1, most: 2 } } } },
      { ...closed!, generator: { ...closed!.generator!, threads: { count: 3 } } },
    ];
    const text = terminalReport({ ...summary, phases }, false);
    expect(text).toContain(`(${open!.name}: 2 threads, the open loop on 1 to 2 of them; ${closed!.name}: 3 threads)`);
    const held = { ...phases[0]!, generator: { ...open!.generator!, threads: { count: 2, carrying: { fewest: 2, most: 2 } } } };
    expect(terminalReport({ ...summary, phases: [held] }, false)).toContain('2 threads, the open loop on all 2)');
    const gathered = { ...phases[0]!, generator: { ...open!.generator!, threads: { count: 2, carrying: { fewest: 1, most: 1 } } } };
    expect(terminalReport({ ...summary, phases: [gathered] }, false)).toContain('2 threads, the open loop on 1 of them)');
  });
});
