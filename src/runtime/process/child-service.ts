import { spawn, type ChildProcess } from 'node:child_process';
import type { WriteStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { InfraError } from '../../errors.js';
import { serviceLabel, type LaunchedService } from '../launched-service.js';
import { settlesWithin } from '../deadline.js';
import { waitUntilReady } from '../readiness.js';
import { readingPair } from '../sampling.js';
import { closeLog, LOG_WAIT_MS, logWritten, openServiceLog } from '../service-log.js';
import { track, untrack } from '../teardown.js';
import type { ResourceSample, ServiceSpec, UpOptions } from '../types.js';
import { withDeathSignal } from './death-signal.js';
import { parseCpuTicks, parseRssBytes, procCpuPercent, type ProcCpuReading } from './proc-stats.js';
import type { RunRegistry } from './run-registry.js';
import { urlOf } from '../../scenario/topology.js';
import { certificatesFor, fillTlsPaths, hostPaths, withTlsPaths } from '../tls/service-tls.js';

/** What to execute for a service: the reference binary with its args, or the user's command. */
export interface Program {
  argv: string[];
  cwd: string | undefined;
  /** For the report: "sources 1a2b3c4d5e6f", "cwd /work/orders". */
  note: string;
}

/** The reference services drain in-flight requests on SIGTERM; 5 s is plenty for a loopback test load. */
const GRACEFUL_STOP_MS = 5_000;
/** After SIGKILL the kernel reaps at once; this only bounds a wait that cannot normally last. */
const KILL_WAIT_MS = 2_000;

/** One service running as a child process of hopscope, killed by the kernel if hopscope dies first. */
export class ChildService implements LaunchedService {
  readonly url: string;
  readonly label: string;
  readonly logPath: string;
  private readonly logFile: WriteStream;
  logOffset = 0;
  private child!: ChildProcess;
  private closed!: Promise<void>;
  private exit: string | undefined;
  private previousCpu: ProcCpuReading | undefined;
  private downing: Promise<void> | undefined;

  private constructor(
    readonly spec: ServiceSpec,
    private readonly program: Program,
    private readonly registry: RunRegistry,
    readonly ca: string | undefined,
    private readonly readyTimeoutMs: number | undefined,
    logDir: string,
  ) {
    this.url = urlOf(spec.port, spec.tls);
    this.label = serviceLabel(spec.name, spec.kind);
    this.logPath = join(logDir, `${spec.name}.log`);
    this.logFile = openServiceLog(this.logPath);
  }

  /** Spawns the service and tracks it for teardown; readiness is the caller's next step. */
  static launch(declared: ServiceSpec, program: Program, registry: RunRegistry, options: UpOptions): ChildService {
    const certificates = certificatesFor(declared, options);
    const paths = certificates && hostPaths(certificates);
    const spec = paths ? withTlsPaths(declared, paths) : declared;
    // An own service's command was made into the Program before the files' paths were known.
    const run = paths ? { ...program, argv: program.argv.map((arg) => fillTlsPaths(arg, paths)) } : program;
    const service = new ChildService(spec, run, registry, certificates?.caPem, options.readyTimeoutMs, options.logDir);
    track(service);
    service.spawnChild();
    return service;
  }

  get describe(): string {
    const command = [...this.program.argv, ...this.spec.args].join(' ');
    return `process: ${command} (pid ${this.child.pid ?? 'none'}; ${this.program.note})`;
  }

  private spawnChild(): void {
    this.exit = undefined;
    this.previousCpu = undefined;
    this.logOffset = this.logFile.bytesWritten + this.logFile.writableLength;
    const [file, ...args] = withDeathSignal([...this.program.argv, ...this.spec.args]).argv;
    const child = spawn(file!, args, {
      cwd: this.program.cwd,
      env: { ...process.env, ...this.spec.env },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: false,
    });
    if (child.pid !== undefined) this.registry.started(this.spec.name, child.pid, this.spec.port);
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
    this.registry.stopped(this.spec.name);
    untrack(this);
  }

  killSync(): void {
    if (this.running) this.child.kill('SIGKILL');
  }
}
