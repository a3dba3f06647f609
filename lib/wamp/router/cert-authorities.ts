/**
 * Router side, client certificates: authorized_keys `cert-authority` lines
 * trust a CA for OpenSSH user certificates, with sshd's semantics
 * (auth2-pubkeyfile.c): the certificate must be signed by the line's key,
 * `principals="a,b"` restricts which certificate principals are accepted,
 * and the line's own options (`from=`, `expiry-time`, `wamp-role`,
 * `wamp-realm`) apply as for a listed key; then the certificate's own checks
 * (ssh/certificate.ts: type user, validity, CA signature algorithm, critical
 * options, source-address, Ed25519) and revocation (key or CA, ssh/krl.ts).
 *
 * The WAMP authid is a certificate principal: the HELLO authid must be one of
 * them (and in the line's `principals=` when there is one). Without an
 * authid, the certificate must leave exactly one acceptable principal, which
 * becomes the authid; several are AUTH_KEY_AMBIGUOUS, as for a key listed
 * under several names. sshd accepts a certificate without principals for any
 * user when the line has no `principals=`; here such a certificate names no
 * authid and is refused.
 *
 * The certificate travels in HELLO `authextra.certificate` as base64 of the
 * certificate blob (what `…-cert.pub` holds after the type); `authextra.pubkey`
 * stays and must be the certified key.
 */
import { quoted } from '../../escape.js';
import { AuthError, CertificateError } from '../../errors.js';
import { toHex } from '../../crypto/hex.js';
import { certificateFromBase64, checkCertificate, type SshCertificate } from '../../ssh/certificate.js';
import type { RevokedKeys } from '../../ssh/krl.js';
import { ed25519Blob, fingerprintOfBlob } from '../../ssh/public-key.js';
import type { AuthorizedKeyLine } from '../../ssh/authorized-keys.js';
import { plainKeyRefusal, type KeyOptions } from '../../ssh/key-options.js';
import { setLineOptions, type AuthorizedKeys, type Principal } from './principals.js';

/** A `cert-authority` line of authorized_keys, as sshd read it (AuthorizedKeys.certAuthorities). */
export type CertAuthority = AuthorizedKeyLine;

/** The CA key blob of a cert-authority line (hex lines hold an Ed25519 key). */
function caBlob(line: AuthorizedKeyLine): Uint8Array | undefined {
  return line.blob ?? line.key?.blob ?? (line.rawEd25519 ? ed25519Blob(line.rawEd25519) : undefined);
}

/**
 * The line's own options for this login: the WAMP realm, then sshd's
 * (expiry-time, from=) exactly as for a plain key — plainKeyRefusal with the
 * cert-authority and principals= parts set aside, since they are the point
 * of this line.
 */
function caLineRefusal(ca: AuthorizedKeyLine, name: string, asked: CertificateLoginRequest): AuthError | undefined {
  const realm = ca.options.extra['wamp-realm'];
  if (realm !== undefined && (typeof asked.realm !== 'string' || asked.realm !== realm)) {
    return new AuthError('AUTH_REALM_MISMATCH', `"${name}" (cert-authority line ${ca.line}) may join realm "${realm}", not ${typeof asked.realm === 'string' ? `"${asked.realm}"` : 'a login without a realm'}`);
  }
  const r = plainKeyRefusal({ ...ca.options, certAuthority: false, principals: undefined } as KeyOptions, { address: asked.peerAddress, now: asked.now ?? new Date() });
  if (!r) return undefined;
  const code = r.code === 'expired' ? 'AUTH_KEY_EXPIRED' : r.code === 'from' ? 'AUTH_ADDRESS_REFUSED' : 'CERT_CA_UNTRUSTED';
  return new AuthError(code, `the cert-authority line ${ca.line} for "${name}": ${r.reason}`);
}

/** HELLO authextra.certificate → a parsed, signature-checked certificate, or AuthError (CERT_FORMAT, CERT_SIGNATURE_WRONG). */
export function decodeCertificateField(value: unknown, field = 'HELLO authextra.certificate'): SshCertificate {
  try {
    return certificateFromBase64(value, field);
  } catch (e) {
    if (e instanceof CertificateError) throw new AuthError(e.code, e.message);
    throw e;
  }
}

/** What a certificate login presents: the certificate, HELLO's pubkey and authid, the realm, the peer address, the time and the revoked keys. */
export interface CertificateLoginRequest {
  certificate: SshCertificate;
  /** HELLO authextra.pubkey: must be the certified key */
  pubkey: unknown;
  authid?: unknown;
  realm?: unknown;
  peerAddress?: string | undefined;
  now?: Date;
  revoked?: RevokedKeys | undefined;
  caSignatureAlgorithms?: readonly string[] | undefined;
}

