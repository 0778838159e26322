/**
 * hopscope's load engine: one connection pool, one timing and error path, two ways of deciding WHEN a
 * request leaves. Closed loop: a connection sends its next request when an answer completes. Open loop:
 * requests are due at times fixed in advance (schedule.ts); each waits for a free connection if it must,
 * and its latency runs from its due time, so waiting is measured, never hidden.
 *
 * The open loop waits for due times without holding a core, because the generator's CPU is taken from the
 * services it measures. libuv's timers are only good to a millisecond (at 2,000 req/s requests are 500 us
 * apart), so the engine waits in one of three ways: when nothing is in flight no response can arrive, and
 * it sleeps in the kernel until the due time (`Atomics.wait` on its own thread, aimed early by what the
 * host's sleeps oversleep, the last microseconds spun: precise-sleep.ts); while
 * requests are in flight the loop wakes for their responses anyway and sends what fell due then; when the
 * latest request's answer is not expected before the next due time (slower than the gap between requests),
 * a wake thread (wake-thread.ts) wakes the loop at the due time; and a timer, about a millisecond early,
 * covers the rest, unless the latest answer is expected before the due time: a pending millisecond timer
 * costs the thread more than the answer it backs up, so then a backstop 3 ms after the latest such wait
 * stands in (BET_BACKSTOP_MS), and a miss arms the millisecond timer again for a while. From 5,000 req/s
 * an engine gathers its sends into wake-ups up to 250 us apart, none more than 200 us late (schedule.ts,
 * nextSendingMs). The wake thread costs two wake-ups per request it serves (bench/wake-cost.ts: 1.8x the
 * CPU of a sleep on the loop's own thread at 2,000 wake-ups/s), so it serves only that case.
 */

import { performance, type EventLoopUtilization } from 'node:perf_hooks';
import type { LoadModel } from '../scenario/types.js';
import { Alarm } from './alarm.js';
import { Dialer, type TlsClientOptions } from './dialer.js';
import { Connection } from './http1/connection.js';
import type { H2Connection } from './http2/connection.js';
import type { ConnectionEvents, LoadConnection } from './load-connection.js';
import type { ParsedResponse } from './http1/response-parser.js';
import { PreciseSleeper } from './precise-sleep.js';
import { seededRandom } from './random.js';
import type { RequestMix } from './request-mix.js';
import type { ErrorKind, SampleSink } from './sample.js';
import { arrivalTimes, nextSendingMs, rateAt, type ArrivalPlan } from './schedule.js';
import { settleHeap } from './settle-heap.js';
import { SharedArrivals, type ScheduleShare } from './shared-schedule.js';
import { TimeQueue } from './time-queue.js';
import { WakeThread } from './wake-thread.js';

export interface PhaseRun {
  /** The URL's host: a name or an address. */
  host: string;
  port: number;
  /** Where to connect, connections spread over them: the host's resolved addresses; [host] when absent. */
  addresses?: readonly string[];
  /** https: targets. */
  tls?: TlsClientOptions;
  /** h2: HTTP/2 over TLS (ALPN) or, for http:, with prior knowledge; `load.pipelining` is then the streams per connection. */
  protocol?: 'h1' | 'h2';
  mix: RequestMix;
  load: LoadModel;
  durationMs: number;
  /** A request unanswered this long after its start (its due time, in open loop) fails as a timeout. */
  timeoutMs: number;
  seed: number;
  /** Open loop, constant arrivals: see arrivalTimes; a fleet generator's segment offsets its schedule with it. */
  firstGapShare?: number;
  /** Open loop, `--workers`: the schedule this engine carries its part of (shared-schedule.ts). */
  share?: ScheduleShare;
}

export interface PhaseOutcome {
  /** From the phase's start to its end (or stop()): the time it sent in. */
  elapsedMs: number;
  /** hopscope's engine: from the end to the last answer of the requests in flight then. */
  drainMs?: number;
  /** Requests written to a socket. */
  sent: number;
  /** Open loop: requests the schedule intended (sent + unsent). */
  intended: number;
  /** Open loop: requests never sent because no connection was free before the phase ended. */
  unsent: number;
  /** Open loop: the most requests that were ever waiting for a connection at once. */
  maxBacklog: number;
  connectFailures: number;
  /** `--workers`: the engine threads the phase ran on. */
  threads?: LoadThreads;
}

