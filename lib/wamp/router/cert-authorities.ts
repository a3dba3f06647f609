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
import { AuthError, CertificateError } from '../../errors.js';
import { toHex } from '../../crypto/hex.js';
import { certificateFromBase64, checkCertificate, quoteForLog, type SshCertificate } from '../../ssh/certificate.js';
import type { RevokedKeys } from '../../ssh/krl.js';
import { ed25519Blob, fingerprintOfBlob, parsePublicKeyBlob, type PublicKeyInfo } from '../../ssh/public-key.js';
import { optionValue, type AuthorizedKeyLine, type KeyOption } from '../../ssh/authorized-keys.js';
import { lineRefusal, parseExpiryTime, type AuthorizedKeys, type Principal } from './principals.js';

/** A `cert-authority` line of authorized_keys. */
export interface CertAuthority {
  /** 1-based line number */
  line: number;
  /** the CA key (any type this package verifies: Ed25519, ECDSA, RSA) */
  caKey: PublicKeyInfo;
  /** `principals="…"`: the certificate principals this line accepts; undefined = any */
  principals?: string[];
  role?: string;
  realm?: string;
  expiresAt?: Date;
  from?: string;
  comment: string;
  options: string;
  parsedOptions: KeyOption[];
}

export function certAuthorityFrom(line: AuthorizedKeyLine): CertAuthority {
  const blob = line.key?.blob ?? ed25519Blob(line.rawEd25519 as Uint8Array);
  const ca: CertAuthority = {
    line: line.line,
    caKey: line.key ?? parsePublicKeyBlob(blob),
    comment: line.comment,
    options: line.optionsText,
    parsedOptions: line.options,
  };
  const principals = optionValue(line, 'principals');
  const role = optionValue(line, 'wamp-role');
  const realm = optionValue(line, 'wamp-realm');
  const expiry = optionValue(line, 'expiry-time');
  const from = optionValue(line, 'from');
  if (principals !== undefined) ca.principals = principals.split(',');
  if (role !== undefined) ca.role = role;
  if (realm !== undefined) ca.realm = realm;
  if (expiry !== undefined) ca.expiresAt = parseExpiryTime(expiry, line.line);
  if (from !== undefined) ca.from = from;
  return ca;
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
  const id = `certificate ${quoteForLog(cert.keyId)} (serial ${cert.serial}, CA ${cert.caKey.fingerprint})`;
  if (!cert.ed25519) throw new AuthError('CERT_KEY_NOT_ED25519', `${id} certifies a ${cert.keyType} key; cryptosign needs Ed25519`);
  if (typeof asked.pubkey !== 'string' || asked.pubkey.toLowerCase() !== toHex(cert.ed25519)) {
    throw new AuthError('CERT_KEY_MISMATCH', `${id} certifies another key than HELLO authextra.pubkey`);
  }
  const lines = keys.certAuthorities.filter((ca) => Buffer.from(ca.caKey.blob).equals(Buffer.from(cert.caKey.blob)));
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

function principalFor(cert: SshCertificate, ca: CertAuthority, id: string, authid: string | undefined, asked: CertificateLoginRequest): Principal {
  const acceptable = cert.principals.filter((p) => ca.principals === undefined || ca.principals.includes(p));
  let name: string;
  if (authid !== undefined) {
    if (!cert.principals.includes(authid)) throw new AuthError('CERT_PRINCIPAL_REFUSED', `${id} is not valid for authid ${quoteForLog(authid)}`);
    if (!acceptable.includes(authid)) {
      throw new AuthError('CERT_PRINCIPAL_REFUSED', `${id}: authid ${quoteForLog(authid)} is not in the principals= of line ${ca.line}`);
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
  const publicKey = cert.ed25519 as Uint8Array;
  const principal: Principal = {
    name,
    comment: ca.comment,
    publicKey,
    publicKeyHex: toHex(publicKey),
    fingerprint: fingerprintOfBlob(cert.key.blob),
    parsedOptions: ca.parsedOptions,
    line: ca.line,
    certificate: { keyId: cert.keyId, serial: cert.serial, ca: cert.caKey.fingerprint, principals: cert.principals, validBefore: cert.validBefore },
  };
  if (ca.role !== undefined) principal.role = ca.role;
  if (ca.realm !== undefined) principal.realm = ca.realm;
  if (ca.expiresAt !== undefined) principal.expiresAt = ca.expiresAt;
  if (ca.from !== undefined) principal.from = ca.from;
  if (ca.options !== '') principal.options = ca.options;
  const refused = lineRefusal(principal, {
    ...(typeof asked.realm === 'string' ? { realm: asked.realm } : {}),
    ...(asked.peerAddress !== undefined ? { peerAddress: asked.peerAddress } : {}),
    ...(asked.now ? { now: asked.now } : {}),
  });
  if (refused && !refused.ok) throw new AuthError(refused.code, refused.reason);
  return principal;
}
