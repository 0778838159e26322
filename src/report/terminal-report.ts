/**
 * Everything the terminal shows at the end of a run, below the request table: phases, where the tail went
 * (hops), GC pauses, each service's CPU and memory, per-hop request counts, and a knee search's verdict.
 * Each section appears only when the run has its data.
 */

import { tailSentence } from './tail-sentence.js';
import { invalidationsByPhase } from '../analyze/invalidations.js';
import { generatorLoadCpu, type RunSummary } from '../run-folder/summary.js';
import { summaryTable } from './terminal-table.js';
import { newTable } from './table.js';
import { threadsText } from './threads-text.js';
import { formatPercent, formatRate, formatUs } from '../units.js';

function table(head: string[], rows: string[][], color: boolean): string {
  const t = newTable(head, color);
  t.push(...rows);
  return t.toString();
}

function phases(s: RunSummary, color: boolean): string | undefined {
  if (s.phases.length < 2) return undefined;
  const rows = s.phases.map((p) => [
    `${p.name}${p.recorded ? '' : ' (warm-up)'}`,
    p.model === 'open' ? `open ${p.targetRps!.from === p.targetRps!.to ? formatRate(p.targetRps!.from) : `${formatRate(p.targetRps!.from)}->${formatRate(p.targetRps!.to)}`}/s` : `closed x${p.connections}`,
    p.target,
    formatRate(p.achievedRps),
    formatUs(p.overall.latency.p50Us),
    formatUs(p.overall.latency.p99Us),
    formatUs(p.overall.latency.p999Us),
    formatUs(p.overall.latency.maxUs),
    p.overall.errors ? `${p.overall.errors} (${formatPercent(p.overall.errorRate)})` : '0',
    p.generator ? `${p.generator.cpuMsPer1kRequests.toFixed(1)} ms` : '-',
  ]);
  return table(['phase', 'load', 'target', 'req/s', 'p50', 'p99', 'p99.9', 'max', 'errors', 'gen CPU/1k req'], rows, color);
}

/** The generator's CPU over the load: it runs on the cores it measures, so it is part of the result. */
function generatorCpu(s: RunSummary): string | undefined {
  const cpu = generatorLoadCpu(s);
  if (!cpu) return undefined;
  const threads = s.phases.flatMap((p) => (p.generator?.threads ? [`${p.name}: ${threadsText(p.generator.threads)}`] : []));
  return `generator CPU: ${(cpu.cpuMs / 1000).toFixed(2)} s over the load (${formatPercent(cpu.cpuShare)} of a core), ${cpu.cpuMsPer1kRequests.toFixed(1)} ms per 1,000 requests${
    threads.length ? ` (${threads.join('; ')})` : ''
  }`;
}

function hops(s: RunSummary): string | undefined {
  if (!s.hops) return undefined;
  const own = s.hops.hops.map((h) => `${h.name} p99 ${formatUs(h.selfTime.p99Us)}`).join(', ');
  return [`hops (own time): ${own}, outside p99 ${formatUs(s.hops.residual.selfTime.p99Us)}`, ...s.hops.tails.map((t) => `tail ${tailSentence(t)}`)].join('\n');
}

function gc(s: RunSummary): string | undefined {
  if (!s.gc?.length) return undefined;
  return s.gc
    .map((g) => {
      if (g.collector === 'none') return `gc ${g.service}: none (${g.note})`;
      if (g.collector === 'unseen') return `gc ${g.service}: not seen (${g.note})`;
      const p = g.pauseStats;
      const line = `gc ${g.service}: ${p.count} pauses, p50 ${formatUs(p.p50Us)}, p99 ${formatUs(p.p99Us)}, max ${formatUs(p.maxUs)}${g.lost ? `, ${g.lost} lost` : ''}`;
      const c = g.correlation;
      return c && c.requestsDuringPause > 0
        ? `${line}\n   requests in flight during a pause: ${c.requestsDuringPause}, p99 ${formatUs(c.duringPause.p99Us)} vs ${formatUs(c.otherwise.p99Us)} otherwise`
        : line;
    })
    .join('\n');
}

