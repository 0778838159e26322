/**
 * Where a target's connections go: an address literal as it is, a name resolved to all its addresses (IPv4
 * and IPv6, as the resolver orders them) so that connections spread over them as a pool of clients would.
 * The loopback guard is checked again on the result: a name that resolves beyond loopback is refused
 * unless the user opted in, whatever the name looked like.
 */

import { isIP } from 'node:net';
import { InfraError, UsageError } from '../errors.js';
import { builtinModule } from '../import-module.js';
import { isLoopbackHost } from '../scenario/loopback.js';

export async function resolveAddresses(host: string, allowRemote: boolean): Promise<string[]> {
  let addresses: string[];
  if (isIP(host)) addresses = [host];
  else {
    try {
      const { lookup } = builtinModule<typeof import('node:dns/promises')>('node:dns/promises');
      addresses = [...new Set((await lookup(host, { all: true, verbatim: true })).map((a) => a.address))];
    } catch (error) {
      throw new InfraError(`cannot resolve ${host}: ${(error as NodeJS.ErrnoException).code ?? error}`);
    }
  }
  const remote = addresses.filter((a) => !isLoopbackHost(a));
  if (!allowRemote && remote.length > 0) {
    throw new UsageError(`${host} resolves to ${remote.join(', ')}, beyond loopback; opt in with --allow-remote (scenario: allowRemote: true) to load it`);
  }
  return addresses;
}

/** host:port as the Host header (and a URL) write it: an IPv6 literal in brackets. */
export function authorityOf(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}
