import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

export interface EngineAddress {
  /** For messages: "/var/run/docker.sock", "tcp://127.0.0.1:2375". */
  description: string;
  /** Host-networked services listen on the engine's host: only an engine on this machine is usable. */
  local: boolean;
}

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

/** Where dockerode will connect, by the same rules as docker-modem (DOCKER_HOST, else the default socket). */
export function engineAddress(env: NodeJS.ProcessEnv = process.env): EngineAddress {
  const dockerHost = env.DOCKER_HOST;
  if (!dockerHost) {
    const desktopSocket = join(homedir(), '.docker', 'run', 'docker.sock');
    return { description: existsSync(desktopSocket) ? desktopSocket : '/var/run/docker.sock', local: true };
  }
  if (dockerHost.startsWith('unix://')) return { description: dockerHost.slice('unix://'.length), local: true };
  try {
    const url = new URL(dockerHost.includes('//') ? dockerHost : `tcp://${dockerHost}`);
    return { description: dockerHost, local: LOOPBACK_HOSTS.has(url.hostname) || url.hostname.startsWith('127.') };
  } catch {
    return { description: dockerHost, local: false };
  }
}
