/** For integration tests that drive the built CLI against servers they start: child servers, ports, wrk; the CLI runner is cli-helpers'. */

import { spawn, type ChildProcess } from 'node:child_process';
import { connect } from 'node:net';
import { hopscope, run } from './cli-helpers.js';

export { ROOT, outDir, summaryOf } from './cli-helpers.js';

export type CliResult = Awaited<ReturnType<typeof hopscope>>;

/** The built CLI with a shorter bound than the services' end-to-end tests need. */
export function hopscopeCli(args: string[], timeoutMs = 60_000): Promise<CliResult> {
  return hopscope(args, timeoutMs);
}

/** Resolves once something accepts TCP connections on host:port, or rejects after timeoutMs. */
export async function waitForPort(port: number, host = '127.0.0.1', timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const up = await new Promise<boolean>((done) => {
      const socket = connect(port, host, () => {
        socket.destroy();
        done(true);
      });
      socket.on('error', () => done(false));
    });
    if (up) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`nothing listens on ${host}:${port} after ${timeoutMs} ms`);
}

/** A child server, killed (and awaited) by stop(). */
export class ChildServer {
  readonly exited: Promise<void>;
  constructor(readonly child: ChildProcess) {
    this.exited = new Promise((r) => child.once('exit', () => r()));
  }

  static start(command: string, args: string[], options: { cwd?: string } = {}): ChildServer {
    // stderr ignored: a server logging each request there (python's http.server) would block once a pipe
    // nobody reads filled up, and its requests would time out.
    return new ChildServer(spawn(command, args, { stdio: ['ignore', 'pipe', 'ignore'], ...options }));
  }

  /** The first line the child prints on stdout (a server announcing its address); later output is drained. */
  firstLine(timeoutMs = 10_000): Promise<string> {
    return new Promise((resolveLine, reject) => {
      let text = '';
      const timer = setTimeout(() => reject(new Error(`no output from ${this.child.spawnfile} within ${timeoutMs} ms`)), timeoutMs);
      this.child.stdout!.on('data', (chunk: Buffer) => {
        text += chunk.toString();
        const nl = text.indexOf('\n');
        if (nl >= 0) {
          clearTimeout(timer);
          resolveLine(text.slice(0, nl).trim());
        }
      });
    });
  }

  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGTERM');
    await this.exited;
  }
}

/** wrk's request count for a closed loop of `connections` for `durationS` on one thread. */
export async function wrkRequests(url: string, connections: number, durationS: number): Promise<number> {
  const { stdout } = await run('wrk', ['-t1', `-c${connections}`, `-d${durationS}s`, url], { timeout: (durationS + 30) * 1000 });
  const match = /(\d+) requests in/.exec(stdout);
  if (!match) throw new Error(`unexpected wrk output: ${stdout}`);
  return Number(match[1]);
}