function services(s: RunSummary, color: boolean): string | undefined {
  if (!s.resources?.length) return undefined;
  const counts = new Map(s.amplification?.perService.map((c) => [c.service, c]) ?? []);
  const rows = s.resources.map((r) => {
    const cpu = r.points.map((p) => p.cpuPercent);
    const mem = r.points.map((p) => p.memoryBytes);
    const c = counts.get(r.service);
    return [
      r.service,
      cpu.length ? `${(cpu.reduce((a, b) => a + b, 0) / cpu.length).toFixed(0)}%` : '-',
      cpu.length ? `${Math.max(...cpu).toFixed(0)}%` : '-',
      mem.length ? `${(Math.max(...mem) / 1048576).toFixed(1)} MB` : '-',
      c ? String(c.requests) : '-',
      c ? String(c.timeouts) : '-',
      c ? String(c.retries) : '-',
    ];
  });
  const generator = generatorLoadCpu(s);
  if (generator) rows.push(['hopscope (generator)', `${(generator.cpuShare * 100).toFixed(0)}%`, '-', '-', '-', '-', '-']);
  const amp = s.amplification?.deepestPerClientRequest;
  const note = amp === undefined ? '' : `\nrequests at the deepest hop per client request: ${amp.toFixed(3)}`;
  return table(['service', 'cpu avg', 'cpu max', 'mem max', 'requests', 'timeouts', 'retries'], rows, color) + note;
}

/** What hopscope could not see of each service, said rather than left as silently missing columns. */
function unseen(s: RunSummary): string | undefined {
  const lines = s.services.flatMap((svc) => (svc.unseen ?? []).map((what) => `not seen in ${svc.name}: ${what}`));
  return lines.length ? lines.join('\n') : undefined;
}

function invalidations(s: RunSummary): string | undefined {
  const lines = invalidationsByPhase(s.phases, formatUs);
  return lines.length ? lines.map((line) => `invalidations in ${line}`).join('\n') : undefined;
}

function knee(s: RunSummary, color: boolean): string | undefined {
  if (!s.knee) return undefined;
  const rows = s.knee.steps.map((k) => [formatRate(k.rateRps), formatRate(k.achievedRps), formatUs(k.latencyUs), formatPercent(k.errorRate), k.pass ? 'pass' : 'FAIL']);
  const verdict = s.knee.highestPassingRps === undefined ? 'no step met the SLO' : `highest rate meeting the SLO: ${formatRate(s.knee.highestPassingRps)} req/s`;
  return `${table(['target req/s', 'achieved', 'latency at SLO pct', 'errors', 'SLO'], rows, color)}\nknee (${s.knee.slo}): ${verdict}`;
}

/** A merged run: each generator's own figures beside the merged table above. */
function fleet(s: RunSummary, color: boolean): string | undefined {
  if (!s.fleet) return undefined;
  const rows = s.fleet.generators.map((g) => [g.name, g.where, formatRate(g.achievedRps), String(g.sent), String(g.unsent), formatUs(g.sendLagP99Us), `${(g.cpuMs / 1000).toFixed(2)} s`, `${g.clockOffsetMs.toFixed(1)} ms`]);
  return `merged from ${s.fleet.generators.length} (${s.fleet.kind}):\n${table(['generator', 'where', 'achieved req/s', 'sent', 'unsent', 'send lag p99', 'CPU', 'clock offset'], rows, color)}`;
}

export function terminalReport(summary: RunSummary, color: boolean): string {
  return [summaryTable(summary, color), phases(summary, color), fleet(summary, color), generatorCpu(summary), hops(summary), gc(summary), services(summary, color), unseen(summary), invalidations(summary), knee(summary, color)]
    .filter((part): part is string => part !== undefined)
    .join('\n');
}
