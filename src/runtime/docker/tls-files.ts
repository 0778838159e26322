/**
 * The run's certificate files, copied into a `tls: true` service's container before it starts (the archive
 * API, so it works with any engine, local or not, and leaves no bind mount of a host folder). Inside, they
 * are readable by whatever user the image runs as: the container's filesystem is its own.
 */

import { readFile } from 'node:fs/promises';
import { pack } from 'tar-stream';
import type { ServiceCertificates } from '../tls/certificates.js';
import type { TlsPaths } from '../tls/service-tls.js';

const DIR = 'hopscope-tls';

export const CONTAINER_TLS_PATHS: TlsPaths = { cert: `/${DIR}/cert.pem`, key: `/${DIR}/key.pem`, ca: `/${DIR}/ca.pem` };

/** A tar to unpack at "/": the folder, then the three files. */
export async function tlsArchive(certificates: ServiceCertificates): Promise<NodeJS.ReadableStream> {
  const tar = pack();
  tar.entry({ name: `${DIR}/`, type: 'directory', mode: 0o755 });
  const files: [string, string][] = [['cert.pem', certificates.certPath], ['key.pem', certificates.keyPath], ['ca.pem', certificates.caPath]];
  for (const [name, path] of files) tar.entry({ name: `${DIR}/${name}`, mode: 0o644 }, await readFile(path));
  tar.finalize();
  // tar-stream's typings declare an async iterator that @types/node 20's ReadableStream does not accept.
  return tar as unknown as NodeJS.ReadableStream;
}