export interface LoadThreads {
  count: number;
  /** Open loop: how many of them carried the schedule, at the fewest and the most. */
  carrying?: { fewest: number; most: number };
}

/** How hard an engine worked over a span of time (LoadEngine.pressure): both are shares, 0 to 1 or more. */
export interface EnginePressure {
  /** Of the time, how much its thread worked. */
  busy: number;
  /**
   * Of what its connections carry at once, how much was taken on average: the requests in flight or waiting
   * for a connection (the sum of their latencies over the time, by Little's law, as an open loop's latency
   * runs from the due time). A mean, not a peak: a stall of the host's fills every pool whatever its size.
   */
  connections: number;
}

/** Live figures for the progress line. */
export interface EngineStatus {
  sent: number;
  backlog: number;
  openConnections: number;
}

const MAX_RECONNECT_DELAY_MS = 500;
const CONNECT_WARMUP_MS = 1000;
/** Beyond this many requests waiting for a connection the generator gives up on them (counted as unsent). */
const MAX_BACKLOG = 4_000_000;
/** Open loop: due times closer than this are waited for in the kernel (when nothing is in flight), farther ones on a timer first. */
const PRECISE_WAIT_MS = 2;
/**
 * The wake thread is not armed before this many answers: the first ones are slow (new connections, code not
 * yet compiled), and arming for them started the thread (~22 ms of CPU) in runs against nginx that never
 * needed it afterwards. Until then a request due with others in flight waits for the engine's timer.
 */
const WAKE_AFTER_ANSWERS = 32;
/**
 * The wake thread starts once the arms within a second reach this share of the requests due in it, and at
 * least WAKE_THREAD_AFTER_ARMS. Against nginx at 2,000 req/s a late send arms it (the next request then falls
 * due while that one is in flight), and such sends come in bursts: a stall of the host's, a compile, a GC.
 * With 8 arms a second and no share, 1 of 13 quiet runs (5 and 15 s) started the thread (28 arms in one
 * second) and 4 of 4 beside a sampling loop (in their first second), each start 30-40 ms of the run's CPU,
 * while the late send's own answer wakes the loop ~25 us after the due time anyway; with the share, none of
 * 4 such runs. A target slower than the gap between requests arms it for nearly every request.
 */
const WAKE_THREAD_ARM_SHARE = 0.1;
const WAKE_THREAD_AFTER_ARMS = 8;
/** libuv timers fire up to about a millisecond late or early: the timer aims this much before the due time. */
const TIMER_LEAD_MS = 1.5;
/**
 * Open loop, requests in flight: the millisecond timer is not armed for the next due time while the latest
 * answer is expected before it (by latencyP90Ms); the answer wakes the loop. Against nginx at 2,000 req/s
 * (answers in ~30 us, requests 500 us apart), the whole process, 4 alternating rounds of 12 s: 42.9-44.2
 * CPU-ms per 1,000 without the millisecond timer against 47.1-48.8 with it (0.88-0.93x in each round),
 * latency p50 24-26 against 35-36 us, send lag p99 alike (22-35 against 18-30 us).
 *
 * Such a wait still has a backstop for the answer that does not come, and every request that falls due
 * meanwhile leaves that late, its latency (from the due time) with it. A 20-ms backstop, re-armed after it
 * fired, cost 0.98x a 5-ms one against nginx (16 alternating rounds), where misses are rare; against a
 * service whose answers have a tail (gc-cascade: a Go cache's GC pauses, 1,500 req/s, Poisson arrivals)
 * each miss held ~30 requests up to 20 ms: send lag p99 12.0-13.4 ms in 6 runs and the latency p99 16-22 ms,
 * against 1.0-1.1 ms and 6.4-9.1 ms for the engine of 2026-12-05 that always armed the millisecond timer;
 * counting on the answer by its 90th percentile instead of two medians read 10.0 ms, and a guard that grew
 * fourfold with each miss within 2 s of the last 8.8-9.5 ms, both with the 20-ms backstop. Hence 3 ms
 * after the latest wait that counts on an answer, so that it expires only when none has for that long:
 * gc-cascade's send lag p99 1.1 and 1.5 ms, latency p99 9.9 and 9.1 ms; quickstart's 2,000 req/s phase
 * 1.15 ms against 8.9-10.1. Against nginx, 1.055x and 1.03x the CPU of the engine before (medians of two
 * A/Bs of 8 alternating 10-s rounds), and 1.02x a 20-ms backstop refreshed alike. A wait that finds it about
 * to fire moves it on (alarm.ts); when it fires all the same, it moves itself on to the latest wait (onBackstop).
 */
