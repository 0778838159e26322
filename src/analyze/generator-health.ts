/**
 * Whether the generator, not the target, may have set the limit: its observed health against the bars
 * beyond which it adds visible latency.
 */

import type { GeneratorObservation } from '../record/observers/generator-health.js';
import { pauseStats } from './gc-correlation.js';
import type { GeneratorHealth } from './types.js';

/** Beyond these the generator itself adds visible latency. */
const LOOP_DELAY_P99_WARN_US = 5_000;
const CPU_SHARE_WARN = 0.9;
const SEND_LAG_P99_WARN_US = 1_000;

/** @param sendLagP99Us open loop's worst p99 send lag over the phases (0 for closed loop only). */
export function generatorHealth({ eventLoopDelay, gcPauses, cpuShare, intervalEnds }: GeneratorObservation, sendLagP99Us: number): GeneratorHealth {
  const warnings: string[] = [];
  if (cpuShare >= CPU_SHARE_WARN) {
    warnings.push(
      `the generator used ${Math.round(cpuShare * 100)}% of a core: throughput and latency may be limited by hopscope, not the target (try --workers or fewer connections)`,
    );
  }
  if (eventLoopDelay.p99Us > LOOP_DELAY_P99_WARN_US) {
    warnings.push(`the generator's event loop was late by ${(eventLoopDelay.p99Us / 1000).toFixed(1)} ms at p99: latencies include that delay`);
  }
  if (sendLagP99Us > SEND_LAG_P99_WARN_US) {
    warnings.push(
      `open-loop requests left ${(sendLagP99Us / 1000).toFixed(1)} ms after their intended time at p99, waiting for a free connection or the event loop; ` +
        'latencies count that wait (they run from the intended time), but unless the target was stalled, raise connections',
    );
  }
  return { eventLoopDelay, gcPauses, gcPauseStats: pauseStats(gcPauses), ...(intervalEnds ? { intervalEnds } : {}), cpuShare, warnings };
}
