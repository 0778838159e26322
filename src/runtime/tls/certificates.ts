/**
 * A certificate authority and one server certificate made for one run, for the services a scenario marks
 * `tls: true`. node:crypto makes keys but cannot issue an X.509 certificate, so `openssl` does (EC P-256,
 * valid one day, about 0.2 s). The files live in a private temporary folder, never in the run folder, and
 * the CA's key is deleted as soon as the leaf is signed: nothing can be issued under that CA afterwards.
 * The folder is named after hopscope's pid: a run killed with -9 cannot remove its own, so the next run
 * that makes one removes those whose process is gone.
 */

import { join } from 'node:path';
import { promisify } from 'node:util';
import { InfraError } from '../../errors.js';
import { builtinModule } from '../../import-module.js';
import { ownedTempDir } from '../../temp-folder.js';

const OPENSSL_TIMEOUT_MS = 10_000;

/** The server certificate covers the names a loopback service is reached by. */
const LEAF_EXTENSIONS = [
  'subjectAltName=IP:127.0.0.1,DNS:localhost',
  'basicConstraints=critical,CA:FALSE',
  'keyUsage=critical,digitalSignature',
  'extendedKeyUsage=serverAuth',
].join('\n');

export interface ServiceCertificates {
  /** The private folder (0700) holding cert.pem, key.pem (0600) and ca.pem. */
  readonly dir: string;
  readonly certPath: string;
  readonly keyPath: string;
  readonly caPath: string;
  /** PEM of the CA the certificate chains to: what hopscope's clients trust for these services. */
  readonly caPem: string;
  /** Deletes the folder and every key in it; idempotent. */
  remove(): Promise<void>;
}

export async function makeServiceCertificates(): Promise<ServiceCertificates> {
  const { randomBytes } = builtinModule<typeof import('node:crypto')>('node:crypto');
  const { readFile, rm, writeFile } = builtinModule<typeof import('node:fs/promises')>('node:fs/promises');
  const dir = ownedTempDir('hopscope-tls-');
  const file = (name: string) => join(dir, name);
  const remove = () => rm(dir, { recursive: true, force: true });
  try {
    const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
    await openssl(['req', '-x509', ...ec, '-days', '1', '-subj', '/CN=hopscope run CA', '-keyout', file('ca.key'), '-out', file('ca.pem'),
      '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign']);
    await openssl(['req', '-new', ...ec, '-subj', '/CN=localhost', '-keyout', file('key.pem'), '-out', file('leaf.csr')]);
    await writeFile(file('leaf.ext'), LEAF_EXTENSIONS);
    await openssl(['x509', '-req', '-in', file('leaf.csr'), '-CA', file('ca.pem'), '-CAkey', file('ca.key'),
      '-set_serial', `0x${randomBytes(8).toString('hex')}`, '-days', '1', '-extfile', file('leaf.ext'), '-out', file('cert.pem')]);
    await Promise.all(['ca.key', 'leaf.csr', 'leaf.ext'].map((name) => rm(file(name))));
    return { dir, certPath: file('cert.pem'), keyPath: file('key.pem'), caPath: file('ca.pem'), caPem: await readFile(file('ca.pem'), 'utf8'), remove };
  } catch (error) {
    await remove();
    throw error;
  }
}

async function openssl(args: string[]): Promise<void> {
  const run = promisify(builtinModule<typeof import('node:child_process')>('node:child_process').execFile);
  try {
    // mkdtemp made the folder 0700; the keys openssl writes are 0600 as well.
    await run('openssl', args, { timeout: OPENSSL_TIMEOUT_MS });
  } catch (error) {
    const e = error as NodeJS.ErrnoException & { stderr?: string };
    if (e.code === 'ENOENT') {
      throw new InfraError('a service is marked tls: true, and making its certificate needs `openssl`, which is not on PATH', 'install it (Debian/Ubuntu: apt-get install openssl)');
    }
    throw new InfraError(`making the run's TLS certificate failed: openssl ${args[0]}: ${(e.stderr ?? e.message).trim().split('\n').slice(-3).join('; ')}`);
  }
}
