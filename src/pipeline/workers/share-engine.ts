/**
 * The engine that runs one share of a `--workers N` phase, on a worker thread (worker-main.ts) or on the
 * main thread, which runs the first share itself (pool.ts).
 */

import { LoadEngine, type PhaseOutcome } from '../../load/engine.js';
import { compileMix } from '../../load/request-mix.js';
import type { SampleSink } from '../../load/sample.js';
import type { WorkerSetup } from './messages.js';

/** The outcome of a share stopped (Ctrl-C) before the phase started. */
export const UNSTARTED: PhaseOutcome = Object.freeze({ elapsedMs: 0, sent: 0, intended: 0, unsent: 0, maxBacklog: 0, connectFailures: 0 });

/** @param onShortfall the main thread's (pool.ts): its engine's requests waited for a connection */
export function shareEngine(setup: WorkerSetup, sink: SampleSink, onShortfall?: () => void): LoadEngine {
  // A body that crossed a thread boundary arrives as a Uint8Array; the engine writes Buffers.
  const requests = setup.requests.map((r) => ({ ...r, body: r.body && Buffer.from(r.body.buffer, r.body.byteOffset, r.body.byteLength) }));
  return new LoadEngine(
    {
      host: setup.host,
      port: setup.port,
      addresses: setup.addresses,
      ...(setup.tls ? { tls: setup.tls } : {}),
      protocol: setup.protocol,
      mix: compileMix(requests, setup.mix, setup.authority, setup.seed),
      load: setup.load,
      durationMs: setup.durationMs,
      timeoutMs: setup.timeoutMs,
      seed: setup.seed,
      ...(setup.slices ? { share: { slices: setup.slices, index: setup.index, seed: setup.scheduleSeed, ...(onShortfall ? { onShortfall } : {}) } } : {}),
    },
    sink,
  );
}
