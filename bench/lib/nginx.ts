/**
 * A throw-away nginx (the Debian package's /usr/sbin/nginx) answering one fixed body from memory: the
 * reference a bench compares a service against. Its own prefix, config, pid and logs live in a temp folder
 * that `stop()` removes; it runs in the foreground (`daemon off`) as a child of the bench.
 */

import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Cleanup } from './cleanup.js';
import { runOk, startService, type Service } from './proc.js';

export const NGINX_BIN = '/usr/sbin/nginx';

/** The fixed body the engine benches have nginx answer: small, so that they measure the generators. */
export const SMALL_JSON_BODY = '{"status":"ok","service":"reference","items":[1,2,3],"price_cents":1999}';

export interface NginxOptions {
  port: number;
  /** Further addresses it listens on at the same port (e.g. the host's side of a test's veth pair); it is checked on 127.0.0.1. */
  alsoOn?: string[];
  /** The body of every answer (status 200); must not contain `$` (nginx variables). */
  body: string;
  contentType?: string;
  /** worker_processes; default 1. */
  workers?: number;
  /** keepalive_requests; default 10,000,000 (so wrk's connections are never closed during a run). */
  keepaliveRequests?: number;
  /** A Server-Timing header on every answer. */
  serverTiming?: string;
  /** Also serve the same answer over TLS (and h2 by ALPN) on this port; `clientCa` requires a client certificate. */
  tls?: { port: number; cert: string; key: string; clientCa?: string };
  cleanup: Cleanup;
}

export interface Nginx extends Service {
  /** The generated nginx.conf, for the record. */
  config: string;
  version: string;
}

/** The config `startNginx` writes: one server on 127.0.0.1:port, `access_log off`, `return 200 BODY` for every path. */
export function nginxConfig(dir: string, opts: Omit<NginxOptions, 'cleanup'>): string {
  if (opts.body.includes('$')) throw new Error('nginx body must not contain "$"');
  const quoted = `'${opts.body.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  return `worker_processes ${opts.workers ?? 1};
daemon off;
master_process on;
pid ${join(dir, 'nginx.pid')};
error_log ${join(dir, 'error.log')} warn;
events {
  worker_connections 4096;
}
http {
  access_log off;
  keepalive_requests ${opts.keepaliveRequests ?? 10_000_000};
  keepalive_timeout 75s;
  client_body_temp_path ${join(dir, 'body')};
  server {
    listen 127.0.0.1:${opts.port};
${(opts.alsoOn ?? []).map((host) => `    listen ${host}:${opts.port};\n`).join('')}${tlsLines(opts.tls)}    location / {
      default_type ${opts.contentType ?? 'application/json'};
${opts.serverTiming ? `      add_header Server-Timing "${opts.serverTiming}" always;\n` : ''}      return 200 ${quoted};
    }
  }
}
`;
}

function tlsLines(tls: NginxOptions['tls']): string {
  if (!tls) return '';
  const lines = [
    // nginx 1.22 (Debian 12): http2 is a listen parameter ("http2 on;" came with 1.25).
    `listen 127.0.0.1:${tls.port} ssl http2;`,
    `ssl_certificate ${tls.cert};`,
    `ssl_certificate_key ${tls.key};`,
    'ssl_session_cache shared:hopscope:1m;',
    ...(tls.clientCa ? [`ssl_client_certificate ${tls.clientCa};`, 'ssl_verify_client on;'] : []),
  ];
  return lines.map((l) => `    ${l}\n`).join('');
}

/** Checks the config (`nginx -t`), starts nginx, waits for a 200 on `/`, registers its stop (and the temp folder's removal). */
export async function startNginx(opts: NginxOptions): Promise<Nginx> {
  const dir = mkdtempSync(join(tmpdir(), 'hopscope-bench-nginx-'));
  const removeDir = opts.cleanup.add(`nginx temp folder ${dir}`, () => rmSync(dir, { recursive: true, force: true }));
  // Workers run as an unprivileged user when nginx starts as root; they must be able to enter the folder.
  chmodSync(dir, 0o755);
  const config = nginxConfig(dir, opts);
  const confPath = join(dir, 'nginx.conf');
  writeFileSync(confPath, config);
  const args = ['-p', dir, '-c', confPath];
  await runOk(NGINX_BIN, ['-t', ...args], { timeoutMs: 10_000 });
  const version = (await runOk(NGINX_BIN, ['-v'], { timeoutMs: 10_000 })).stderr.trim().replace(/^nginx version:\s*/, '');
  const service = await startService({ name: 'nginx', bin: NGINX_BIN, args, port: opts.port, readyPath: '/', cleanup: opts.cleanup });
  return {
    ...service,
    config,
    version,
    stop: async () => {
      await service.stop();
      rmSync(dir, { recursive: true, force: true });
      removeDir();
    },
  };
}

/** nginx's master and workers (a stopped master alone would not stop the answers), e.g. to SIGSTOP them all. */
export function nginxPids(nginx: Nginx): number[] {
  const children = readFileSync(`/proc/${nginx.pid}/task/${nginx.pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  return [nginx.pid, ...children];
}
