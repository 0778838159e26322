/**
 * The live line on the terminal: phase, elapsed, rate, p99. On a TTY it rewrites itself each second;
 * elsewhere (CI logs, pipes) it prints one line per finished phase and nothing in between.
 */

import type { ProgressEvent } from '../pipeline/progress.js';
import { formatUs } from '../units.js';

export class ProgressLine {
  private phaseStartMs = Date.now();
  private currentPhase = '';

  constructor(
    private readonly out: NodeJS.WritableStream & { isTTY?: boolean },
    private readonly quiet = false,
  ) {}

  readonly onProgress = (event: ProgressEvent): void => {
    if (event.type === 'interval') this.tick(event);
    else this.phaseDone(event);
  };

  private tick({ phase, durationMs, status, last }: Extract<ProgressEvent, { type: 'interval' }>): void {
    if (phase !== this.currentPhase) {
      this.currentPhase = phase;
      this.phaseStartMs = Date.now();
    }
    if (this.quiet || !this.out.isTTY) return;
    const elapsed = ((Date.now() - this.phaseStartMs) / 1000).toFixed(0);
    const parts = [
      `[${phase}] ${elapsed}s/${(durationMs / 1000).toFixed(0)}s`,
      last ? `${Math.round(last.rateRps)} req/s` : '',
      last ? `p99 ${formatUs(last.p99Us)}` : '',
      last && last.errors ? `errors ${last.errors}` : '',
      status && status.backlog > 0 ? `backlog ${status.backlog}` : '',
    ];
    this.out.write(`\r\x1b[2K${parts.filter(Boolean).join('  ')}`);
  }

  private phaseDone({ phase, model, outcome }: Extract<ProgressEvent, { type: 'phase-done' }>): void {
    this.currentPhase = '';
    if (this.quiet) return;
    if (this.out.isTTY) this.out.write('\r\x1b[2K');
    const sent = `${outcome.sent} sent in ${(outcome.elapsedMs / 1000).toFixed(1)}s`;
    const open = model === 'open' ? `, ${outcome.intended} intended, ${outcome.unsent} unsent, max backlog ${outcome.maxBacklog}` : '';
    this.out.write(`phase ${phase} done: ${sent}${open}\n`);
  }
}