const BET_BACKSTOP_MS = 3;
/** A wait that counted on an answer and woke this late after the due time: the answer did not come first. */
const UNGUARDED_MISS_MS = 1;
/**
 * After such a miss every wait arms the millisecond timer for this long. Runs against nginx make about one
 * miss a second (the engine's own stalls count too: the interval's end, a GC), and a guard of a second kept
 * the timer on for 68-79 % of a run; a stalled target makes one each guard, each a backstop's wait.
 */
const GUARD_AFTER_MISS_MS = 100;

export class LoadEngine implements ConnectionEvents {
  private readonly connections = new Set<LoadConnection>();
  /**
   * Connections with room, each once (its `listed` mark). A mark on the connection, not a Set beside it: a
   * connection comes and goes once per request, and a Set's rehashing of its deleted entries was ~1 % of a
   * 2,000 req/s run's `perf` samples (a WeakSet's ephemeron table before it, ~0.9 %).
   */
  private readonly free: LoadConnection[] = [];
  private readonly backlog = new TimeQueue();
  private startMs = 0;
  private warming = false;
  private sending = false;
  private reconnectDelayMs = 10;
  private timeoutTimer: NodeJS.Timeout | undefined;
  private endTimer: NodeJS.Timeout | undefined;
  private resolveDone: (() => void) | undefined;
  private readonly outcome: PhaseOutcome = { elapsedMs: 0, sent: 0, intended: 0, unsent: 0, maxBacklog: 0, connectFailures: 0 };
  /** Open loop: the phase's arrival plan. */
  private readonly plan: ArrivalPlan | undefined;
  private readonly nextDue: () => number;
  /** Open loop, `--workers`: the engine's part of the shared schedule, which nextDue reads. */
  private readonly shared: SharedArrivals | undefined;
  /** Open loop: the next request's due time, ms from the phase's start. */
  private nextDueMs = 0;
  /** Requests written and not yet answered or failed: while there are any, the loop must stay free to read. */
  private inFlight = 0;
  /** Open loop: the millisecond timer about a millisecond before a due time, for a wait that does not count on an answer. */
  private readonly paceTimer = new Alarm(() => this.pace());
  /*
   * The times below are doubles from the start (-Infinity, not 0): a field that holds the small integer 0 and
   * is first set to a time once the load runs changes the engine's hidden class, and optimized functions that
   * had seen the engine are thrown away and compiled again (`--trace-deopt-verbose`: `sendWhatIsDue` and the
   * parser's `push`, on the engine's map, in the same millisecond; `--trace-generalization`: 18 maps at the
   * first wait that counted on an answer).
   */
  /** Open loop, coalescing: no sending wake-up before this time (performance.now()). */
  private quietUntilMs = -Infinity;
  /** Open loop: the due time pace() last waited for with only the backstop, counting on an answer (-Infinity: none). */
  private unguardedWakeMs = -Infinity;
  /** Open loop: until this time (performance.now()) every wait for a due time with requests in flight arms the timer. */
  private guardedUntilMs = -Infinity;
  private readonly sleeper = new PreciseSleeper();
  private readonly wake = new WakeThread(
    (atMs) => this.onWake(atMs),
    () => Math.max(WAKE_THREAD_AFTER_ARMS, (WAKE_THREAD_ARM_SHARE * rateAt(this.plan!, this.elapsedMs)) / (this.shared?.sharers ?? 1)),
  );
  /** Open loop: when the latest request left (performance.now()). */
  private lastSentAtMs = 0;
  /**
   * Open loop: a running estimate of the median latency (from the due time), in ms. The wake thread is armed
   * when the latest answer is not expected before the due time by this median: each arm costs the thread
   * two wake-ups whether it is needed or not, and by a 90th percentile, on a busy host (a latency p99 of
   * 10 ms against nginx) it was armed for nearly every request: 13,200-13,500 futex calls of the thread per
   * 8,000 requests against 580-1,240 by the median; A/B at 2,000 req/s there, 3 rounds of 10 s: 223, 261,
   * 233 CPU-ms per 1,000 requests by the p90 against 217, 196, 170 by the median, send lag p99 no worse.
   * The first answer seeds it (0 until then): from a fixed start of 0.1 ms the 1-% steps took ~320 answers
   * to reach a service's 4 ms, and until then a request due with others in flight waited for a 1-ms timer.
   */
  private latencyP50Ms = 0;
  /** The same for the 90th percentile: a wait counts on the latest answer coming first where 9 in 10 do. */
  private latencyP90Ms = 0;
  /** Open loop: the timer behind a wait that counts on an answer (BET_BACKSTOP_MS after the latest). */
  private readonly backstop = new Alarm(() => this.onBackstop());
  /** Open loop: when the latest wait that counted on an answer began (performance.now()). */
  private betAtMs = -Infinity;
  /** Answers the median's estimate has taken in, up to 2,500: its step shrinks with them. */
  private answersSeen = 0;
  private readonly dialer: Dialer;
  /** HTTP/2 phases only: its framing, HPACK and Huffman code load for them alone (~12 ms of each thread's start otherwise). */
  private h2: typeof H2Connection | undefined;
  /** A failure that ends the run (a certificate refused): execute() rejects with it. */
  private fatal: Error | undefined;
  /** pressure()'s last reading, and the latencies of the requests that ended since. */
  private utilization: EventLoopUtilization | undefined;
  private sleptMs = 0;
  private latencySumMs = 0;

