import type { StartedService } from './types.js';

/** What readiness and teardown need from a service beyond the public StartedService. */
export interface LaunchedService extends StartedService {
  readonly logPath: string;
  /** Where the current incarnation's output starts in the log file: a restart must not find the old ready line. */
  readonly logOffset: number;
  /** e.g. `service "cache-1" (rust-cache-server)`: the subject of every message about it. */
  readonly label: string;
  /** How it stopped ("exited with code 2", "was killed by SIGKILL"), or undefined while it runs. */
  exitReason(): Promise<string | undefined>;
  /** Resolves once what the service wrote so far has reached its log file (bounded wait). */
  flushLogs(): Promise<void>;
}

export function serviceLabel(name: string, kind: string): string {
  return `service "${name}" (${kind})`;
}
