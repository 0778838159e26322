import { request } from 'node:http';
import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { InfraError } from '../errors.js';
import type { LaunchedService } from './launched-service.js';
import { indent, lastLines } from './log-tail.js';
import type { ServiceSpec } from './types.js';

const TRY_TIMEOUT_MS = 500;
const TRY_INTERVAL_MS = 50;
const PORT_PROBE_TIMEOUT_MS = 300;
const LOG_LINES_IN_ERRORS = 20;

/** GET /healthz answered 200 within timeoutMs. */
export function healthy(port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request(
      { host: '127.0.0.1', port, path: '/healthz', method: 'GET', agent: false, signal: AbortSignal.timeout(timeoutMs) },
      (res) => {
        res.resume();
        resolve(res.statusCode === 200);
      },
    );
    req.on('error', () => resolve(false));
    req.end();
  });
}

/**
 * Polls /healthz until it answers 200. When the service exits first or the deadline passes, the service is
 * stopped and removed and the error carries its last log lines: a service that never came up explains itself.
 */
export async function waitUntilReady(service: LaunchedService, timeoutMs: number): Promise<void> {
  const healthUrl = `${service.url}/healthz`;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const remainingMs = deadline - Date.now();
    if (remainingMs <= 0) {
      throw await failReadiness(service, `was not ready on ${healthUrl} after ${formatSeconds(timeoutMs)}`);
    }
    if (await healthy(service.spec.port, Math.min(TRY_TIMEOUT_MS, remainingMs))) return;
    const exitReason = await service.exitReason();
    if (exitReason !== undefined) {
      throw await failReadiness(service, `${exitReason} before it was ready on ${healthUrl}`);
    }
    await sleep(TRY_INTERVAL_MS);
  }
}

async function failReadiness(service: LaunchedService, what: string): Promise<InfraError> {
  await service.flushLogs();
  const lines = await lastLines(service.logPath, LOG_LINES_IN_ERRORS);
  // The readiness failure is the news; a failure to stop is reported by teardown and the reaper.
  await service.down().catch(() => undefined);
  const logPart = lines.length > 0 ? `its last log lines:\n${indent(lines)}` : 'it wrote nothing to its log';
  return new InfraError(`${service.label} ${what}; ${logPart}`, `full log: ${service.logPath}`);
}

function formatSeconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${(ms / 1000).toFixed(1)} s`;
}

/** Fails before starting a service whose port something else already answers on (a leftover, another program). */
export async function assertPortFree(spec: ServiceSpec, label: string): Promise<void> {
  if (!(await portAnswers(spec.port))) return;
  throw new InfraError(
    `${label} cannot start: port ${spec.port} on 127.0.0.1 is already in use`,
    `stop whatever listens there (\`ss -ltnp 'sport = :${spec.port}'\` shows it; \`hopscope services down\` removes ` +
      `leftover hopscope containers) or give the service another port in the scenario`,
  );
}

function portAnswers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    const settle = (inUse: boolean): void => {
      socket.destroy();
      resolve(inUse);
    };
    socket.setTimeout(PORT_PROBE_TIMEOUT_MS, () => settle(true)); // a listener too frozen to accept still holds the port
    socket.once('connect', () => settle(true));
    socket.once('error', () => settle(false));
  });
}
