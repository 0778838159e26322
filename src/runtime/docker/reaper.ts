/**
 * The run's reaper container (Testcontainers' Ryuk, in hopscope's own static Go binary, built locally FROM
 * scratch): hopscope holds a TCP connection to it; when that drops and stays dropped for a second, because
 * hopscope ended in any way including kill -9, it removes every container labelled with the run's id.
 */

import { connect, type Socket } from 'node:net';
import { PassThrough } from 'node:stream';
import { InfraError } from '../../errors.js';
import { ensureBinary } from '../build/build.js';
import { reaperBinary } from '../build/reference-recipes.js';
import { track, untrack, type Teardownable } from '../teardown.js';
import { engineMessage, type DockerEngine, type EngineContainer } from './client.js';
import { ensureImage } from './image.js';
import { containerName, HOPSCOPE_LABEL, ROLE_LABEL, RUN_LABEL, SERVICE_LABEL } from './labels.js';

const LISTENING = /reaper listening on \S+:(\d+) /;
/** A scratch container starts in well under a second; the bound only catches an engine that hangs. */
const START_TIMEOUT_MS = 15_000;
/** In the container, where the engine's socket is mounted. */
const SOCKET_IN_CONTAINER = '/var/run/docker.sock';

export class Reaper implements Teardownable {
  readonly last = true;
  readonly label: string;
  private closing: Promise<void> | undefined;

  private constructor(
    private readonly container: EngineContainer,
    private readonly socket: Socket,
    name: string,
  ) {
    this.label = `reaper container ${name}`;
    track(this);
  }

  /**
   * `listenHost`: where hopscope reaches the reaper, which listens there in the engine's host network; loopback
   * only serves an engine in this machine's own network namespace.
   */
  static async start(engine: DockerEngine, runId: string, log: (line: string) => void, listenHost = '127.0.0.1'): Promise<Reaper> {
    const image = await ensureImage(engine, await ensureBinary(reaperBinary(), log), log);
    const address = engine.address.description;
    const viaSocket = address.startsWith('/');
    let container: EngineContainer;
    try {
      container = await engine.createContainer({
        name: containerName(runId, 'reaper'),
        image,
        cmd: ['-run', runId, '-listen', `${listenHost.includes(':') ? `[${listenHost}]` : listenHost}:0`, '-engine', viaSocket ? `unix://${SOCKET_IN_CONTAINER}` : address.includes('://') ? address : `tcp://${address}`],
        env: {},
        labels: { [HOPSCOPE_LABEL]: '1', [RUN_LABEL]: runId, [SERVICE_LABEL]: 'reaper', [ROLE_LABEL]: 'reaper' },
        binds: viaSocket ? [`${address}:${SOCKET_IN_CONTAINER}`] : [],
        autoRemove: true,
      });
      await container.start();
    } catch (error) {
      throw new InfraError(`cannot start the reaper container: ${engineMessage(error)}`, '`hopscope services down` removes containers left by earlier runs');
    }
    try {
      const port = await listeningPort(container);
      const socket = await connectTo(listenHost, port);
      log(`reaper: container ${containerName(runId, 'reaper')} removes this run's containers if hopscope dies`);
      return new Reaper(container, socket, containerName(runId, 'reaper'));
    } catch (error) {
      await container.remove().catch(() => undefined);
      throw new InfraError(`the reaper container did not come up: ${(error as Error).message}`, 'its log: docker logs on the container, if it still exists');
    }
  }

  /** After the run's services are down: nothing is left to reap, so the reaper goes too. */
  down(): Promise<void> {
    // Removed before the connection drops, so that its own reaping (and auto-removal) cannot race ours.
    this.closing ??= (async () => {
      try {
        await this.container.remove();
      } finally {
        this.socket.destroy();
        untrack(this);
      }
    })();
    return this.closing;
  }
}

async function listeningPort(container: EngineContainer): Promise<number> {
  const out = new PassThrough();
  // The log stream lives as long as the container; after the port line it is only drained.
  out.on('error', () => undefined);
  let text = '';
  let timer: NodeJS.Timeout | undefined;
  const found = new Promise<number>((resolve, reject) => {
    const onData = (chunk: string): void => {
      text += chunk;
      const match = LISTENING.exec(text);
      if (!match) return;
      out.off('data', onData);
      out.resume();
      resolve(Number(match[1]));
    };
    out.setEncoding('utf8').on('data', onData);
    timer = setTimeout(() => reject(new Error(`it did not say where it listens within ${START_TIMEOUT_MS / 1000} s; it wrote: ${text.trim() || 'nothing'}`)), START_TIMEOUT_MS);
  });
  const { ended } = await container.followLogs(out);
  void ended.then(() => out.end());
  try {
    return await found;
  } finally {
    clearTimeout(timer);
  }
}

function connectTo(host: string, port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port });
    socket.once('connect', () => {
      // The connection must not keep hopscope alive; its only job is to drop when hopscope ends.
      socket.unref();
      socket.on('error', () => undefined);
      resolve(socket);
    });
    socket.once('error', reject);
  });
}

