import type { WriteStream } from 'node:fs';
import { join } from 'node:path';
import { InfraError } from '../../errors.js';
import { serviceLabel, type LaunchedService } from '../launched-service.js';
import { settlesWithin } from '../deadline.js';
import { waitUntilReady } from '../readiness.js';
import { readingPair } from '../sampling.js';
import { closeLog, LOG_WAIT_MS, logWritten, openServiceLog } from '../service-log.js';
import { track, untrack } from '../teardown.js';
import type { ResourceSample, ServiceSpec, UpOptions } from '../types.js';
import { engineMessage, type DockerEngine, type EngineContainer, type StatsSnapshot } from './client.js';
import { containerName, HOPSCOPE_LABEL, RUN_LABEL, SERVICE_LABEL } from './labels.js';
import { cpuReading, dockerCpuPercent, dockerMemoryBytes } from './stats.js';
import { urlOf } from '../../scenario/topology.js';
import { certificatesFor, withTlsPaths } from '../tls/service-tls.js';
import { CONTAINER_TLS_PATHS, tlsArchive } from './tls-files.js';

/** The services drain on SIGTERM; after 2 s the engine sends SIGKILL. Teardown must stay quick. */
const STOP_TIMEOUT_S = 2;
const KILL_WAIT_MS = 5_000;

/** Unix time as the logs API's `since` wants it for sub-second precision: "seconds.nanoseconds". */
function logTimestamp(ms: number): string {
  return `${Math.floor(ms / 1000)}.${String((ms % 1000) * 1_000_000).padStart(9, '0')}`;
}

/** One service running as a container (host network, labelled for the reaper). */
export class ContainerService implements LaunchedService {
  readonly url: string;
  readonly label: string;
  readonly logPath: string;
  readonly describe: string;
  private readonly logFile: WriteStream;
  logOffset = 0;
  private logsEnded: Promise<void> = Promise.resolve();
  private previousStats: StatsSnapshot | undefined;
  private downing: Promise<void> | undefined;

  private constructor(
    readonly spec: ServiceSpec,
    private readonly container: EngineContainer,
    private readonly name: string,
    image: string,
    readonly ca: string | undefined,
    private readonly readyTimeoutMs: number | undefined,
    logDir: string,
  ) {
    this.url = urlOf(spec.port, spec.tls);
    this.label = serviceLabel(spec.name, spec.kind);
    this.logPath = join(logDir, `${spec.name}.log`);
    this.describe = `docker: container ${name} from image ${image}, host network`;
    this.logFile = openServiceLog(this.logPath);
  }

  /** Creates, tracks and starts the container; readiness is the caller's next step. */
  static async launch(engine: DockerEngine, declared: ServiceSpec, image: string, options: UpOptions): Promise<ContainerService> {
    const certificates = certificatesFor(declared, options);
    const spec = certificates ? withTlsPaths(declared, CONTAINER_TLS_PATHS) : declared;
    const name = containerName(options.runId, spec.name);
    const label = serviceLabel(spec.name, spec.kind);
    let container: EngineContainer;
    try {
      container = await engine.createContainer({
        name,
        image,
        cmd: spec.args,
        env: spec.env,
        labels: { [HOPSCOPE_LABEL]: '1', [RUN_LABEL]: options.runId, [SERVICE_LABEL]: spec.name },
      });
      if (certificates) await container.copyIn(await tlsArchive(certificates), '/');
    } catch (error) {
      throw new InfraError(
        `${label}: cannot create container ${name}: ${engineMessage(error)}`,
        '`hopscope services down` removes containers left by earlier runs',
      );
    }
    const service = new ContainerService(spec, container, name, image, certificates?.caPem, options.readyTimeoutMs, options.logDir);
    track(service);
    try {
      await service.startAndFollowLogs(undefined);
    } catch (error) {
      await service.down();
      throw new InfraError(`${label}: container ${name} did not start: ${engineMessage(error)}`, `see ${service.logPath}`);
    }
    return service;
  }

  private async startAndFollowLogs(sinceS: string | undefined): Promise<void> {
    this.previousStats = undefined;
    this.logOffset = this.logFile.bytesWritten + this.logFile.writableLength;
    await this.container.start();
    this.logsEnded = (await this.container.followLogs(this.logFile, sinceS)).ended;
  }

  async exitReason(): Promise<string | undefined> {
    const state = await this.container.state();
    if (state === undefined) return 'was removed';
    if (state.running) return undefined;
    const oom = state.oomKilled ? ' (out of memory)' : '';
    const engineError = state.error ? ` (${state.error})` : '';
    return `exited with code ${state.exitCode}${oom}${engineError}`;
  }

  async flushLogs(): Promise<void> {
    if ((await this.exitReason()) !== undefined) await settlesWithin(this.logsEnded, LOG_WAIT_MS);
    await logWritten(this.logFile);
  }

  async pause(): Promise<void> {
    await this.engineCall('paused', () => this.container.pause());
  }

  async unpause(): Promise<void> {
    await this.engineCall('unpaused', () => this.container.unpause());
  }

  private async engineCall(verb: string, call: () => Promise<void>): Promise<void> {
    if (this.downing !== undefined) throw new InfraError(`${this.label} cannot be ${verb}: it was stopped`);
    try {
      await call();
    } catch (error) {
      throw new InfraError(`${this.label} cannot be ${verb}: ${engineMessage(error)}`, `see ${this.logPath}`);
    }
  }

  async restart(): Promise<void> {
    await this.engineCall('restarted', async () => {
      // The engine refuses to kill a paused container.
      if ((await this.container.state())?.paused) await this.container.unpause();
      await this.container.kill();
      await settlesWithin(this.container.waitStopped(), KILL_WAIT_MS);
      await settlesWithin(this.logsEnded, LOG_WAIT_MS);
      // Only the new run's lines: the old run's are in the log file already.
      await this.startAndFollowLogs(logTimestamp(Date.now()));
    });
    await waitUntilReady(this, this.readyTimeoutMs);
  }

  async sample(): Promise<ResourceSample> {
    const exitReason = await this.exitReason();
    if (exitReason !== undefined) {
      throw new InfraError(`${this.label} cannot be sampled: it ${exitReason}`, `see ${this.logPath}`);
    }
    const [previous, next] = await readingPair(this.previousStats, () => this.container.stats());
    this.previousStats = next;
    const before = cpuReading(previous.cpu_stats);
    const after = cpuReading(next.cpu_stats);
    return {
      atMs: Date.now(),
      cpuPercent: before && after ? dockerCpuPercent(before, after) : 0,
      memoryBytes: dockerMemoryBytes(next.memory_stats ?? {}),
    };
  }

  down(): Promise<void> {
    this.downing ??= this.stopAndRemove();
    return this.downing;
  }

  private async stopAndRemove(): Promise<void> {
    try {
      // A frozen container cannot receive SIGTERM: thaw it first.
      if ((await this.container.state())?.paused) await this.container.unpause();
      await this.container.stop(STOP_TIMEOUT_S);
      await this.container.remove();
      await settlesWithin(this.logsEnded, LOG_WAIT_MS);
    } catch (error) {
      throw new InfraError(
        `${this.label}: could not stop and remove container ${this.name}: ${engineMessage(error)}`,
        '`hopscope services down` removes it once the engine answers again',
      );
    } finally {
      await closeLog(this.logFile);
      untrack(this);
    }
  }
}
