import { isIP } from 'node:net';
import { UsageError } from '../errors.js';

/**
 * hopscope only ever sends load to this machine: 127.0.0.0/8, localhost or [::1]. Anything else is refused,
 * so a typo in a URL can never turn a load test into traffic towards someone else's host.
 */
export function assertLoopbackUrl(text: string, what: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(`${what}: "${text}" is not a URL; expected http://127.0.0.1:PORT/...`);
  }
  if (url.protocol !== 'http:') {
    throw new UsageError(`${what}: only http:// is supported, got ${url.protocol}//`);
  }
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const loopback = host === 'localhost' || host === '::1' || (isIP(host) === 4 && host.startsWith('127.'));
  if (!loopback) {
    throw new UsageError(
      `${what}: ${host} is not a loopback address; hopscope sends load only to 127.0.0.0/8, localhost or [::1]`,
    );
  }
  return url;
}
