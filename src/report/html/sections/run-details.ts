/** Everything needed to reproduce or trust the run: scenario, services with flags, phases, versions, machine. */

import type { PhaseSummary, RunSummary } from '../../../run-folder/summary.js';
import { formatBytes, formatCount, formatDuration, formatRate, formatUs } from '../../../units.js';
import { facts, section, table } from '../elements.js';
import { esc } from '../escape.js';

function phaseRow(p: PhaseSummary): string[] {
  const target = p.targetRps ? (p.targetRps.from === p.targetRps.to ? `${p.targetRps.from}` : `${p.targetRps.from} → ${p.targetRps.to}`) : '';
  return [
    p.name + (p.recorded ? '' : ' (not recorded)'),
    p.model,
    p.target,
    formatDuration(p.durationMs),
    String(p.connections),
    target,
    formatRate(p.achievedRps),
    `${formatCount(p.sent)}${p.model === 'open' ? ` / ${formatCount(p.intended)}` : ''}`,
    p.model === 'open' ? formatUs(p.sendLag.p99Us) : '',
  ];
}

export function runDetailsSection(summary: RunSummary): string {
  const { run, scenario, hopscope } = summary;
  const m = run.machine;
  const meta = facts([
    ['scenario', { html: `${esc(scenario.name)} from <code>${esc(scenario.source)}</code>` }],
    ['started', run.startedAt],
    ['duration', `${formatDuration(run.durationMs)}${run.interrupted ? ' (interrupted: partial results)' : ''}`],
    ['runtime', run.runtime],
    ['hopscope', `${hopscope.version}, engine ${hopscope.engine}`],
    ['machine', `${m.cpus} × ${m.cpuModel}, ${formatBytes(m.memoryBytes)}, ${m.platform}, Node.js ${m.node}`],
    ['thresholds', scenario.thresholds.length ? scenario.thresholds.map((t) => t.expression + (t.scope ? ` (${t.scope})` : '')).join('; ') : 'none'],
  ]);
  const services = summary.services.length
    ? table(
        [{ head: 'service' }, { head: 'kind' }, { head: 'url' }, { head: 'flags' }, { head: 'where' }],
        summary.services.map((s) => [s.name, s.kind, s.url, { html: s.args.length ? `<code>${esc(s.args.join(' '))}</code>` : '' }, s.describe]),
      )
    : '<p class="absent">no services: the load went to an external URL</p>';
  const unseenItems = summary.services.flatMap((s) => (s.unseen ?? []).map((what) => `<li><b>${esc(s.name)}</b>: ${esc(what)}</li>`));
  // Missing attribution or GC data is a finding about the service's instrumentation, so it is stated.
  const unseen = unseenItems.length ? `\n<h3>What hopscope could not see</h3><ul class="unseen">${unseenItems.join('')}</ul>` : '';
  const phases = table(
    [
      { head: 'phase' },
      { head: 'model' },
      { head: 'target' },
      { head: 'duration', numeric: true },
      { head: 'connections', numeric: true },
      { head: 'target req/s', numeric: true },
      { head: 'achieved req/s', numeric: true },
      { head: 'sent / intended', numeric: true },
      { head: 'send lag p99', numeric: true },
    ],
    summary.phases.map(phaseRow),
  );
  return section('run', 'Run details', `${meta}\n<h3>Services</h3>${services}${unseen}\n<h3>Phases</h3>${phases}`);
}
