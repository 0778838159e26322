/**
 * Which TLS failures are the configuration's (a certificate the client refuses, a handshake the server
 * refuses), as opposed to a connection that merely broke: the former end the run with a clear error, since
 * every further connection would fail the same way; the latter are connection errors like any other.
 */

/** OpenSSL's verification results as node:tls reports them in error.code, plus Node's own name check. */
const CERTIFICATE_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_REVOKED',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'CERT_SIGNATURE_FAILURE',
  'INVALID_CA',
  'INVALID_PURPOSE',
  'HOSTNAME_MISMATCH',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

export function isTlsConfigFailure(error: NodeJS.ErrnoException): boolean {
  const code = error.code ?? '';
  // ERR_SSL_*: an alert from the server (no shared protocol or cipher, a client certificate required or refused).
  return CERTIFICATE_CODES.has(code) || code.startsWith('ERR_SSL_');
}

/** "TLS with 127.0.0.1:8443 failed: certificate rejected: self-signed certificate (DEPTH_ZERO_SELF_SIGNED_CERT)" */
export function describeTlsFailure(host: string, port: number, error: NodeJS.ErrnoException): string {
  const what = CERTIFICATE_CODES.has(error.code ?? '') ? `the certificate of ${host} was rejected` : `the TLS handshake with ${host} failed`;
  return `TLS to ${host}:${port}: ${what}: ${error.message}${error.code ? ` (${error.code})` : ''}`;
}
