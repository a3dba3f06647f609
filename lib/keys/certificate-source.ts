/**
 * Where a key's OpenSSH certificate is found, as OpenSSH looks: an
 * ssh-agent identity that is a certificate for the selected key (`ssh-add`
 * adds `id_ed25519-cert.pub` together with the key), `<keyfile>-cert.pub`
 * beside a key file, or a file given explicitly. Every candidate is parsed
 * and its CA signature verified by this package; only user certificates for
 * exactly this key are returned. Whether the router trusts the CA is the
 * router's decision, not checked here.
 */
import { quoted } from '../escape.js';
import { CertificateError, KeyFileError } from '../errors.js';
import { toHex } from '../crypto/hex.js';
import { AgentClient } from '../agent/client.js';
import { readBoundedFile } from '../read-file.js';
import { certificateOfBlob, certificateTime, parseCertificateLine, type SshCertificate } from '../ssh/certificate.js';
import type { AgentKeyOptions } from './agent-key.js';

/** A `-cert.pub` file is one line; anything larger is not one. */
const MAX_CERT_FILE_BYTES = 64 * 1024;

/** Reads an OpenSSH certificate file (`…-cert.pub`). Throws KeyFileError (missing, unreadable) or CertificateError. */
export function readCertificateFile(path: string): SshCertificate {
  const text = readBoundedFile(path, 'certificate file', { maxBytes: MAX_CERT_FILE_BYTES }).toString('utf8');
  const line = text.split('\n').find((l) => l.trim() !== '' && !l.trim().startsWith('#'));
  if (line === undefined) throw new CertificateError('CERT_FORMAT', `certificate file ${path} holds no certificate`);
  return parseCertificateLine(line).certificate;
}

const forKey = (cert: SshCertificate, publicKey: Uint8Array) =>
  cert.certType === 'user' && cert.ed25519 !== undefined && toHex(cert.ed25519) === toHex(publicKey);

/** `<keyPath>-cert.pub` when it exists and certifies `publicKey`; undefined when there is none. */
export function certificateBesideKeyFile(keyPath: string, publicKey: Uint8Array): SshCertificate | undefined {
  let cert: SshCertificate;
  try {
    cert = readCertificateFile(`${keyPath}-cert.pub`);
  } catch (e) {
    if (e instanceof KeyFileError && e.code === 'KEY_FILE_NOT_FOUND') return undefined;
    throw e;
  }
  if (!forKey(cert, publicKey)) throw new CertificateError('CERT_KEY_MISMATCH', `${keyPath}-cert.pub is not a user certificate for the key in ${keyPath}`);
  return cert;
}

/** The agent's certificate identities for `publicKey` (user certificates whose CA signature verifies), in the agent's order. */
export async function agentCertificates(publicKey: Uint8Array, options: AgentKeyOptions = {}): Promise<Array<{ certificate: SshCertificate; comment: string }>> {
  const client = options.client ?? new AgentClient(options);
  try {
    const out: Array<{ certificate: SshCertificate; comment: string }> = [];
    for (const id of await client.listIdentities()) {
      // a plain key, or a certificate this package cannot verify, is not offered
      const cert = certificateOfBlob(id.blob);
      if (cert && forKey(cert, publicKey)) out.push({ certificate: cert, comment: id.comment });
    }
    return out;
  } finally {
    if (!options.client) await client.close();
  }
}

/** Of several certificates, the one to present now: valid at `now`, the longest-lived first. */
export function chooseCertificate(certs: readonly SshCertificate[], now = new Date()): SshCertificate | undefined {
  const t = BigInt(Math.floor(now.getTime() / 1000));
  const valid = certs.filter((c) => c.validAfter <= t && t < c.validBefore);
  valid.sort((a, b) => (a.validBefore === b.validBefore ? 0 : a.validBefore > b.validBefore ? -1 : 1));
  return valid[0];
}

/** One line about a certificate identity, for listings: key id, serial, principals, validity. */
export function certificateSummary(cert: SshCertificate): string {
  const principals = cert.principals.length === 0 ? '(no principals)' : cert.principals.map((p) => quoted(p)).join(',');
  return `${cert.certType} certificate id ${quoted(cert.keyId)} serial ${cert.serial} for ${principals} valid ${certificateTime(cert.validAfter)} to ${certificateTime(cert.validBefore)} CA ${cert.caKey.fingerprint}`;
}
