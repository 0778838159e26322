/**
 * The main side of `--workers N`: the phase divided into N shares, each run by its own LoadEngine. This
 * thread runs the first share itself, recording straight into the run's Recorder; the others run on N-1
 * load worker threads, each with its own Recorder. A worker thread of its own for the first share would
 * cost an isolate's start, module loading and JIT warm-up (~150-350 ms of CPU a run) while this thread,
 * merging once a second, waits 95 % of the time. Intervals are driven from here: at each tick the pool asks
 * every worker to hand over its figures at once and merges them (HDR add) into the run's Recorder before
 * that Recorder closes the interval, so hlog lines, timeline and totals see one interval, not N intervals
 * at N phases of the second (which is what workers pushing on their own timers would give). At each tick
 * it also decides how many threads carry an open loop's schedule (Carriers). Workers end with the phase,
 * on abort and on error: close() terminates every thread on every path.
 */

import { existsSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
// Required when a pool starts (import-module.ts): a run without --workers never loads node:worker_threads.
import type { Worker } from 'node:worker_threads';
import { InfraError } from '../../errors.js';
import { builtinModule } from '../../import-module.js';
import type { Recorder, RecorderPart } from '../../record/recorder.js';
import type { LoadModel } from '../../scenario/types.js';
import type { EnginePressure, EngineStatus, LoadEngine, PhaseOutcome } from '../../load/engine.js';
import { decideSlices, SLICE_MS, sliceTable } from '../../load/shared-schedule.js';
import type { FromWorker, ToWorker, WorkerSetup } from './messages.js';
import { shareEngine, UNSTARTED } from './share-engine.js';
import { enginesNeeded, enginesToStart, threadLoads } from './share.js';

const WORKER_URL = new URL('./worker-main.js', import.meta.url);

export interface WorkerPhase {
  /** Threads in all: this one and workers - 1 worker threads. */
  workers: number;
  /** The phase as one engine would run it; the load is divided by threadLoads, the seed offset per share. */
  setup: Omit<WorkerSetup, 'index' | 'load' | 'slices' | 'scheduleSeed'>;
  load: LoadModel;
  intervalMs: number;
  signal: AbortSignal;
  /** When this thread's engine starts its clock (performance.now()); the workers' start within milliseconds of it. */
  loadStarted: (atMs: number) => void;
  /** After each interval's figures are merged: the shares' summed status, and performance.now() when the interval was cut. */
  everyInterval: (status: EngineStatus, cutAtMs: number) => void;
}

/** Runs one phase on this thread and worker threads; resolves with the shares' outcomes added up. */
export async function runInWorkers(phase: WorkerPhase, recorder: Recorder): Promise<PhaseOutcome> {
  const slices = phase.load.model === 'open' ? sliceTable(phase.setup.durationMs) : undefined;
  const [own, ...others] = threadLoads(phase.load, phase.workers).map(
    (load, index): WorkerSetup => ({ ...phase.setup, index, seed: phase.setup.seed + index, load, scheduleSeed: phase.setup.seed, ...(slices ? { slices } : {}) }),
  );
  const pool = new WorkerPool(others, recorder);
  const engine = shareEngine(own!, recorder, () => carriers?.shortfall());
  const carriers = slices && phase.load.model === 'open' ? new Carriers(slices, others.length + 1, engine, enginesToStart(phase.load, others.length + 1)) : undefined;
  let collecting: Promise<void> | undefined;
  let ticker: NodeJS.Timeout | undefined;
  const tick = () => {
    // A worker slow to answer makes this interval longer rather than overlapping two cuts.
    if (collecting) return;
    const cutAtMs = performance.now();
    // This thread's share records into the interval until the flush, the workers' until they answer: both
    // a moment past the cut, by the time a message takes to cross.
    collecting = pool
      .collect((status, pressures) => {
        carriers?.review([engine.pressure(), ...pressures]);
        phase.everyInterval(addStatus(status, engine.status), cutAtMs);
      })
      .catch((error: unknown) => pool.fail(error instanceof Error ? error : new Error(String(error))))
      .finally(() => (collecting = undefined));
  };
  // The seconds count from the load's start, not from the threads' (70-100 ms before it, on a 2-vCPU VM).
  const startTicker = (atMs: number) => {
    phase.loadStarted(atMs);
    ticker = setInterval(tick, phase.intervalMs);
  };
  const stop = () => {
    pool.stop();
    engine.stop();
  };
  phase.signal.addEventListener('abort', stop, { once: true });
  if (phase.signal.aborted) stop();
  try {
    const outcome = await pool.run(() => (phase.signal.aborted ? Promise.resolve(UNSTARTED) : engine.execute(startTicker)));
    return { ...outcome, threads: { count: others.length + 1, ...(carriers ? { carrying: { fewest: carriers.fewest, most: carriers.most } } : {}) } };
  } finally {
    clearInterval(ticker);
    carriers?.close();
    phase.signal.removeEventListener('abort', stop);
    // After a worker's failure this thread's share would go on sending: it stops, and drains on its own.
    engine.stop();
    await pool.close();
    await collecting;
  }
}

/**
 * Once the first review is made, how far ahead of the main thread's engine the slices are decided, and how
 * often: the main thread can be held up for the difference before the engines decide slices themselves.
 */
const DECIDE_AHEAD_MS = 300;
const DECIDE_EVERY_MS = 100;

/**
 * How many threads carry an open loop (the first `active`): at first as many as enginesToStart guesses from
 * the rate, then what enginesNeeded says after each interval.
 *
 * Until the first review this thread (always a carrier) stands for all: once a request it had due waited
 * for a connection, its share of them may be too few for the load, and every thread carries it from the
 * next slice of the shared schedule on, as all did from the start before the guess. Until the spread,
 * those requests queue and their latencies, measured from their due times, grow: 300 req/s of 20-ms answers
 * on 4 connections a thread (the workers test's) read a p99 of 224-232 ms when the spread landed 300-400 ms
 * later (slices decided that far ahead), 62-71 ms at the next 100-ms slice and 25-27 ms at the next 25-ms
 * one, against 22-25 ms when all threads carry from the start. So the slices are left open until then,
 * each decided as the one before it when its time comes (shared-schedule.ts), and a spread is written into
 * the next ones. After it, they are decided DECIDE_AHEAD_MS ahead: an engine that carries nothing then wakes
 * when it reaches the first open slice, that is every 100 ms, not every slice (with every slice open, 40
 * times a second, a worker thread that carried nothing cost ~220 CPU-ms over 15 s against ~110).
 */
class Carriers {
  private active: number;
  /** The least and the most `active` has been. */
  fewest: number;
  most: number;
  /** Deciding the slices ahead: from the first review or spread on. */
  private ahead: NodeJS.Timeout | undefined;

  constructor(
    private readonly slices: Int32Array,
    private readonly threads: number,
    private readonly engine: Pick<LoadEngine, 'elapsedMs'>,
    starting: number,
  ) {
    this.active = this.fewest = this.most = starting;
    decideSlices(slices, 0, 0, starting);
  }

  /** This thread's engine had requests wait for a connection. */
  shortfall(): void {
    if (this.ahead) return;
    this.carry(this.threads);
    this.decideAhead();
  }

  /** @param pressures each thread's over the last interval, the main thread's first */
  review(pressures: readonly EnginePressure[]): void {
    this.carry(enginesNeeded(this.active, pressures, this.threads));
    this.decideAhead();
  }

  close(): void {
    clearInterval(this.ahead);
  }

  private carry(active: number): void {
    if (active === this.active) return;
    this.active = active;
    this.fewest = Math.min(this.fewest, active);
    this.most = Math.max(this.most, active);
    // The next slice may be reached already by an engine whose clock runs a few ms ahead of this one's.
    const nowMs = this.engine.elapsedMs;
    decideSlices(this.slices, nowMs, nowMs + 2 * SLICE_MS, active);
  }

  private decideAhead(): void {
    this.ahead ??= setInterval(() => decideSlices(this.slices, this.engine.elapsedMs, this.engine.elapsedMs + DECIDE_AHEAD_MS, this.active), DECIDE_EVERY_MS);
  }
}

function addStatus(a: EngineStatus, b: EngineStatus): EngineStatus {
  return { sent: a.sent + b.sent, backlog: a.backlog + b.backlog, openConnections: a.openConnections + b.openConnections };
}

const IDLE: EnginePressure = Object.freeze({ busy: 0, connections: 0 });

interface Deferred {
  promise: Promise<void>;
  resolve: () => void;
}

function deferred(): Deferred {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

interface Member {
  name: string;
  worker: Worker;
  ready: Deferred;
  done: Deferred;
  /** Resolves the pending flush, if any. */
  answered: (() => void) | undefined;
  status: EngineStatus;
  /** How hard its engine worked over the last interval. */
  pressure: EnginePressure;
  outcome: PhaseOutcome | undefined;
  exited: boolean;
}

export class WorkerPool {
  private readonly members: Member[];
  private rejectFailed!: (error: Error) => void;
  /** Rejects at the first failure of any worker; raced against every wait. */
  private readonly failed = new Promise<never>((_, reject) => (this.rejectFailed = reject));
  private closing = false;
  /** Set while an interval is being cut: a worker's final figures that come after its answer belong to the next interval. */
  private cutting = false;
  private readonly afterCut: RecorderPart[] = [];

  constructor(
    setups: readonly WorkerSetup[],
    private readonly recorder: Recorder,
  ) {
    if (!existsSync(fileURLToPath(WORKER_URL))) {
      throw new InfraError(`--workers: the worker entry ${fileURLToPath(WORKER_URL)} does not exist`, 'worker threads run the compiled dist/: npm run build');
    }
    this.failed.catch(() => undefined);
    // Thread 1 is the main thread, which runs the first share (runInWorkers).
    this.members = setups.map((setup) => this.spawn(setup, setups.length + 1));
  }

  /**
   * Waits until every worker is ready, starts them together with `alongside` (this thread's share), and
   * resolves when all have finished the phase, with their outcomes added up.
   */
  async run(alongside: () => Promise<PhaseOutcome>): Promise<PhaseOutcome> {
    await Promise.race([Promise.all(this.members.map((m) => m.ready.promise)), this.failed]);
    for (const m of this.members) this.send(m, { type: 'start' });
    const [own] = await Promise.all([alongside(), Promise.race([Promise.all(this.members.map((m) => m.done.promise)), this.failed])]);
    return mergeOutcomes([own, ...this.members.map((m) => m.outcome!)]);
  }

  /**
   * Cuts the interval on every running worker, merges what they hand over, then calls `closeInterval` with
   * their summed status and each one's pressure (the main Recorder's flush belongs there).
   */
  async collect(closeInterval: (status: EngineStatus, pressures: EnginePressure[]) => void): Promise<void> {
    this.cutting = true;
    const tailBarUs = this.recorder.hops.tailBarUs;
    const answers = this.members
      .filter((m) => !m.outcome && !m.exited)
      .map((m) => {
        const answer = new Promise<void>((resolve) => (m.answered = resolve));
        this.send(m, { type: 'flush', tailBarUs });
        return answer;
      });
    await Promise.race([Promise.all(answers), this.failed.catch(() => undefined)]);
    try {
      closeInterval(
        this.members.reduce((sum, m) => addStatus(sum, m.status), { sent: 0, backlog: 0, openConnections: 0 }),
        this.members.map((m) => m.pressure),
      );
    } finally {
      this.cutting = false;
      for (const part of this.afterCut.splice(0)) this.recorder.absorb(part);
    }
  }

  /** Ends the phase early (Ctrl-C): workers stop sending, drain, and report as at a normal end. */
  stop(): void {
    for (const m of this.members) if (!m.outcome) this.send(m, { type: 'stop' });
  }

  fail(error: Error): void {
    this.rejectFailed(error);
  }

  /** Terminates every thread, whatever state it is in. */
  async close(): Promise<void> {
    this.closing = true;
    await Promise.all(this.members.map((m) => m.worker.terminate()));
  }

  private spawn(setup: WorkerSetup, count: number): Member {
    const threads = builtinModule<typeof import('node:worker_threads')>('node:worker_threads');
    const worker = new threads.Worker(WORKER_URL, { workerData: setup });
    const member: Member = {
      name: `load thread ${setup.index + 1} of ${count}`,
      worker,
      ready: deferred(),
      done: deferred(),
      answered: undefined,
      status: { sent: 0, backlog: 0, openConnections: 0 },
      pressure: IDLE,
      outcome: undefined,
      exited: false,
    };
    worker.on('message', (message: FromWorker) => this.receive(member, message));
    worker.on('error', (error) => this.fail(new InfraError(`${member.name}: ${error.message}`)));
    worker.on('messageerror', (error) => this.fail(new InfraError(`${member.name}: ${error.message}`)));
    worker.on('exit', (code) => {
      member.exited = true;
      this.answer(member);
      if (!member.outcome && !this.closing) this.fail(new InfraError(`${member.name} exited (code ${code}) before the end of the phase`));
    });
    return member;
  }

  private receive(member: Member, message: FromWorker): void {
    switch (message.type) {
      case 'ready':
        member.ready.resolve();
        break;
      case 'interval':
        this.recorder.absorb(message.part);
        member.status = message.status;
        member.pressure = message.pressure;
        this.answer(member);
        break;
      case 'done':
        // Finished before it saw the pending cut: its figures are this interval's (its answer); after: the next's.
        if (this.cutting && !member.answered) this.afterCut.push(message.part);
        else this.recorder.absorb(message.part);
        member.outcome = message.outcome;
        member.status = { sent: message.outcome.sent, backlog: 0, openConnections: 0 };
        member.pressure = IDLE;
        this.answer(member);
        member.done.resolve();
        break;
      case 'failed':
        this.fail(new InfraError(`${member.name}: ${message.message}`));
        break;
    }
  }

  private answer(member: Member): void {
    member.answered?.();
    member.answered = undefined;
  }

  private send(member: Member, message: ToWorker): void {
    if (!member.exited) member.worker.postMessage(message);
  }
}

/** The phase's outcome from its workers' outcomes. */
export function mergeOutcomes(outcomes: readonly PhaseOutcome[]): PhaseOutcome {
  const sum = (pick: (o: PhaseOutcome) => number) => outcomes.reduce((total, o) => total + pick(o), 0);
  const elapsedMs = Math.max(0, ...outcomes.map((o) => o.elapsedMs));
  return {
    elapsedMs,
    // The threads' clocks start within milliseconds of each other: the last of them to drain sets the end.
    drainMs: Math.max(0, ...outcomes.map((o) => o.elapsedMs + (o.drainMs ?? 0))) - elapsedMs,
    sent: sum((o) => o.sent),
    intended: sum((o) => o.intended),
    unsent: sum((o) => o.unsent),
    // Each worker's worst backlog, added: an upper bound for the whole generator's (the peaks need not coincide).
    maxBacklog: sum((o) => o.maxBacklog),
    connectFailures: sum((o) => o.connectFailures),
  };
}
