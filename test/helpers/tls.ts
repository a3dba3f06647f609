/**
 * Real TLS on loopback for the tests: a self-signed certificate for
 * 127.0.0.1/localhost made by the openssl tool, and a way to force TLS 1.2 or 1.3.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TestCert {
  key: string;
  cert: string;
  keyPath: string;
  certPath: string;
  cleanup(): void;
}

/** `rsa`: an RSA-2048 certificate, with which TLS 1.2 can also use static-RSA and DHE key exchange (the default is P-256). */
export function makeTestCert(keyType: 'ec' | 'rsa' = 'ec'): TestCert {
  const dir = mkdtempSync(join(tmpdir(), 'cryptosign-keys-tls-'));
  const keyPath = join(dir, 'key.pem');
  const certPath = join(dir, 'cert.pem');
  const newKey = keyType === 'rsa' ? ['-newkey', 'rsa:2048'] : ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1'];
  execFileSync('openssl', [
    'req', '-x509', ...newKey, '-nodes', '-days', '2',
    '-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost',
    '-keyout', keyPath, '-out', certPath,
  ], { stdio: 'ignore' });
  return {
    key: readFileSync(keyPath, 'utf8'),
    cert: readFileSync(certPath, 'utf8'),
    keyPath,
    certPath,
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

export type TlsVersion = 'TLSv1.2' | 'TLSv1.3';
export const TLS_VERSIONS: TlsVersion[] = ['TLSv1.2', 'TLSv1.3'];
export const forceVersion = (v: TlsVersion) => ({ minVersion: v, maxVersion: v });
