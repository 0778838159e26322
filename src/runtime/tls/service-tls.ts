/**
 * What a `tls: true` service needs from the runtime: the run's certificate files named in its args, env and
 * command (`{{tls.cert}}`, `{{tls.key}}`, `{{tls.ca}}`), and the CA that hopscope's own clients trust for it.
 */

import { InfraError } from '../../errors.js';
import { TLS_TEMPLATE, type ServiceSpec, type TlsFile } from '../../scenario/service-spec.js';
import type { UpOptions } from '../types.js';
import type { ServiceCertificates } from './certificates.js';

/** Where the run's files are as the service sees them: host paths for a process, paths inside a container. */
export type TlsPaths = Record<TlsFile, string>;

export function hostPaths(certificates: ServiceCertificates): TlsPaths {
  return { cert: certificates.certPath, key: certificates.keyPath, ca: certificates.caPath };
}

/** The run's certificates for a TLS spec (undefined without TLS); up() without them is a caller's mistake. */
export function certificatesFor(spec: ServiceSpec, options: UpOptions): ServiceCertificates | undefined {
  if (!spec.tls) return undefined;
  if (options.certificates === undefined) {
    throw new InfraError(`service "${spec.name}" serves TLS, but no certificate was made for the run`, 'pass certificates from makeServiceCertificates() to Runtime.up');
  }
  return options.certificates;
}

export function fillTlsPaths(value: string, paths: TlsPaths): string {
  return value.replace(TLS_TEMPLATE, (_, file: TlsFile) => paths[file]);
}

/** The spec with its TLS templates filled; a spec without TLS has none (the scenario checks it). */
export function withTlsPaths(spec: ServiceSpec, paths: TlsPaths): ServiceSpec {
  const fill = (value: string) => fillTlsPaths(value, paths);
  const source = spec.source;
  return {
    ...spec,
    args: spec.args.map(fill),
    env: Object.fromEntries(Object.entries(spec.env).map(([k, v]) => [k, fill(v)])),
    source: source.type === 'own' && source.command ? { ...source, command: { ...source.command, argv: source.command.argv.map(fill) } } : source,
  };
}
