import { isIP } from 'node:net';
import { UsageError } from '../errors.js';

/** A loopback host as it appears in a URL (brackets removed): 127.0.0.0/8, localhost or ::1. */
export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || (isIP(host) === 4 && host.startsWith('127.'));
}

/**
 * By default hopscope only ever sends load to this machine: 127.0.0.0/8, localhost or [::1]. Anything else
 * is refused unless the user opted in (`--allow-remote`, scenario `allowRemote: true`), so a typo in a URL
 * can never turn a load test into traffic towards someone else's host.
 */
export function assertTargetUrl(text: string, what: string, allowRemote: boolean): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(`${what}: "${text}" is not a URL; expected http://127.0.0.1:PORT/... or https://...`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UsageError(`${what}: only http:// and https:// are supported, got ${url.protocol}//`);
  }
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (!allowRemote && !isLoopbackHost(host)) {
    throw new UsageError(
      `${what}: ${host} is not a loopback address; hopscope sends load only to 127.0.0.0/8, localhost or [::1] unless you opt in with --allow-remote (scenario: allowRemote: true)`,
      'load only hosts you own or are allowed to test',
    );
  }
  return url;
}
