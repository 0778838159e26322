import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { InfraError } from '../errors.js';
import type { LaunchedService } from './launched-service.js';
import { indent, lastLines, logContains } from './log-tail.js';
import { serviceRequest } from './service-http.js';
import type { ReadyCheck, ServiceSpec } from './types.js';

const TRY_TIMEOUT_MS = 500;
const TRY_INTERVAL_MS = 50;
const PORT_PROBE_TIMEOUT_MS = 300;
const LOG_LINES_IN_ERRORS = 20;

/** GET path answered `status` within timeoutMs (over TLS for a TLS service, trusting the run's CA). */
function answers(service: LaunchedService, path: string, status: number, timeoutMs: number): Promise<boolean> {
  return serviceRequest(`${service.url}${path}`, { timeoutMs, ...(service.ca ? { ca: service.ca } : {}) }).then(
    (answer) => answer.status === status,
    () => false,
  );
}

/** Where readiness is awaited, for messages: "on http://127.0.0.1:8080/healthz", "with "listening" in its log". */
function awaited(service: LaunchedService, check: ReadyCheck): string {
  switch (check.probe) {
    case 'http':
      return `on ${service.url}${check.path}${check.status === 200 ? '' : ` (status ${check.status})`}`;
    case 'tcp':
      return `on 127.0.0.1:${service.spec.port} (TCP)`;
    case 'log':
      return `(its log never said "${check.text}")`;
  }
}

async function readyNow(service: LaunchedService, check: ReadyCheck, tryTimeoutMs: number): Promise<boolean> {
  switch (check.probe) {
    case 'http':
      return answers(service, check.path, check.status, tryTimeoutMs);
    case 'tcp':
      return portAnswers(service.spec.port, tryTimeoutMs, false);
    case 'log':
      await service.flushLogs();
      return logContains(service.logPath, check.text, service.logOffset);
  }
}

/**
 * Waits for the service's `ready` check (an HTTP status, a TCP accept, a log line). When the service exits
 * first or the deadline passes, the service is stopped and removed and the error carries its last log lines:
 * a service that never came up explains itself.
 */
export async function waitUntilReady(service: LaunchedService, timeoutMs = service.spec.ready.timeoutMs): Promise<void> {
  const check = service.spec.ready;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const remainingMs = deadline - Date.now();
    if (remainingMs <= 0) {
      throw await failReadiness(service, `was not ready ${awaited(service, check)} after ${formatSeconds(timeoutMs)}`);
    }
    if (await readyNow(service, check, Math.min(TRY_TIMEOUT_MS, remainingMs))) return;
    const exitReason = await service.exitReason();
    if (exitReason !== undefined) {
      throw await failReadiness(service, `${exitReason} before it was ready ${awaited(service, check)}`);
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

/** True once a connection is accepted; on a timeout, `onTimeout` (a frozen listener still holds the port). */
function portAnswers(port: number, timeoutMs = PORT_PROBE_TIMEOUT_MS, onTimeout = true): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    const settle = (inUse: boolean): void => {
      socket.destroy();
      resolve(inUse);
    };
    socket.setTimeout(timeoutMs, () => settle(onTimeout));
    socket.once('connect', () => settle(true));
    socket.once('error', () => settle(false));
  });
}
