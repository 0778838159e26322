/**
 * Extra Docker engines on this machine, each inside a network namespace made for the test: a veth pair with
 * addresses from 198.18.0.0/15 (host side 198.18.N.1, namespace side 198.18.N.2), and a dockerd with its own
 * data root, exec root, socket and pidfile. dockerd is started with `nsenter --net=` rather than
 * `ip netns exec`, whose fresh /sys hides the cgroup mounts ("Devices cgroup isn't mounted"); its
 * host-network containers then live in the namespace. `remove()` undoes every step that was done, in
 * reverse, and never throws, so that an afterAll can call it whatever failed.
 */

import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const ENGINE_START_TIMEOUT_MS = 60_000;
const ENGINE_STOP_TIMEOUT_MS = 20_000;
/** The engine's API port on the namespace side address, for engines named by tcp:// URL. */
export const NETNS_ENGINE_PORT = 2375;

function has(tool: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Why namespace engines cannot run here, or undefined when they can. */
export function netnsSkipReason(): string | undefined {
  if (process.getuid?.() !== 0) return 'network namespaces and extra Docker engines need root';
  const missing = ['ip', 'dockerd', 'docker', 'nsenter', 'mountpoint'].filter((t) => !has(t));
  return missing.length ? `missing ${missing.join(', ')}` : undefined;
}

export interface NetnsEngine {
  name: string;
  /** The host's address on this namespace's veth: where things in the namespace reach the host. */
  hostAddress: string;
  /** The namespace's own address. */
  nsAddress: string;
  socketUrl: string;
  tcpUrl: string;
  /** Container names on this engine (all states). */
  containers(): string[];
}

function sh(cmd: string, args: string[]): string {
  return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 30_000 });
}

export class NetnsEngines {
  readonly engines: NetnsEngine[] = [];
  private readonly undo: { what: string; fn: () => void | Promise<void> }[] = [];
  /** The prefix of every namespace, veth and folder this helper makes. */
  readonly tag = `hsn${process.pid.toString(36)}`;
  private readonly root = `/tmp/${this.tag}`;

  /** Namespaces this helper made that still exist. */
  namespaces(): string[] {
    return sh('ip', ['netns', 'list'])
      .split('\n')
      .map((l) => l.split(' ')[0]!)
      .filter((n) => n.startsWith(this.tag));
  }

  /** nsfs and other mounts under this helper's folder that are still mounted. */
  mounts(): string[] {
    return readFileSync('/proc/self/mounts', 'utf8')
      .split('\n')
      .map((l) => l.split(' ')[1] ?? '')
      .filter((m) => m.startsWith(this.root));
  }

