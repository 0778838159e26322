/**
 * `--engine autocannon`: autocannon drives the closed loop, with its own behaviour kept intact, but every
 * response goes through hopscope's recorder in microseconds (its `response` event carries a fractional
 * millisecond time; its own histogram keeps whole milliseconds, which reads 0 for loopback answers).
 */

import autocannon from 'autocannon';
import { performance } from 'node:perf_hooks';
import type { PhaseDecl, Scenario } from '../scenario/types.js';
import type { PhaseOutcome } from './engine.js';
import type { ErrorKind, SampleSink } from './sample.js';

export interface AutocannonPhase {
  phase: PhaseDecl;
  target: { url: string };
  scenario: Scenario;
  sink: SampleSink;
  signal: AbortSignal;
}

function kindOf(error: Error & { code?: string }): ErrorKind {
  if (error.message === 'request timed out') return 'timeout';
  if (error.code === 'ECONNREFUSED') return 'connect';
  return 'reset';
}

export async function runAutocannonPhase({ phase, target, scenario, sink, signal }: AutocannonPhase): Promise<PhaseOutcome> {
  // The scenario was checked against autocannonMisfits before the run started: one live request per phase.
  const live = phase.mix.find((m) => m.weight > 0)!;
  const requestIndex = scenario.requests.findIndex((r) => r.name === live.request);
  const request = scenario.requests[requestIndex]!;
  const started = performance.now();
  let sent = 0;
  let finish: (error: Error | null) => void = () => {};
  const done = new Promise<void>((resolve, reject) => (finish = (error) => (error ? reject(error) : resolve())));
  const instance = autocannon({
    url: `${target.url}${request.path}`,
    method: request.method as autocannon.Request['method'],
    headers: request.headers,
    body: request.body,
    connections: phase.load.connections,
    pipelining: phase.load.pipelining,
    duration: phase.durationMs / 1000,
    timeout: Math.max(1, Math.ceil(scenario.requestTimeoutMs / 1000)),
  }, (error) => finish(error));
  instance.on('response', (_client: unknown, status: number, _bytes: number, responseTimeMs: number) => {
    sent++;
    sink.response(requestIndex, responseTimeMs * 1000, status, undefined, performance.now() - responseTimeMs);
  });
  instance.on('reqError', (error: Error) => {
    sent++;
    sink.failure(requestIndex, kindOf(error), 0);
  });
  const stop = () => instance.stop();
  signal.addEventListener('abort', stop, { once: true });
  try {
    await done;
  } finally {
    signal.removeEventListener('abort', stop);
  }
  return { elapsedMs: performance.now() - started, sent, intended: 0, unsent: 0, maxBacklog: 0, connectFailures: 0 };
}
