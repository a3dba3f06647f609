/**
 * Keys, certificates and KRLs made by the real ssh-keygen in a temp dir, for
 * the certificate, KRL, known_hosts and login tests. Nothing here builds a
 * certificate by hand except `resign`, which exists to forge deliberately.
 */
import { spawnSync } from 'node:child_process';
import { sign } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadKeyFile } from '../../lib/keys/openssh-key-file.js';
import { keyObjectOf } from '../../lib/keys/signing-key.js';
import { WireReader, concatBytes, wireString } from '../../lib/ssh/wire.js';

export function sshKeygen(args: string[], cwd?: string): string {
  const r = spawnSync('ssh-keygen', args, { encoding: 'utf8', ...(cwd ? { cwd } : {}) });
  if (r.error) throw new Error(`cannot run ssh-keygen: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`ssh-keygen ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
  return r.stdout;
}

export type KeyKind = 'ed25519' | 'ecdsa256' | 'ecdsa384' | 'ecdsa521' | 'rsa';

/** Makes a key pair `dir/name` (+ .pub); returns the private key path. */
export function makeKey(dir: string, name: string, kind: KeyKind = 'ed25519'): string {
  const path = join(dir, name);
  const typeArgs =
    kind === 'ed25519' ? ['-t', 'ed25519'] : kind === 'rsa' ? ['-t', 'rsa', '-b', '2048'] : ['-t', 'ecdsa', '-b', kind.slice(5)];
  sshKeygen(['-q', ...typeArgs, '-N', '', '-C', `${name}@test`, '-f', path]);
  return path;
}

export interface SignOptions {
  id?: string;
  principals?: string[];
  host?: boolean;
  validity?: string;
  serial?: number | string;
  options?: string[];
  /** -t for the CA's signature: ssh-rsa, rsa-sha2-256, rsa-sha2-512 */
  sigAlg?: string;
}

/** `ssh-keygen -s ca …` on a copy of `keyPath.pub`; returns the certificate path (`<key>-cert.pub`). */
export function signKey(caPath: string, keyPath: string, o: SignOptions = {}): string {
  const args = ['-q', '-s', caPath, '-I', o.id ?? 'test-id'];
  if (o.principals) args.push('-n', o.principals.join(','));
  if (o.host) args.push('-h');
  if (o.validity) args.push('-V', o.validity);
  if (o.serial !== undefined) args.push('-z', String(o.serial));
  for (const opt of o.options ?? []) args.push('-O', opt);
  if (o.sigAlg) args.push('-t', o.sigAlg);
  args.push(`${keyPath}.pub`);
  sshKeygen(args);
  return `${keyPath}-cert.pub`;
}

export function certBlob(certPath: string): Uint8Array {
  const [, b64] = readFileSync(certPath, 'utf8').trim().split(/\s+/);
  return new Uint8Array(Buffer.from(b64 as string, 'base64'));
}

export function pubBlob(pubPath: string): Uint8Array {
  return certBlob(pubPath);
}

/** The byte offset where the signature string starts (after the CA key), and the CA key's offset. */
export function certLayout(blob: Uint8Array): { caKeyAt: number; signatureAt: number } {
  const r = new WireReader(blob);
  const type = new TextDecoder().decode(r.string());
  const fields = type.startsWith('ssh-ed25519') ? 1 : type.startsWith('ssh-rsa') ? 2 : 2;
  r.string(); // nonce
  for (let i = 0; i < fields; i++) r.string();
  r.uint64();
  r.uint32();
  r.string(); // key id
  r.string(); // principals
  r.uint64();
  r.uint64();
  r.string(); // critical
  r.string(); // extensions
  r.string(); // reserved
  const caKeyAt = blob.length - r.remaining;
  r.string();
  return { caKeyAt, signatureAt: blob.length - r.remaining };
}

/**
 * A deliberate forgery: the certificate's bytes before the CA key, with
 * `edit` applied, then a CA key and a fresh Ed25519 signature by the CA key
 * file `caPath` (an ssh-keygen Ed25519 key).
 */
export function resign(blob: Uint8Array, caPath: string, edit: (signedPrefix: Uint8Array) => Uint8Array = (b) => b): Uint8Array {
  const { caKeyAt } = certLayout(blob);
  return signCertificateBytes(edit(blob.subarray(0, caKeyAt)), caPath);
}

/** Appends the CA key of `caPath` (Ed25519) and its signature to certificate bytes up to the reserved field. */
export function signCertificateBytes(prefix: Uint8Array, caPath: string): Uint8Array {
  const key = keyObjectOf(loadKeyFile(caPath));
  if (!key) throw new Error('no key object');
  const caBlob = pubBlob(`${caPath}.pub`);
  const signed = concatBytes(prefix, wireString(caBlob));
  const sig = sign(null, signed, key);
  return concatBytes(signed, wireString(concatBytes(wireString('ssh-ed25519'), wireString(sig))));
}
