/**
 * Which observers a run's services get (a GC poller where a GC source is configured) and, after the run, what
 * each service let hopscope see: its GC analysis, and sentences for what could not be seen (no Server-Timing
 * entry, no GC source, no known counters), so the report says so instead of showing empty charts.
 */

import { correlatePauses, pauseStats } from '../analyze/gc-correlation.js';
import type { GcAnalysis, HopAnalysis } from '../analyze/types.js';
import type { ServiceInfo } from '../run-folder/summary.js';
import { GcPoller } from '../record/observers/gc-poller.js';
import type { RequestTimes } from '../analyze/gc-correlation.js';
import { unseenGcNote } from '../scenario/reference-kinds.js';
import type { StartedService } from '../runtime/types.js';

export function gcPollersFor(started: StartedService[], originEpochMs: number): GcPoller[] {
  return started.flatMap((s) => (s.spec.gc.source === 'none' ? [] : [new GcPoller(s.spec.name, s.url, originEpochMs, s.spec.gc, s.ca)]));
}

function pollerNote(p: GcPoller): string {
  const parts = [p.description];
  if (p.lost) parts.push(`${p.lost} pauses lost (more GC cycles between two polls than the ring holds)`);
  if (p.failedPolls) parts.push(`${p.failedPolls} polls failed (service paused or restarting${p.lastFailure ? `; last: ${p.lastFailure}` : ''})`);
  return parts.join('; ');
}

/** @param requests undefined where the requests' times are not at hand (a fleet's): no correlation then. */
export function gcAnalyses(started: StartedService[], pollers: GcPoller[], requests: RequestTimes | undefined): GcAnalysis[] {
  return started.map((s): GcAnalysis => {
    const poller = pollers.find((p) => p.service === s.spec.name);
    if (poller && poller.succeededPolls === 0) {
      const note = `${poller.description}, but no poll succeeded${poller.lastFailure ? ` (last: ${poller.lastFailure})` : ''}: its GC pauses are not visible`;
      return { service: s.spec.name, collector: 'unseen', note, pauses: [], lost: 0, pauseStats: pauseStats([]), correlation: undefined };
    }
    if (poller) {
      return {
        service: poller.service,
        collector: 'go',
        note: pollerNote(poller),
        pauses: poller.pauses,
        lost: poller.lost,
        pauseStats: pauseStats(poller.pauses),
        correlation: requests && correlatePauses(poller.pauses, requests),
      };
    }
    const collector = s.spec.language === 'rust' ? 'none' : 'unseen';
    return { service: s.spec.name, collector, note: unseenGcNote(s.spec.language, false), pauses: [], lost: 0, pauseStats: pauseStats([]), correlation: undefined };
  });
}

/** What summary.json says of a started service, with what hopscope could not see of it. */
export function serviceInfo(s: StartedService, hops: HopAnalysis | undefined, gc: GcAnalysis[]): ServiceInfo {
  return { name: s.spec.name, kind: s.spec.kind, language: s.spec.language, hop: s.spec.hop, url: s.url, args: s.spec.args, describe: s.describe, unseen: unseenBy(s, hops, gc) };
}

/** Per service, what hopscope could not see of it; empty when it saw everything. */
function unseenBy(service: StartedService, hops: HopAnalysis | undefined, gc: GcAnalysis[]): string[] {
  const unseen: string[] = [];
  if (!hops?.hops.some((h) => h.name === service.spec.hop)) {
    unseen.push(
      `no response carried a Server-Timing entry named "${service.spec.hop}": its time is not attributed to it (it is part of "outside" or of its caller's own time)`,
    );
  }
  const g = gc.find((a) => a.service === service.spec.name);
  if (g?.collector === 'unseen') unseen.push(`GC: ${g.note}`);
  if (service.spec.counters === undefined) unseen.push('no known /metrics counters: per-hop request, timeout and retry counts are not available for it');
  return unseen;
}
