/**
 * Polls the Go service's /debug/gc during a run and keeps every pause it reports, on the run's clock.
 * The service keeps its own ring of pauses and a cursor (the last GC cycle number seen), so polling
 * every POLL_MS loses nothing unless the service says so in `lost`.
 */

import type { GcPause } from '../../analyze/types.js';

const POLL_MS = 250;
const REQUEST_TIMEOUT_MS = 1000;

interface GcReport {
  cursor: number;
  pauses: { end_unix_ns: number; duration_ns: number }[];
  lost: number;
}

export class GcPoller {
  readonly pauses: GcPause[] = [];
  lost = 0;
  failedPolls = 0;
  private cursor = 0;
  private timer: NodeJS.Timeout | undefined;
  private inFlight: Promise<void> = Promise.resolve();
  private polling = false;

  /** @param originEpochMs Date.now() at the run's start: pause times are converted to ms from it. */
  constructor(
    readonly service: string,
    private readonly url: string,
    private readonly originEpochMs: number,
  ) {}

  async start(): Promise<void> {
    // The first poll only sets the cursor: pauses from before the run (start-up, build of the ballast) are not the run's.
    const first = await this.fetch();
    if (first) this.cursor = first.cursor;
    this.timer = setInterval(() => {
      // A busy service can take longer than POLL_MS to answer; a second poll from the same cursor would
      // then report the same pauses twice, so a tick that finds a poll still running skips.
      if (this.polling) return;
      this.polling = true;
      this.inFlight = this.poll().finally(() => (this.polling = false));
    }, POLL_MS);
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.inFlight;
    await this.poll();
  }

  private async poll(): Promise<void> {
    const report = await this.fetch();
    if (!report) return;
    if (report.cursor < this.cursor) {
      // The service restarted (a kill fault): its cycle numbers began again, so read from its start.
      this.cursor = 0;
      return this.poll();
    }
    this.cursor = report.cursor;
    this.lost += report.lost;
    for (const p of report.pauses) {
      const endMs = p.end_unix_ns / 1e6 - this.originEpochMs;
      this.pauses.push({ tMs: endMs - p.duration_ns / 1e6, durationUs: p.duration_ns / 1000 });
    }
  }

  private async fetch(): Promise<GcReport | undefined> {
    try {
      const response = await fetch(`${this.url}/debug/gc?since=${this.cursor}`, { signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
      if (!response.ok) throw new Error(String(response.status));
      return (await response.json()) as GcReport;
    } catch {
      // A paused or restarting service cannot answer: its pauses are still in its ring for the next poll.
      this.failedPolls++;
      return undefined;
    }
  }
}
