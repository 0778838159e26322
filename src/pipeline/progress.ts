/**
 * The live line on the terminal: phase, elapsed, rate, p99. On a TTY it rewrites itself each second;
 * elsewhere (CI logs, pipes) it prints one line per finished phase and nothing in between.
 */

import type { EngineStatus, PhaseOutcome } from '../load/engine.js';
import type { PhaseDecl } from '../scenario/types.js';
import { formatUs } from '../units.js';
import type { TimelinePoint } from '../record/timeline.js';

export class ProgressLine {
  private phaseStartMs = Date.now();
  private currentPhase = '';

  constructor(
    private readonly out: NodeJS.WritableStream & { isTTY?: boolean },
    private readonly quiet = false,
  ) {}

  tick(phase: PhaseDecl, status: EngineStatus | undefined, last: TimelinePoint | undefined): void {
    if (phase.name !== this.currentPhase) {
      this.currentPhase = phase.name;
      this.phaseStartMs = Date.now();
    }
    if (this.quiet || !this.out.isTTY) return;
    const elapsed = ((Date.now() - this.phaseStartMs) / 1000).toFixed(0);
    const parts = [
      `[${phase.name}] ${elapsed}s/${(phase.durationMs / 1000).toFixed(0)}s`,
      last ? `${Math.round(last.rateRps)} req/s` : '',
      last ? `p99 ${formatUs(last.p99Us)}` : '',
      last && last.errors ? `errors ${last.errors}` : '',
      status && status.backlog > 0 ? `backlog ${status.backlog}` : '',
    ];
    this.out.write(`\r\x1b[2K${parts.filter(Boolean).join('  ')}`);
  }

  phaseDone(phase: PhaseDecl, outcome: PhaseOutcome): void {
    this.currentPhase = '';
    if (this.quiet) return;
    if (this.out.isTTY) this.out.write('\r\x1b[2K');
    const sent = `${outcome.sent} sent in ${(outcome.elapsedMs / 1000).toFixed(1)}s`;
    const open = phase.load.model === 'open' ? `, ${outcome.intended} intended, ${outcome.unsent} unsent, max backlog ${outcome.maxBacklog}` : '';
    this.out.write(`phase ${phase.name} done: ${sent}${open}\n`);
  }
}
