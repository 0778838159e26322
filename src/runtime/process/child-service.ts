import { spawn, type ChildProcess } from 'node:child_process';
import type { WriteStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { InfraError } from '../../errors.js';
import type { BuiltBinary } from '../build/build.js';
import { serviceLabel, type LaunchedService } from '../launched-service.js';
import { settlesWithin } from '../deadline.js';
import { waitUntilReady } from '../readiness.js';
import { readingPair } from '../sampling.js';
import { closeLog, LOG_WAIT_MS, logWritten, openServiceLog } from '../service-log.js';
import { track, untrack } from '../teardown.js';
import type { ResourceSample, ServiceSpec, UpOptions } from '../types.js';
import { parseCpuTicks, parseRssBytes, procCpuPercent, type ProcCpuReading } from './proc-stats.js';

/** The reference services drain in-flight requests on SIGTERM; 5 s is plenty for a loopback test load. */
const GRACEFUL_STOP_MS = 5_000;
/** After SIGKILL the kernel reaps at once; this only bounds a wait that cannot normally last. */
const KILL_WAIT_MS = 2_000;

/** One reference service running as a child process of hopscope. */
export class ChildService implements LaunchedService {
  readonly url: string;
  readonly label: string;
  readonly logPath: string;
  private readonly logFile: WriteStream;
  private child!: ChildProcess;
  private closed!: Promise<void>;
  private exit: string | undefined;
  private previousCpu: ProcCpuReading | undefined;
  private downing: Promise<void> | undefined;

  private constructor(
    readonly spec: ServiceSpec,
    private readonly binary: BuiltBinary,
    private readonly readyTimeoutMs: number,
    logDir: string,
  ) {
    this.url = `http://127.0.0.1:${spec.port}`;
    this.label = serviceLabel(spec.name, spec.kind);
    this.logPath = join(logDir, `${spec.name}.log`);
    this.logFile = openServiceLog(this.logPath);
  }

  /** Spawns the service and tracks it for teardown; readiness is the caller's next step. */
  static launch(spec: ServiceSpec, binary: BuiltBinary, options: UpOptions): ChildService {
    const service = new ChildService(spec, binary, options.readyTimeoutMs, options.logDir);
    track(service);
    service.spawnChild();
    return service;
  }

  get describe(): string {
    return `process: ${this.binary.path} --port ${this.spec.port} (pid ${this.child.pid ?? 'none'}; sources ${this.binary.hash12})`;
  }

  private spawnChild(): void {
    this.exit = undefined;
    this.previousCpu = undefined;
    const child = spawn(this.binary.path, ['--port', String(this.spec.port), ...this.spec.args], {
      env: { ...process.env, ...this.spec.env },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: false,
    });
    child.stdout.pipe(this.logFile, { end: false });
    child.stderr.pipe(this.logFile, { end: false });
    // The guards keep a killed incarnation's late events from marking its successor as exited.
    child.on('error', (error) => {
      if (this.child === child) this.exit ??= `could not be started (${error.message})`;
    });
    this.closed = new Promise((resolve) => {
      child.on('close', (code, signal) => {
        if (this.child === child) this.exit ??= signal !== null ? `was killed by ${signal}` : `exited with code ${code}`;
        resolve();
      });
    });
    this.child = child;
  }

  private get running(): boolean {
    return this.exit === undefined && this.child.pid !== undefined;
  }

  async exitReason(): Promise<string | undefined> {
    return this.exit;
  }

  async flushLogs(): Promise<void> {
    if (!this.running) await settlesWithin(this.closed, LOG_WAIT_MS);
    await logWritten(this.logFile);
  }

  async pause(): Promise<void> {
    this.signal('SIGSTOP', 'paused');
  }

  async unpause(): Promise<void> {
    this.signal('SIGCONT', 'unpaused');
  }

  private signal(signal: NodeJS.Signals, verb: string): void {
    if (this.downing !== undefined || !this.running) {
      throw new InfraError(`${this.label} cannot be ${verb}: it ${this.exit ?? 'was stopped'}`, `see ${this.logPath}`);
    }
    this.child.kill(signal);
  }

  async restart(): Promise<void> {
    if (this.downing !== undefined) throw new InfraError(`${this.label} cannot be restarted: it was stopped`);
    this.child.kill('SIGKILL');
    await settlesWithin(this.closed, KILL_WAIT_MS);
    this.spawnChild();
    await waitUntilReady(this, this.readyTimeoutMs);
  }

  async sample(): Promise<ResourceSample> {
    const pid = this.child.pid;
    if (!this.running || pid === undefined) {
      throw new InfraError(`${this.label} cannot be sampled: it ${this.exit ?? 'is not running'}`, `see ${this.logPath}`);
    }
    const readCpu = async (): Promise<ProcCpuReading> => ({
      cpuTicks: parseCpuTicks(await readFile(`/proc/${pid}/stat`, 'utf8')),
      atMs: performance.now(),
    });
    const [previous, next] = await readingPair(this.previousCpu, readCpu);
    this.previousCpu = next;
    return {
      atMs: Date.now(),
      cpuPercent: procCpuPercent(previous, next),
      memoryBytes: parseRssBytes(await readFile(`/proc/${pid}/status`, 'utf8')),
    };
  }

  down(): Promise<void> {
    this.downing ??= this.stop();
    return this.downing;
  }

  private async stop(): Promise<void> {
    if (this.running) {
      // A stopped process would hold SIGTERM pending forever.
      this.child.kill('SIGCONT');
      this.child.kill('SIGTERM');
      if (!(await settlesWithin(this.closed, GRACEFUL_STOP_MS))) {
        this.child.kill('SIGKILL');
        await settlesWithin(this.closed, KILL_WAIT_MS);
      }
    }
    await closeLog(this.logFile);
    untrack(this);
  }

  killSync(): void {
    if (this.running) this.child.kill('SIGKILL');
  }
}
