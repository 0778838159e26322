/**
 * The one place that imports dockerode (with its swarm half, swarm-client.ts): a narrow client with only
 * what hopscope does to an engine (ping, build an image, create/start/pause/kill/stop/remove containers,
 * follow logs, read stats).
 */
import type Docker from 'dockerode';
import { PassThrough } from 'node:stream';
import { importModule } from '../../import-module.js';
import { statusOf } from './engine-status.js';
import { engineAddress, type EngineAddress } from './engine-address.js';
import { SwarmClient } from './swarm-client.js';
import type { DockerCpuStats, DockerMemoryStats } from './stats.js';

export interface ContainerSpec {
  name: string;
  image: string;
  cmd: string[];
  env: Record<string, string>;
  labels: Record<string, string>;
  /** host:container bind mounts; only the reaper mounts anything (the engine's socket). */
  binds?: string[];
  autoRemove?: boolean;
}

export interface ContainerState {
  status: string;
  running: boolean;
  paused: boolean;
  exitCode: number;
  oomKilled: boolean;
  /** The engine's own error, e.g. a binary it could not exec. */
  error: string;
}

export interface ContainerSummary {
  id: string;
  name: string;
  image: string;
  /** created, running, paused, exited, … */
  state: string;
  /** Human text from the engine: "Up 3 minutes (Paused)". */
  status: string;
  labels: Record<string, string>;
}

export interface StatsSnapshot {
  cpu_stats?: DockerCpuStats;
  precpu_stats?: DockerCpuStats;
  memory_stats?: DockerMemoryStats;
}

/** Awaits an engine call, treating the listed HTTP statuses (e.g. 404 already gone) as success. */
async function tolerating(call: Promise<unknown>, ...statuses: number[]): Promise<void> {
  try {
    await call;
  } catch (error) {
    if (!statuses.includes(statusOf(error) ?? 0)) throw error;
  }
}

/** The engine's error text without docker-modem's "(HTTP code 409) unexpected - " prefix. */
export function engineMessage(error: unknown): string {
  const json = (error as { json?: { message?: string } } | undefined)?.json;
  if (typeof json?.message === 'string') return json.message;
  return error instanceof Error ? error.message : String(error);
}

export class DockerEngine {
  private constructor(
    private readonly docker: Docker,
    readonly address: EngineAddress,
  ) {}

  /** Throws a plain Error when DOCKER_HOST cannot be parsed. */
  /** dockerode is loaded here, not at start-up: importing it costs every run without containers about 0.1 s of CPU. */
  static async connect(): Promise<DockerEngine> {
    const { default: Dockerode } = await importModule<{ default: typeof Docker }>('dockerode');
    return new DockerEngine(new Dockerode(), engineAddress());
  }

  /** An engine named by URL (unix://, tcp://, ssh://user@host), as DOCKER_HOST would name it. */
  static async connectTo(dockerHost: string): Promise<DockerEngine> {
    const { default: Dockerode } = await importModule<{ default: typeof Docker }>('dockerode');
    const url = new URL(dockerHost);
    const options: Docker.DockerOptions =
      url.protocol === 'unix:'
        ? { socketPath: url.pathname }
        : url.protocol === 'ssh:'
          ? { protocol: 'ssh', host: url.hostname, port: Number(url.port || 22), ...(url.username ? { username: url.username } : {}) }
          : { protocol: 'http', host: url.hostname, port: Number(url.port || 2375) };
    return new DockerEngine(new Dockerode(options), engineAddress({ DOCKER_HOST: dockerHost }));
  }

  /** Rejects with the connection error ("connect ENOENT /var/run/docker.sock") or a timeout. */
  async ping(timeoutMs: number): Promise<void> {
    const ping = this.docker.ping.bind(this.docker) as unknown as (options: { abortSignal: AbortSignal }) => Promise<unknown>;
    try {
      await ping({ abortSignal: AbortSignal.timeout(timeoutMs) });
    } catch (error) {
      if ((error as Error).name === 'AbortError' || (error as Error).name === 'TimeoutError') {
        throw new Error(`no answer within ${timeoutMs} ms`);
      }
      throw error;
    }
  }

  async hasImage(tag: string): Promise<boolean> {
    try {
      await this.docker.getImage(tag).inspect();
      return true;
    } catch (error) {
      if (statusOf(error) === 404) return false;
      throw error;
    }
  }

  /** Builds from a tar context; rejects with the engine's error and the last lines of the build output. */
  async buildImage(context: NodeJS.ReadableStream, tag: string, labels: Record<string, string>, dockerfile = 'Dockerfile'): Promise<void> {
    const progress = await this.docker.buildImage(context, { t: tag, labels, rm: true, forcerm: true, dockerfile });
    const events = await new Promise<Array<{ stream?: string; error?: string }>>((resolve, reject) => {
      this.docker.modem.followProgress(progress, (error, output) => (error ? reject(error) : resolve(output)));
    });
    const failure = events.find((event) => event.error !== undefined);
    if (failure !== undefined) {
      const output = events.flatMap((event) => (event.stream ?? '').split('\n')).filter((line) => line.trim() !== '');
      throw new Error(`${failure.error}\n${output.slice(-10).join('\n')}`);
    }
  }

