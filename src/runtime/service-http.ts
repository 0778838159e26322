/**
 * hopscope's own small requests to a service it started (readiness, /metrics, GC reports, fault controls),
 * over http:// or, for a `tls: true` service, https:// trusting the run's CA. node:http(s) rather than
 * fetch: global fetch cannot be told to trust one CA for one request.
 */

import { builtinModule } from '../import-module.js';

export interface ServiceAnswer {
  status: number;
  body: string;
}

export interface ServiceRequestOptions {
  method?: 'GET' | 'POST';
  timeoutMs: number;
  /** PEM of the CA to trust for an https:// URL (the run's, for a service hopscope made a certificate for). */
  ca?: string;
}

/** Rejects on a connection failure or the timeout; any status resolves. */
export function serviceRequest(url: string, options: ServiceRequestOptions): Promise<ServiceAnswer> {
  const target = new URL(url);
  const { request: send } = target.protocol === 'https:' ? builtinModule<typeof import('node:https')>('node:https') : builtinModule<typeof import('node:http')>('node:http');
  return new Promise((resolve, reject) => {
    const req = send(
      target,
      { method: options.method ?? 'GET', agent: false, signal: AbortSignal.timeout(options.timeoutMs), ...(options.ca ? { ca: options.ca } : {}) },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end();
  });
}