  constructor(
    private readonly run: PhaseRun,
    private readonly sink: SampleSink,
  ) {
    const load = run.load;
    this.plan = load.model === 'open' ? { ...load, durationMs: run.durationMs } : undefined;
    const stream = this.plan ? arrivalTimes(this.plan, seededRandom((run.share?.seed ?? run.seed) ^ 0x5eed), run.firstGapShare) : () => Infinity;
    const shared = this.plan && run.share ? new SharedArrivals(stream, run.share) : undefined;
    this.shared = shared;
    this.nextDue = shared ? () => shared.next() : stream;
    const alpn = run.protocol === 'h2' ? 'h2' : 'http/1.1';
    this.dialer = new Dialer({ host: run.host, addresses: run.addresses ?? [run.host], port: run.port, tls: run.tls, alpn });
  }

  get status(): EngineStatus {
    return { sent: this.outcome.sent, backlog: this.backlog.length, openConnections: this.connections.size };
  }

  /** ms since the phase started; 0 before. */
  get elapsedMs(): number {
    return this.startMs > 0 ? performance.now() - this.startMs : 0;
  }

  /**
   * How hard the engine worked since the last call: `busy` is its event loop's busy time less its sleeps
   * to due times (which the loop counts as busy). `--workers` decides from it how many engines an open loop
   * needs.
   */
  pressure(): EnginePressure {
    const now = performance.eventLoopUtilization();
    const since = this.utilization ? performance.eventLoopUtilization(now, this.utilization) : now;
    const slept = this.sleeper.sleptMs - this.sleptMs;
    const spanMs = since.active + since.idle;
    const { connections, pipelining } = this.run.load;
    const pressure = spanMs > 0 ? { busy: Math.max(0, since.active - slept) / spanMs, connections: this.latencySumMs / spanMs / (connections * pipelining) } : { busy: 0, connections: 0 };
    this.utilization = now;
    this.sleptMs = this.sleeper.sleptMs;
    this.latencySumMs = 0;
    return pressure;
  }

  /**
   * Runs the phase to its end (or until stop()), then drains in-flight requests within the timeout.
   * @param onStart called when the phase's clock starts (performance.now()), once the pool is up: the
   *   time before it carried no load.
   */
  async execute(onStart?: (atMs: number) => void): Promise<PhaseOutcome> {
    const done = new Promise<void>((resolve) => (this.resolveDone = resolve));
    this.sending = true;
    if (this.run.protocol === 'h2') this.h2 = (await import('./http2/connection.js')).H2Connection;
    await this.connectAll();
    settleHeap();
    // The first pressure() covers the load from here, not the thread's start-up and the pool's set-up.
    this.pressure();
    this.startMs = performance.now();
    onStart?.(this.startMs);
    for (const conn of this.connections) this.fill(conn);
    this.timeoutTimer = setInterval(() => this.expire(), Math.max(5, Math.min(50, this.run.timeoutMs / 10)));
    this.endTimer = setTimeout(this.onEndTimer, this.run.durationMs);
    if (this.run.load.model === 'open') {
      this.nextDueMs = this.nextDue();
      this.pace();
    }
    await done;
    if (this.fatal) throw this.fatal;
    return this.outcome;
  }

