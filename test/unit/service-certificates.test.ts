import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { makeServiceCertificates } from '../../src/runtime/tls/certificates.js';
import { withTlsPaths } from '../../src/runtime/tls/service-tls.js';
import { CONTAINER_TLS_PATHS } from '../../src/runtime/docker/tls-files.js';
import { referenceSpec } from '../fixtures/reference-spec.js';

describe("a run's service certificate (openssl)", () => {
  it('is a leaf for 127.0.0.1 and localhost signed by a CA whose key is gone, in a private folder that remove() deletes', async () => {
    const certificates = await makeServiceCertificates();
    try {
      expect(readdirSync(certificates.dir).sort()).toEqual(['ca.pem', 'cert.pem', 'key.pem']);
      expect(statSync(certificates.dir).mode & 0o777).toBe(0o700);
      expect(statSync(certificates.keyPath).mode & 0o077).toBe(0);
      const ca = new X509Certificate(certificates.caPem);
      const leaf = new X509Certificate(readFileSync(certificates.certPath));
      expect(ca.ca).toBe(true);
      expect(leaf.ca).toBe(false);
      expect(leaf.verify(ca.publicKey)).toBe(true);
      expect(leaf.checkIP('127.0.0.1')).toBe('127.0.0.1');
      expect(leaf.checkHost('localhost')).toBe('localhost');
      expect(leaf.keyUsage).toContain('1.3.6.1.5.5.7.3.1'); // serverAuth
    } finally {
      await certificates.remove();
    }
    expect(existsSync(certificates.dir)).toBe(false);
  });

  it("removes the folders of runs whose process is gone (killed with -9), never a live run's", async () => {
    const deadPid = spawnSync('true').pid!;
    const orphan = join(tmpdir(), `hopscope-tls-${deadPid}-orphan`);
    const live = join(tmpdir(), `hopscope-tls-${process.pid}-live`);
    mkdirSync(orphan, { recursive: true });
    mkdirSync(live, { recursive: true });
    try {
      const certificates = await makeServiceCertificates();
      await certificates.remove();
      expect(existsSync(orphan)).toBe(false);
      expect(existsSync(live)).toBe(true);
    } finally {
      rmSync(orphan, { recursive: true, force: true });
      rmSync(live, { recursive: true, force: true });
    }
  });

  it('fills {{tls.*}} with the paths the service sees, in args and env', () => {
    const spec = { ...referenceSpec('fastjson-api', 'edge', 9443, ['--tls-cert', '{{tls.cert}}', '--tls-key', '{{ tls.key }}'], { CA: '{{tls.ca}}' }), tls: true };
    const filled = withTlsPaths(spec, CONTAINER_TLS_PATHS);
    expect(filled.args).toEqual(['--port', '9443', '--tls-cert', '/hopscope-tls/cert.pem', '--tls-key', '/hopscope-tls/key.pem']);
    expect(filled.env).toEqual({ CA: '/hopscope-tls/ca.pem' });
  });
});
