/**
 * Per phase of a saved run: latency, errors, and what each request cost the services and the generator
 * in CPU. The services' CPU comes from summary.json's resources (a sample a second, each the average since
 * the previous one), counted over the samples whose whole second lies inside the phase and scaled to the
 * requests answered in that time. For scenarios/edge-tls.yaml (docs/findings.md, section 6):
 *
 *   npm run build && npm run bench:build
 *   flock /tmp/hopscope-bench.lock node dist/cli/main.js run scenarios/edge-tls.yaml --out /tmp/edge-tls
 *   node dist-bench/bench/phase-cpu.js /tmp/edge-tls
 */

import { readRunSummary } from '../src/run-folder/read.js';

const dir = process.argv[2];
if (!dir) {
  console.error('usage: node dist-bench/bench/phase-cpu.js RUN_FOLDER');
  process.exit(2);
}
const summary = readRunSummary(dir);
const ms = (us: number) => (us / 1000).toFixed(2);
const services = summary.resources ?? [];

console.log(['phase', 'protocol', 'target', 'requests', 'errors', 'p50 ms', 'p99 ms', 'p99.9 ms', ...services.map((s) => `${s.service} CPU us/req`), 'generator CPU ms/1k', 'send lag p99 ms', 'TLS handshakes'].join('\t'));
for (const phase of summary.phases) {
  const points = summary.timeline.filter((t) => t.phase === phase.name);
  if (points.length === 0) continue;
  const startMs = points[0]!.tMs;
  const endMs = points[points.length - 1]!.tMs + points[points.length - 1]!.lengthMs;
  const requests = phase.overall.count + phase.overall.errors;
  const cpu = services.map((s) => {
    let cpuMs = 0;
    let coveredMs = 0;
    for (let k = 1; k < s.points.length; k++) {
      const [before, after] = [s.points[k - 1]!, s.points[k]!];
      if (before.tMs < startMs || after.tMs > endMs) continue;
      cpuMs += (after.cpuPercent / 100) * (after.tMs - before.tMs);
      coveredMs += after.tMs - before.tMs;
    }
    const coveredRequests = requests * (coveredMs / (endMs - startMs));
    return coveredRequests > 0 ? ((cpuMs * 1000) / coveredRequests).toFixed(1) : '-';
  });
  const kinds = Object.entries(phase.overall.errorsByKind).filter(([, n]) => (n ?? 0) > 0).map(([k, n]) => `${k} ${n}`).join(', ');
  const l = phase.overall.latency;
  console.log(
    [phase.name, phase.protocol ?? 'h1', phase.target, requests, kinds || '0', ms(l.p50Us), ms(l.p99Us), ms(l.p999Us), ...cpu,
      phase.generator?.cpuMsPer1kRequests.toFixed(0) ?? '-', ms(phase.sendLag.p99Us), phase.tlsHandshake?.count ?? 0].join('\t'),
  );
}
