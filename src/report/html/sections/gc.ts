/** Garbage collection per service: the Go cache's pauses and what they did to latency, or why there are none. */

import type { GcAnalysis } from '../../../analyze/types.js';
import type { Percentiles } from '../../../record/histogram.js';
import type { RunSummary } from '../../../run-folder/summary.js';
import { formatCount, formatUs } from '../../../units.js';
import { note, notRecorded, section, table } from '../elements.js';
import { esc } from '../escape.js';

const PERCENTILE_COLUMNS = ['count', 'p50', 'p90', 'p99', 'p99.9', 'max'].map((head) => ({ head, numeric: true }));

function percentileCells(p: Percentiles): string[] {
  return [formatCount(p.count), formatUs(p.p50Us), formatUs(p.p90Us), formatUs(p.p99Us), formatUs(p.p999Us), formatUs(p.maxUs)];
}

function goCollector(g: GcAnalysis): string {
  const parts = [note(g.note)];
  if (g.pauses.length === 0) parts.push('<p class="absent">no GC pause happened during the run</p>');
  else {
    const totalUs = g.pauses.reduce((sum, p) => sum + p.durationUs, 0);
    parts.push(table([{ head: 'pauses' }, ...PERCENTILE_COLUMNS], [['pause length', ...percentileCells(g.pauseStats)]]));
    parts.push(note(`${g.pauses.length} pauses, ${formatUs(totalUs)} paused in total${g.lost ? `; ${g.lost} more pauses were lost by the service's ring buffer` : ''}. Each is a triangle on the latency-over-time chart.`));
  }
  if (g.correlation) {
    const c = g.correlation;
    parts.push(
      `<h3>Latency of requests in flight during a pause vs the others</h3>${table(
        [{ head: 'requests' }, ...PERCENTILE_COLUMNS],
        [
          ['during a pause', ...percentileCells(c.duringPause)],
          ['otherwise', ...percentileCells(c.otherwise)],
        ],
      )}`,
    );
  }
  return parts.join('\n');
}

const TITLES: Record<GcAnalysis['collector'], string> = {
  go: ': Go GC',
  none: ': no garbage collector, nothing to show',
  unseen: ': GC not visible to hopscope',
};

export function gcSection(summary: RunSummary): string {
  if (!summary.gc?.length) return notRecorded('gc', 'Garbage collection');
  const kinds = new Map(summary.services.map((s) => [s.name, s.kind]));
  const blocks = summary.gc.map((g) => {
    const kind = kinds.get(g.service);
    const title = `<h3>${esc(g.service)}${kind ? ` (${esc(kind)})` : ''}${TITLES[g.collector]}</h3>`;
    // Said in words rather than drawn as an empty chart: "nothing" is the finding for a service without a GC,
    // and "not seen" must not read as "no pauses" for one whose GC hopscope cannot read.
    return title + (g.collector === 'go' ? goCollector(g) : `<p class="sentence">${esc(g.note)}</p>`);
  });
  return section('gc', 'Garbage collection', blocks.join('\n'));
}
