/**
 * Wakes an event loop at a sub-millisecond time while it is blocked in epoll, which libuv's timers cannot:
 * they fire up to a millisecond late. The open loop needs that when a request falls due while others are
 * in flight: the engine cannot sleep its own thread then (their responses would wait unread, and their
 * latencies would grow), so it waited for the next response or a 1-ms timer, and a request left up to a
 * millisecond late (send lag p99 1.1 ms at 1,500-2,000 req/s against services answering in ~0.5 ms).
 *
 * A small thread sleeps in `Atomics.wait` to the armed time and posts a message, which wakes the loop.
 * Each armed wait costs the thread a wake-up or two, so the engine arms it only when a response is not
 * expected before the due time (engine.ts), and the thread starts only once arms come often (`startAfterArms`
 * within a second): starting it costs ~22 ms of CPU, which a target slower than the gap between requests (an
 * arm per request) repays and the odd late send against a fast one does not. Until then arms are not served,
 * and the engine's timer (or the latest answer) wakes the loop.
 */

// node:worker_threads is required when the thread starts: loading it (26 built-in modules) cost ~1.7 CPU-ms of
// every run, most of which never start the thread.
import type { Worker } from 'node:worker_threads';
import { builtinModule } from '../import-module.js';

/**
 * The thread, evaluated as CommonJS (no file to resolve, from dist/ or from the TypeScript sources alike).
 * Shared cells: `cells[0]`, a generation that changes on every arm (a sleeping thread is notified on it to
 * read the new deadline); `cells[1]`, 1 while the thread sleeps to a deadline and 0 while it waits for an
 * arm; `deadline`, the time to post at on the owner's performance.now() clock (0: none). Each deadline is
 * posted once.
 */
const THREAD = `
const { parentPort, workerData } = require('node:worker_threads');
const cells = new Int32Array(workerData.shared, 0, 2);
const deadline = new Float64Array(workerData.shared, 8, 1);
const offsetMs = performance.timeOrigin - workerData.ownerTimeOrigin;
let posted = 0;
for (;;) {
  const seen = Atomics.load(cells, 0);
  const at = deadline[0];
  if (at === 0 || at === posted) {
    Atomics.store(cells, 1, 0);
    Atomics.wait(cells, 0, seen);
    continue;
  }
  const waitMs = at - (performance.now() + offsetMs);
  if (waitMs > 0) {
    Atomics.store(cells, 1, 1);
    Atomics.wait(cells, 0, seen, waitMs);
    continue;
  }
  posted = at;
  parentPort.postMessage(at);
}
`;

export class WakeThread {
  private readonly shared = new SharedArrayBuffer(16);
  /** [generation, sleeping]: see THREAD. */
  private readonly cells = new Int32Array(this.shared, 0, 2);
  private readonly deadline = new Float64Array(this.shared, 8, 1);
  private worker: Worker | undefined;
  /** The thread failed: arms are ignored, and the engine's millisecond timer does the waking. */
  private failed = false;
  /** The latest deadline armed: the thread sleeps to it or to an earlier one. */
  private lastArmedMs = 0;
  /** Before the thread starts: arms in the second that began at countingFromMs. */
  private armsCounted = 0;
  private countingFromMs = -Infinity;

  /**
   * @param onWake called on the owner's loop at (or just after) an armed time, with that time.
   * @param startAfterArms the thread starts at the arm that makes this many within a second (asked at each arm).
   */
  constructor(
    private readonly onWake: (atMs: number) => void,
    private readonly startAfterArms: () => number = () => 1,
  ) {}

  /** Wakes the loop at `atMs` (performance.now() time) unless disarmed or re-armed before, once the thread runs. */
  arm(atMs: number): void {
    const current = this.deadline[0]!;
    if (current === atMs || this.failed) return;
    if (!this.worker && !this.armsComeOften(atMs)) return;
    this.deadline[0] = atMs;
    Atomics.add(this.cells, 0, 1);
    if (!this.worker) this.start();
    // A thread waiting for an arm, or asleep to a later deadline, must read this one now; one asleep to an
    // earlier deadline reads it when it wakes, and a notify would only cost it an extra wake-up.
    else if (Atomics.load(this.cells, 1) === 0 || atMs < this.lastArmedMs) Atomics.notify(this.cells, 0);
    this.lastArmedMs = atMs;
  }

  /** Cancels the armed time; a thread asleep to it wakes then and finds nothing to do. */
  disarm(): void {
    this.deadline[0] = 0;
  }

  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    this.disarm();
    if (worker) await worker.terminate();
  }

  private armsComeOften(atMs: number): boolean {
    if (atMs - this.countingFromMs > 1000) {
      this.countingFromMs = atMs;
      this.armsCounted = 0;
    }
    return ++this.armsCounted >= this.startAfterArms();
  }

  private start(): void {
    // execArgv: [] so that the parent's flags (--input-type=module, say) do not change how THREAD is read.
    const threads = builtinModule<typeof import('node:worker_threads')>('node:worker_threads');
    const worker = new threads.Worker(THREAD, { eval: true, execArgv: [], workerData: { shared: this.shared, ownerTimeOrigin: performance.timeOrigin } });
    worker.on('message', (atMs: number) => this.onWake(atMs));
    worker.on('error', () => {
      this.failed = true;
      this.worker = undefined;
    });
    // The loop's own work keeps the process alive; this thread must not. After the listeners: adding a
    // 'message' listener refs the worker's port again (a finished process then never exited).
    worker.unref();
    this.worker = worker;
  }
}
