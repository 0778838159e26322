/**
 * A load worker thread: one LoadEngine with its share of the phase, recording into its own Recorder, which
 * it hands over whenever the main thread closes an interval. Started by pool.ts from the compiled
 * dist/ (worker_threads cannot load the TypeScript sources).
 */

import { performance } from 'node:perf_hooks';
import { parentPort, workerData } from 'node:worker_threads';
import { Recorder } from '../../record/recorder.js';
import type { PhaseOutcome } from '../../load/engine.js';
import type { FromWorker, ToWorker, WorkerSetup } from './messages.js';
import { shareEngine, UNSTARTED } from './share-engine.js';

const port = parentPort!;
const setup = workerData as WorkerSetup;

function post(message: FromWorker): void {
  // The request log's arrays are moved, not copied.
  const transfer = message.type === 'interval' || message.type === 'done' ? [message.part.log.starts.buffer, message.part.log.latencies.buffer] : [];
  port.postMessage(message, transfer);
}

function fail(error: unknown): void {
  post({ type: 'failed', message: error instanceof Error ? error.message : String(error) });
}

try {
  const recorder = new Recorder(setup.requests.map((r) => r.name), setup.originEpochMs - performance.timeOrigin);
  recorder.beginPhase(setup.phase, setup.recorded, 0);
  const engine = shareEngine(setup, recorder);
  let state: 'ready' | 'running' | 'stopped' | 'done' = 'ready';
  const finish = (outcome: PhaseOutcome) => {
    state = 'done';
    post({ type: 'done', part: recorder.handOver(), outcome });
  };

  port.on('message', (message: ToWorker) => {
    switch (message.type) {
      case 'start':
        if (state === 'stopped') finish(UNSTARTED);
        else if (state === 'ready') {
          state = 'running';
          engine.execute().then(finish, fail);
        }
        break;
      case 'flush':
        if (state === 'done') break;
        recorder.hops.followTailBar(message.tailBarUs);
        post({ type: 'interval', part: recorder.handOver(), status: engine.status, pressure: engine.pressure() });
        break;
      case 'stop':
        if (state === 'running') engine.stop();
        else if (state === 'ready') state = 'stopped';
        break;
    }
  });
  post({ type: 'ready' });
} catch (error) {
  fail(error);
}
