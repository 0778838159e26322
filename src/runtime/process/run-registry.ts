/**
 * A file per run listing the processes it started, so that `hopscope services status|down` can find what a
 * crashed run left (setpriv missing, or a service's own children). A pid alone could be reused by an unrelated
 * program; the process's start time (field 22 of /proc/PID/stat) pins it to the process hopscope started.
 */

import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface RecordedProcess {
  service: string;
  pid: number;
  startTicks: number;
  port: number;
}

export interface RunRecord {
  runId: string;
  hopscopePid: number;
  processes: RecordedProcess[];
}

export interface ProcessLeftover extends RecordedProcess {
  runId: string;
  /** Whether the hopscope that started it still runs (a live run, not a leftover of a crash). */
  ownerAlive: boolean;
}

/** HOPSCOPE_STATE_DIR, for tests and for users who keep several checkouts apart. */
export function stateDir(env: NodeJS.ProcessEnv = process.env): string {
  const uid = typeof process.getuid === 'function' ? process.getuid() : 0;
  return env.HOPSCOPE_STATE_DIR ?? join(tmpdir(), `hopscope-state-${uid}`, 'runs');
}

/** The process's start time in clock ticks since boot, or undefined when it is gone (or a zombie). */
export function startTicksOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (fields[0] === 'Z') return undefined;
    return Number(fields[22 - 3]);
  } catch {
    return undefined;
  }
}

function isSameProcess(pid: number, startTicks: number): boolean {
  return startTicksOf(pid) === startTicks;
}

/** The processes one run started; the file is rewritten on every change and removed when the run ends. */
export class RunRegistry {
  private readonly processes = new Map<string, RecordedProcess>();
  private readonly path: string;

  constructor(private readonly runId: string) {
    this.path = join(stateDir(), `${runId.replace(/[^A-Za-z0-9_.-]/g, '-')}.json`);
  }

  started(service: string, pid: number, port: number): void {
    const startTicks = startTicksOf(pid);
    if (startTicks === undefined) return;
    this.processes.set(service, { service, pid, startTicks, port });
    this.write();
  }

  stopped(service: string): void {
    this.processes.delete(service);
    this.write();
  }

  private write(): void {
    try {
      if (this.processes.size === 0) {
        rmSync(this.path, { force: true });
        return;
      }
      mkdirSync(stateDir(), { recursive: true });
      const record: RunRecord = { runId: this.runId, hopscopePid: process.pid, processes: [...this.processes.values()] };
      writeFileSync(this.path, JSON.stringify(record));
    } catch {
      // A read-only temp dir costs only the leftover listing, never the run.
    }
  }
}

function readRecords(): { path: string; record: RunRecord }[] {
  let names: string[];
  try {
    names = readdirSync(stateDir()).filter((name) => name.endsWith('.json'));
  } catch {
    return [];
  }
  return names.flatMap((name) => {
    const path = join(stateDir(), name);
    try {
      return [{ path, record: JSON.parse(readFileSync(path, 'utf8')) as RunRecord }];
    } catch {
      return [];
    }
  });
}

/** Every recorded process that still runs. Records whose processes all ended are deleted on the way. */
export function listProcessLeftovers(): ProcessLeftover[] {
  const found: ProcessLeftover[] = [];
  for (const { path, record } of readRecords()) {
    const alive = record.processes.filter((p) => isSameProcess(p.pid, p.startTicks));
    const ownerAlive = startTicksOf(record.hopscopePid) !== undefined;
    if (alive.length === 0 && !ownerAlive) rmSync(path, { force: true });
    found.push(...alive.map((p) => ({ ...p, runId: record.runId, ownerAlive })));
  }
  return found;
}

/** SIGKILLs every recorded process that still runs (a stopped one too: SIGKILL needs no SIGCONT); returns them. */
export function killProcessLeftovers(): ProcessLeftover[] {
  const leftovers = listProcessLeftovers();
  for (const p of leftovers) {
    try {
      process.kill(p.pid, 'SIGKILL');
    } catch {
      // ended meanwhile
    }
  }
  for (const { path } of readRecords()) rmSync(path, { force: true });
  return leftovers;
}