  /** Rejects with the engine's error (unknown image, no registry reachable). */
  async pullImage(tag: string): Promise<void> {
    const progress = await this.docker.pull(tag);
    await new Promise<void>((resolve, reject) => {
      this.docker.modem.followProgress(progress, (error, output: Array<{ error?: string }>) => {
        const failure = error ?? output.find((event) => event.error !== undefined)?.error;
        if (failure) reject(failure instanceof Error ? failure : new Error(String(failure)));
        else resolve();
      });
    });
  }

  async createContainer(spec: ContainerSpec): Promise<EngineContainer> {
    const container = await this.docker.createContainer({
      name: spec.name,
      Image: spec.image,
      // Without args, the image's own CMD stays.
      ...(spec.cmd.length > 0 ? { Cmd: spec.cmd } : {}),
      Env: Object.entries(spec.env).map(([key, value]) => `${key}=${value}`),
      Labels: spec.labels,
      // Host networking only: services bind 127.0.0.1 and hopscope never creates a network.
      HostConfig: { NetworkMode: 'host', AutoRemove: spec.autoRemove ?? false, Binds: spec.binds ?? [] },
    });
    return new EngineContainer(this.docker, container);
  }

  /** Containers in any state carrying every given label. */
  async listContainers(labels: Record<string, string>): Promise<ContainerSummary[]> {
    const infos = await this.docker.listContainers({
      all: true,
      filters: { label: Object.entries(labels).map(([key, value]) => `${key}=${value}`) },
    });
    return infos.map((info) => ({
      id: info.Id,
      name: (info.Names[0] ?? info.Id).replace(/^\//, ''),
      image: info.Image,
      state: info.State,
      status: info.Status,
      labels: info.Labels,
    }));
  }

  container(id: string): EngineContainer {
    return new EngineContainer(this.docker, this.docker.getContainer(id));
  }

  /** The swarm this engine belongs to (its calls fail with 503 when it manages none). */
  swarm(): SwarmClient {
    return new SwarmClient(this.docker);
  }
}

export class EngineContainer {
  constructor(
    private readonly docker: Docker,
    private readonly handle: Docker.Container,
  ) {}

  get id(): string {
    return this.handle.id;
  }

  async start(): Promise<void> {
    await tolerating(this.handle.start(), 304); // 304: already running
  }

  async pause(): Promise<void> {
    await this.handle.pause();
  }

  async unpause(): Promise<void> {
    await this.handle.unpause();
  }

  /** SIGKILL; a container that is not running is fine. */
  async kill(): Promise<void> {
    await tolerating(this.handle.kill(), 404, 409);
  }

  /** SIGTERM, then SIGKILL after timeoutS; already stopped or gone is fine. */
  async stop(timeoutS: number): Promise<void> {
    await tolerating(this.handle.stop({ t: timeoutS }), 304, 404);
  }

  async remove(): Promise<void> {
    await tolerating(this.handle.remove({ force: true }), 404);
  }

  /** undefined once the container is gone. */
  async state(): Promise<ContainerState | undefined> {
    try {
      const { State } = await this.handle.inspect();
      return {
        status: State.Status,
        running: State.Running,
        paused: State.Paused,
        exitCode: State.ExitCode,
        oomKilled: State.OOMKilled,
        error: State.Error,
      };
    } catch (error) {
      if (statusOf(error) === 404) return undefined;
      throw error;
    }
  }

  /** Resolves when the container has stopped (or is gone). */
  async waitStopped(): Promise<void> {
    await tolerating(this.handle.wait({ condition: 'not-running' }), 404);
  }

  /**
   * Streams stdout and stderr (demultiplexed: no TTY) into `out` until the container stops, when `ended`
   * resolves. `sinceS` ("seconds.nanoseconds") skips what an earlier run of the same container wrote.
   */
  async followLogs(out: NodeJS.WritableStream, sinceS?: string): Promise<{ ended: Promise<void> }> {
    const stream = await this.handle.logs({ follow: true, stdout: true, stderr: true, ...(sinceS ? { since: sinceS } : {}) });
    this.docker.modem.demuxStream(stream, out, out);
    const ended = new Promise<void>((resolve) => {
      stream.on('end', resolve);
      stream.on('close', resolve);
      stream.on('error', () => resolve());
    });
    return { ended };
  }

  /** The container's output so far (stdout and stderr, demultiplexed), e.g. of one that failed. */
  async output(): Promise<string> {
    const chunks: Buffer[] = [];
    const sink = new PassThrough();
    sink.on('data', (c: Buffer) => chunks.push(c));
    const { ended } = await this.followLogs(sink);
    await ended;
    return Buffer.concat(chunks).toString('utf8');
  }

  /** A tar of `path` in the container (the engine's archive API), also after the container exited. */
  async archive(path: string): Promise<NodeJS.ReadableStream> {
    return this.handle.getArchive({ path });
  }

  /** Unpacks a tar into the container at `path` (which must exist), before or after start. */
  async copyIn(tar: NodeJS.ReadableStream, path: string): Promise<void> {
    await this.handle.putArchive(tar, { path });
  }

  /** One-shot stats: immediate, but `precpu_stats` is empty, so CPU needs two calls. */
  async stats(): Promise<StatsSnapshot> {
    return (await this.handle.stats({ stream: false, 'one-shot': true })) as StatsSnapshot;
  }
}