/**
 * The principal a certificate login stands for, or AuthError: CERT_KEY_MISMATCH,
 * CERT_CA_UNTRUSTED, CERT_* (the certificate's checks), KEY_REVOKED,
 * AUTH_KEY_AMBIGUOUS, AUTH_REALM_MISMATCH, AUTH_KEY_EXPIRED, AUTH_ADDRESS_REFUSED.
 * When several lines hold the CA, the first that accepts the login decides
 * (sshd's order); when none does, the first line's refusal is reported.
 */
export function certificatePrincipal(keys: AuthorizedKeys, asked: CertificateLoginRequest): Principal {
  const cert = asked.certificate;
  const id = `certificate ${quoted(cert.keyId)} (serial ${cert.serial}, CA ${cert.caKey.fingerprint})`;
  if (!cert.ed25519) throw new AuthError('CERT_KEY_NOT_ED25519', `${id} certifies a ${cert.keyType} key; cryptosign needs Ed25519`);
  if (typeof asked.pubkey !== 'string' || asked.pubkey.toLowerCase() !== toHex(cert.ed25519)) {
    throw new AuthError('CERT_KEY_MISMATCH', `${id} certifies another key than HELLO authextra.pubkey`);
  }
  const lines = keys.certAuthorities.filter((ca) => {
    const blob = caBlob(ca);
    return blob !== undefined && Buffer.from(blob).equals(Buffer.from(cert.caKey.blob));
  });
  if (lines.length === 0) throw new AuthError('CERT_CA_UNTRUSTED', `${id}: its CA is not a cert-authority of this router`);
  const revoked = asked.revoked?.revocationOf(cert);
  if (revoked !== undefined) throw new AuthError('KEY_REVOKED', `${id} is revoked (${revoked})`);
  const authid = typeof asked.authid === 'string' && asked.authid !== '' ? asked.authid : undefined;
  let first: AuthError | undefined;
  for (const ca of lines) {
    try {
      return principalFor(cert, ca, id, authid, asked);
    } catch (e) {
      if (!(e instanceof AuthError)) throw e;
      first ??= e;
    }
  }
  throw first as AuthError;
}

function principalFor(cert: SshCertificate, ca: AuthorizedKeyLine, id: string, authid: string | undefined, asked: CertificateLoginRequest): Principal {
  const allowed = ca.options.principals === undefined ? undefined : ca.options.principals.split(',');
  const acceptable = cert.principals.filter((p) => allowed === undefined || allowed.includes(p));
  let name: string;
  if (authid !== undefined) {
    if (!cert.principals.includes(authid)) throw new AuthError('CERT_PRINCIPAL_REFUSED', `${id} is not valid for authid ${quoted(authid)}`);
    if (!acceptable.includes(authid)) {
      throw new AuthError('CERT_PRINCIPAL_REFUSED', `${id}: authid ${quoted(authid)} is not in the principals= of line ${ca.line}`);
    }
    name = authid;
  } else {
    if (acceptable.length === 0) throw new AuthError('CERT_PRINCIPAL_REFUSED', `${id} has no principal line ${ca.line} accepts`);
    if (acceptable.length > 1) {
      throw new AuthError('AUTH_KEY_AMBIGUOUS', `${id} is valid for ${acceptable.length} principals line ${ca.line} accepts; the client must give an authid`);
    }
    name = acceptable[0] as string;
  }
  const r = checkCertificate(cert, {
    type: 'user',
    principal: name,
    ...(asked.peerAddress !== undefined ? { peerAddress: asked.peerAddress } : {}),
    ...(asked.now ? { now: asked.now } : {}),
    ...(asked.caSignatureAlgorithms ? { caSignatureAlgorithms: asked.caSignatureAlgorithms } : {}),
  });
  if (!r.ok) throw new AuthError(r.code, r.reason);
  const refused = caLineRefusal(ca, name, asked);
  if (refused) throw refused;
  const publicKey = cert.ed25519 as Uint8Array;
  const principal: Principal = {
    name,
    comment: ca.comment,
    publicKey,
    publicKeyHex: toHex(publicKey),
    fingerprint: fingerprintOfBlob(cert.key.blob),
    keyOptions: ca.options,
    line: ca.line,
    certificate: { keyId: cert.keyId, serial: cert.serial, ca: cert.caKey.fingerprint, principals: cert.principals, validBefore: cert.validBefore },
  };
  setLineOptions(principal, ca);
  return principal;
}