  /**
   * Opens the pool before the clock starts, so that connection set-up (about 10-20 ms for 50 sockets on
   * loopback) is not charged to the first requests as a scheduling lag. Bounded: a target that refuses
   * connections starts the phase anyway, and the failures are counted.
   */
  private async connectAll(): Promise<void> {
    this.warming = true;
    for (let i = 0; i < this.run.load.connections; i++) this.open();
    const deadline = performance.now() + CONNECT_WARMUP_MS;
    while (performance.now() < deadline && [...this.connections].some((c) => c.connecting)) {
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    this.warming = false;
  }

  /** Ends the phase now: nothing more is sent; in-flight requests get until their timeout to finish. */
  stop(): void {
    if (!this.sending) return;
    this.sending = false;
    clearTimeout(this.endTimer);
    this.paceTimer.clear();
    this.backstop.clear();
    const now = performance.now();
    this.outcome.elapsedMs = now - this.startMs;
    while (this.backlog.length > 0) this.giveUp(this.backlog.shift(), now);
    this.settleIfIdle();
  }

  // --- connection events -------------------------------------------------------------------------------

  ready(conn: LoadConnection): void {
    this.reconnectDelayMs = 10;
    this.sink.connected?.(conn.connectUs, conn.handshakeUs);
    if (!this.sending) {
      conn.close();
      return;
    }
    if (!this.warming) this.fill(conn);
  }

  response(conn: LoadConnection, requestIndex: number, startMs: number, response: ParsedResponse): void {
    this.inFlight--;
    const nowMs = performance.now();
    const latencyMs = nowMs - startMs;
    const closed = this.run.load.model === 'closed';
    // Closed loop: the next request leaves before this answer is recorded, so that the recording is no part
    // of its latency and one clock reading serves both.
    if (closed && this.sending) this.fill(conn, nowMs);
    this.latencySumMs += latencyMs;
    this.sink.response(requestIndex, latencyMs * 1000, response.status, response.serverTiming, startMs);
    // Up by a step when above, down when not: settles where half the responses are above. The step shrinks
    // from a third to 1 % over the first 2,500 answers, so that a cold first answer (a new connection, code
    // not yet compiled) is forgotten within tens of answers, not the hundreds that 1-% steps take.
    const step = this.answersSeen < 2500 ? 0.5 / Math.sqrt(++this.answersSeen) : 0.01;
    this.latencyP50Ms = this.latencyP50Ms === 0 ? latencyMs : this.latencyP50Ms * (latencyMs > this.latencyP50Ms ? 1 + step : 1 - step);
    this.latencyP90Ms = this.latencyP90Ms === 0 ? latencyMs : this.latencyP90Ms * (latencyMs > this.latencyP90Ms ? 1 + 0.9 * step : 1 - 0.1 * step);
    if (!this.sending) {
      this.settleIfIdle();
      return;
    }
    if (closed) return;
    this.fill(conn);
    // The loop is awake anyway: what fell due meanwhile leaves now.
    this.pace();
  }

  failure(_conn: LoadConnection, requestIndex: number, startMs: number, kind: ErrorKind): void {
    this.inFlight--;
    const latencyMs = performance.now() - startMs;
    this.latencySumMs += latencyMs;
    this.sink.failure(requestIndex, kind, latencyMs * 1000);
  }

  closed(conn: LoadConnection, connectFailed: boolean): void {
    this.connections.delete(conn);
    // One the server closed while it waited in `free` (an idle timeout: at a low rate the connections deep
    // in the stack sit idle) would stay there until a burst reached it, and each reconnect adds one more.
    if (conn.listed) {
      conn.listed = false;
      this.free.splice(this.free.indexOf(conn), 1);
    }
    // A failed attempt is a connection error, not a request: nothing was sent on it. The requests it would
    // have carried end on their own (open loop: unsent once the phase ends; closed loop: never intended).
    if (connectFailed) this.outcome.connectFailures++;
    if (conn.fatal && !this.fatal) {
      this.fatal = conn.fatal;
      this.stop();
    }
    if (!this.sending) {
      this.settleIfIdle();
      return;
    }
    if (!connectFailed) {
      // At once: a server that closes after each response (HTTP/1.0) reconnects per request, and even
      // setTimeout(0)'s millisecond would cap such a connection at 1000 req/s.
      this.open();
      return;
    }
    const delay = this.reconnectDelayMs;
    this.reconnectDelayMs = Math.min(MAX_RECONNECT_DELAY_MS, this.reconnectDelayMs * 2);
    setTimeout(() => this.sending && this.open(), delay);
  }

  // --- sending -------------------------------------------------------------------------------------------

  private open(): void {
    const { pipelining } = this.run.load;
    const conn = this.h2 ? new this.h2(this.dialer, pipelining, this, this.run.mix) : new Connection(this.dialer, pipelining, this, this.run.mix);
    this.connections.add(conn);
    conn.connect();
  }

  /** Gives a connection that has room as much work as the loop model allows now; a closed loop's first request starts at `nowMs`. */
  private fill(conn: LoadConnection, nowMs?: number): void {
    if (this.run.load.model === 'closed') {
      if (conn.capacity === 0) return;
      // Read here, not as the parameter's default: the open loop, which never uses it, filled once a request.
      this.sendOn(conn, nowMs ?? performance.now());
      // Pipelined requests leave one write later each: each clock starts at its own.
      while (conn.capacity > 0) this.sendOn(conn, performance.now());
      return;
    }
    while (conn.capacity > 0 && this.backlog.length > 0) this.sendDue(conn, performance.now());
    if (conn.capacity > 0 && !conn.listed) {
      conn.listed = true;
      this.free.push(conn);
    }
  }

  private sendOn(conn: LoadConnection, startMs: number): void {
    const index = this.run.mix.pick();
    conn.send(index, startMs);
    this.outcome.sent++;
    this.inFlight++;
  }

  private sendDue(conn: LoadConnection, nowMs: number): void {
    const dueMs = this.backlog.shift();
    this.lastSentAtMs = nowMs;
    this.sink.sendLag?.((nowMs - dueMs) * 1000);
    this.sendOn(conn, dueMs);
  }

  /** Open loop: sends what is due, then arranges to be called again when the next request falls due. */
  private pace(): void {
    let now = performance.now();
    for (;;) {
      if (!this.sending) return;
      if (this.unguardedWakeMs !== -Infinity) {
        if (now > this.unguardedWakeMs + UNGUARDED_MISS_MS) this.guardedUntilMs = now + GUARD_AFTER_MISS_MS;
        this.unguardedWakeMs = -Infinity;
      }
      const sentBefore = this.outcome.sent;
      if (now >= this.quietUntilMs && this.sendWhatIsDue(now) > 0) {
        this.quietUntilMs = this.startMs + nextSendingMs(this.plan!, now - this.startMs, this.nextDueMs, this.shared?.sharers);
      }
      const wakeMs = Math.max(this.startMs + this.nextDueMs, this.quietUntilMs);
      // The clock is read again only after writes, which take microseconds: at 2,000 req/s the engine read it
      // ~17 times a request, and vDSO clock_gettime alone was 2.7 % of its thread's samples (`perf record`).
      const nowMs = this.outcome.sent === sentBefore ? now : performance.now();
      const waitMs = wakeMs - nowMs;
      if (waitMs === Infinity) return;
      if (this.inFlight > 0 || this.backlog.length > 0 || waitMs > PRECISE_WAIT_MS) {
        // A response or a free connection will call pace() again, or this timer will; if the latest
        // request's answer is not expected before the due time, the wake thread does, a tenth of a
        // millisecond late at most typically (its message's way to this loop). While answers come as
        // expected, the answer does, and the backstop only bounds the wait for one that does not.
        const answerPredictable = this.backlog.length === 0 && waitMs <= PRECISE_WAIT_MS && this.answersSeen >= WAKE_AFTER_ANSWERS;
        const answerFirst = answerPredictable && this.lastSentAtMs + this.latencyP90Ms < wakeMs && now >= this.guardedUntilMs;
        if (answerFirst) {
          this.unguardedWakeMs = wakeMs;
          this.betAtMs = now;
          this.backstop.arm(BET_BACKSTOP_MS, nowMs);
        } else this.paceTimer.arm(waitMs - TIMER_LEAD_MS, nowMs);
        const dueAt = wakeMs === this.startMs + this.nextDueMs;
        if (dueAt && answerPredictable && this.lastSentAtMs + this.latencyP50Ms > wakeMs) this.wake.arm(wakeMs);
        else this.wake.disarm();
        return;
      }
      this.wake.disarm();
      // Nothing in flight, so nothing can arrive for this engine meanwhile: sleep to the due time on this thread.
      // A pending timer stays: it can only be early (due times only move later), and pace() then finds what
      // it would anyway. Clearing it cost more: Node drops a timer list when its last timer is cleared and
      // builds it again for the next, once per request at 2,000 req/s (A/B, 14 alternating rounds of 8 s:
      // 0.96x the phase's CPU, median of the rounds' ratios).
      // The sleeper's last reading of the clock is when it returned: the next turn starts from it. Without a
      // sleep the clock is read again: the turn must see a later time, or rounding could leave a request
      // due by `startMs + nextDueMs` and not by `now - startMs`, and the loop would spin on it forever.
      now = waitMs > 0 ? this.sleeper.sleepUntil(wakeMs, nowMs) : performance.now();
    }
  }

  private readonly onEndTimer = (): void => {
    // libuv timers can fire up to a millisecond early: the requests due in that last millisecond still belong
    // to the phase (its intended count is the schedule's), so the phase ends only once its time has passed.
    const leftMs = this.startMs + this.run.durationMs - performance.now();
    if (leftMs > 0) {
      this.endTimer = setTimeout(this.onEndTimer, Math.max(1, leftMs));
      return;
    }
    if (this.run.load.model === 'open') this.sendWhatIsDue(performance.now());
    this.stop();
  };

  private onBackstop(): void {
    // Whole milliseconds, as libuv's timers keep them: Node keeps a list for each distinct duration.
    const now = performance.now();
    const leftMs = this.betAtMs + BET_BACKSTOP_MS - now;
    if (leftMs > 0) this.backstop.arm(Math.ceil(leftMs), now);
    else this.pace();
  }

  private onWake(atMs: number): void {
    // The thread's clock and this one agree to microseconds, not exactly: a wake-up a hair early looks again
    // on the next loop turn rather than re-arming a time the thread has already posted.
    if (atMs > performance.now()) setImmediate(() => this.pace());
    else this.pace();
  }

  /** Moves due requests to the backlog and hands them to free connections; returns how many fell due. */
  private sendWhatIsDue(nowMs: number): number {
    const intended = this.outcome.intended;
    let now = nowMs;
    const elapsed = now - this.startMs;
    while (this.nextDueMs <= elapsed) {
      // A shared schedule's moment to look again is not a request.
      if (!this.shared?.check) {
        this.outcome.intended++;
        if (this.backlog.length >= MAX_BACKLOG) this.giveUp(this.startMs + this.nextDueMs, now);
        else this.backlog.push(this.startMs + this.nextDueMs);
      }
      this.nextDueMs = this.nextDue();
    }
    if (this.backlog.length > this.outcome.maxBacklog) this.outcome.maxBacklog = this.backlog.length;
    for (let first = true; this.backlog.length > 0 && this.free.length > 0; first = false) {
      // Each send after the first leaves a write later: its lag runs to then.
      if (!first) now = performance.now();
      const conn = this.free[this.free.length - 1]!;
      if (conn.capacity > 0) this.sendDue(conn, now);
      if (conn.capacity === 0) {
        this.free.pop();
        conn.listed = false;
      }
    }
    if (this.backlog.length > 0) this.run.share?.onShortfall?.();
    return this.outcome.intended - intended;
  }

  private giveUp(dueMs: number, nowMs: number): void {
    this.outcome.unsent++;
    this.sink.failure(this.run.mix.pick(), 'unsent', (nowMs - dueMs) * 1000);
  }

  // --- ending --------------------------------------------------------------------------------------------

  private expire(): void {
    const deadline = performance.now() - this.run.timeoutMs;
    for (const conn of this.connections) if (conn.oldestStartMs <= deadline) conn.abort('timeout');
  }

  private settleIfIdle(): void {
    if (this.sending) return;
    for (const conn of this.connections) if (conn.inFlight > 0) return;
    // The pool closes only once its last answer is in: closing 50 sockets takes ~5 ms of this thread, and
    // closed at the phase's end they delayed the reading of the answers still in flight, and so their latencies.
    this.outcome.drainMs = performance.now() - this.startMs - this.outcome.elapsedMs;
    for (const conn of this.connections) conn.close();
    clearInterval(this.timeoutTimer);
    void this.wake.close();
    this.resolveDone?.();
    this.resolveDone = undefined;
  }
}