  /** Namespace `n` (1-based; 198.18.n.0/24) with its engine. */
  async add(n: number): Promise<NetnsEngine> {
    const name = `${this.tag}-${n}`;
    const hostVeth = `${this.tag}h${n}`;
    const nsVeth = `${this.tag}n${n}`;
    const hostAddress = `198.18.${n}.1`;
    const nsAddress = `198.18.${n}.2`;
    const dir = join(this.root, String(n));
    const socket = join(dir, 'docker.sock');
    const execRoot = join(dir, 'exec');

    sh('ip', ['netns', 'add', name]);
    this.undo.push({ what: `delete namespace ${name}`, fn: () => void sh('ip', ['netns', 'delete', name]) });
    sh('ip', ['link', 'add', hostVeth, 'type', 'veth', 'peer', 'name', nsVeth]);
    // Deleting one end deletes the pair; after the namespace is gone the pair is gone too.
    this.undo.push({ what: `delete veth ${hostVeth}`, fn: () => void (existsSync(`/sys/class/net/${hostVeth}`) && sh('ip', ['link', 'delete', hostVeth])) });
    sh('ip', ['link', 'set', nsVeth, 'netns', name]);
    sh('ip', ['addr', 'add', `${hostAddress}/24`, 'dev', hostVeth]);
    sh('ip', ['link', 'set', hostVeth, 'up']);
    const inNs = (...args: string[]) => sh('ip', ['-n', name, ...args]);
    inNs('addr', 'add', `${nsAddress}/24`, 'dev', nsVeth);
    inNs('link', 'set', nsVeth, 'up');
    inNs('link', 'set', 'lo', 'up');
    // The host answers for all its addresses on any link, so one route lets a namespace reach every
    // host-side address (and the coordinator on any of them) without forwarding.
    inNs('route', 'add', '198.18.0.0/15', 'via', hostAddress);

    mkdirSync(dir, { recursive: true });
    this.undo.push({ what: `remove ${dir}`, fn: () => rmSync(dir, { recursive: true, force: true }) });
    const dockerd = spawn(
      'nsenter',
      [
        `--net=/var/run/netns/${name}`,
        'dockerd',
        `--data-root=${join(dir, 'data')}`,
        `--exec-root=${execRoot}`,
        `--pidfile=${join(dir, 'docker.pid')}`,
        '-H',
        `unix://${socket}`,
        '-H',
        `tcp://${nsAddress}:${NETNS_ENGINE_PORT}`,
        '--bridge=none',
        '--iptables=false',
        '--ip6tables=false',
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let log = '';
    dockerd.stderr!.setEncoding('utf8').on('data', (c: string) => (log = (log + c).slice(-4000)));
    const exited = new Promise<void>((resolve) => dockerd.once('exit', () => resolve()));
    this.undo.push({ what: `stop dockerd in ${name}`, fn: () => stopDockerd(dockerd, exited, execRoot) });

    const deadline = Date.now() + ENGINE_START_TIMEOUT_MS;
    for (;;) {
      if (dockerd.exitCode !== null) throw new Error(`dockerd in ${name} exited: ${log.slice(-1500)}`);
      try {
        sh('docker', ['-H', `unix://${socket}`, 'info', '--format', '{{.ServerVersion}}']);
        break;
      } catch {
        if (Date.now() > deadline) throw new Error(`dockerd in ${name} did not answer within ${ENGINE_START_TIMEOUT_MS / 1000} s: ${log.slice(-1500)}`);
        await new Promise((r) => setTimeout(r, 300));
      }
    }
    const engine: NetnsEngine = {
      name,
      hostAddress,
      nsAddress,
      socketUrl: `unix://${socket}`,
      tcpUrl: `tcp://${nsAddress}:${NETNS_ENGINE_PORT}`,
      containers: () =>
        sh('docker', ['-H', `unix://${socket}`, 'ps', '-a', '--format', '{{.Names}}'])
          .split('\n')
          .filter(Boolean),
    };
    this.engines.push(engine);
    return engine;
  }

  /** Undoes everything, last step first, each step whatever the others did; returns what could not be undone. */
  async remove(): Promise<string[]> {
    const errors: string[] = [];
    while (this.undo.length) {
      const step = this.undo.pop()!;
      try {
        await step.fn();
      } catch (error) {
        errors.push(`${step.what}: ${(error as Error).message.split('\n')[0]}`);
      }
    }
    try {
      rmSync(this.root, { recursive: true, force: true });
    } catch (error) {
      errors.push(`remove ${this.root}: ${(error as Error).message}`);
    }
    return errors;
  }
}

async function stopDockerd(dockerd: ChildProcess, exited: Promise<void>, execRoot: string): Promise<void> {
  if (dockerd.exitCode === null && dockerd.signalCode === null) {
    dockerd.kill('SIGTERM');
    const stopped = await Promise.race([exited.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), ENGINE_STOP_TIMEOUT_MS))]);
    if (!stopped) {
      dockerd.kill('SIGKILL');
      await exited;
    }
  }
  // dockerd keeps an nsfs mount of the namespace it runs in, which would make the folder unremovable.
  const nsMount = join(execRoot, 'netns', 'default');
  if (existsSync(nsMount) && isMountpoint(nsMount)) sh('umount', [nsMount]);
}

function isMountpoint(path: string): boolean {
  try {
    execFileSync('mountpoint', ['-q', path]);
    return true;
  } catch {
    return false;
  }
}
