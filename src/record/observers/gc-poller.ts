/**
 * Polls a service's GC source during a run and keeps every pause it reports, on the run's clock. Two
 * sources: the reference Go service's /debug/gc (its own ring and a cursor: the last GC cycle seen), and Go's
 * standard expvar memstats (rings of 256, the cursor being NumGC). Either way, polling every POLL_MS loses
 * nothing unless more than a ring's worth of cycles pass between two polls, and then the loss is counted.
 */

import type { GcPause } from './types.js';
import type { GcSource } from '../../runtime/types.js';
import { memstatsOf, pausesSince, type RingPause } from './go-memstats.js';
import { serviceRequest } from '../../runtime/service-http.js';

const POLL_MS = 250;
const REQUEST_TIMEOUT_MS = 1000;

interface GcReport {
  cursor: number;
  pauses: RingPause[];
  lost: number;
}

type ReadableSource = Exclude<GcSource, { source: 'none' }>;

/** The reference service's report: it filters by cursor itself. */
async function readHopscope(url: string, cursor: number, ca: string | undefined): Promise<GcReport> {
  const body = (await getJson(`${url}?since=${cursor}`, ca)) as { cursor: number; pauses: { end_unix_ns: number; duration_ns: number }[]; lost: number };
  return { cursor: body.cursor, lost: body.lost, pauses: body.pauses.map((p) => ({ endUnixNs: p.end_unix_ns, durationNs: p.duration_ns })) };
}

/** Go's expvar: the whole memstats each time; the new cycles are picked out of the rings here. */
async function readExpvar(url: string, cursor: number, ca: string | undefined): Promise<GcReport> {
  const memstats = memstatsOf(await getJson(url, ca));
  if (memstats === undefined) throw new Error('no memstats (NumGC, PauseNs, PauseEnd) in the document');
  // A restarted service counts from 0 again: the caller sees the cursor go back and rereads from 0.
  if (memstats.NumGC < cursor) return { cursor: memstats.NumGC, pauses: [], lost: 0 };
  return { cursor: memstats.NumGC, ...pausesSince(cursor, memstats) };
}

async function getJson(url: string, ca: string | undefined): Promise<unknown> {
  const answer = await serviceRequest(url, { timeoutMs: REQUEST_TIMEOUT_MS, ...(ca ? { ca } : {}) });
  if (answer.status < 200 || answer.status > 299) throw new Error(`answered ${answer.status}`);
  return JSON.parse(answer.body);
}

export class GcPoller {
  readonly pauses: GcPause[] = [];
  lost = 0;
  failedPolls = 0;
  succeededPolls = 0;
  /** The last failure's text, for the report ("answered 404"). */
  lastFailure: string | undefined;
  private cursor = 0;
  private timer: NodeJS.Timeout | undefined;
  private inFlight: Promise<void> = Promise.resolve();
  private polling = false;
  private readonly endpoint: string;

  /**
   * @param baseUrl the service's http://127.0.0.1:PORT (https:// for a TLS service)
   * @param originEpochMs Date.now() at the run's start: pause times are converted to ms from it.
   * @param ca the run's CA, for a TLS service
   */
  constructor(
    readonly service: string,
    baseUrl: string,
    private readonly originEpochMs: number,
    readonly source: ReadableSource = { source: 'hopscope', path: '/debug/gc' },
    private readonly ca?: string,
  ) {
    this.endpoint = `${baseUrl}${source.path}`;
  }

  /** "Go GC pauses polled from /debug/vars (expvar memstats)" */
  get description(): string {
    return this.source.source === 'go-expvar' ? `Go GC pauses polled from ${this.source.path} (expvar memstats)` : `Go GC pauses polled from ${this.source.path}`;
  }

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
      const endMs = p.endUnixNs / 1e6 - this.originEpochMs;
      this.pauses.push({ tMs: endMs - p.durationNs / 1e6, durationUs: p.durationNs / 1000 });
    }
  }

  private async fetch(): Promise<GcReport | undefined> {
    try {
      const report = await (this.source.source === 'go-expvar' ? readExpvar : readHopscope)(this.endpoint, this.cursor, this.ca);
      this.succeededPolls++;
      return report;
    } catch (error) {
      // A paused or restarting service cannot answer: its pauses are still in its ring for the next poll.
      this.failedPolls++;
      this.lastFailure = (error as Error).message;
      return undefined;
    }
  }
}
