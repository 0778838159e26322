/**
 * A one-node swarm for a test file: made when the engine is not in one, and undone afterwards, with the
 * docker_gwbridge network that `swarm init` creates and `swarm leave` keeps (a test leaves no network).
 */

import { execFileSync } from 'node:child_process';

const BRIDGE = 'docker_gwbridge';

/** A docker CLI call's trimmed output; throws on a non-zero exit. */
export const docker = (...args: string[]) => execFileSync('docker', args, { encoding: 'utf8' }).trim();

/** Joins (or makes) a swarm; the function returned undoes what this did, and nothing else. */
export function joinSwarm(): () => void {
  if (docker('info', '--format', '{{.Swarm.LocalNodeState}}') === 'active') return () => undefined;
  const hadBridge = docker('network', 'ls', '--format', '{{.Name}}').split('\n').includes(BRIDGE);
  docker('swarm', 'init', '--advertise-addr', '127.0.0.1');
  return () => {
    docker('swarm', 'leave', '--force');
    if (!hadBridge) docker('network', 'rm', BRIDGE);
  };
}
