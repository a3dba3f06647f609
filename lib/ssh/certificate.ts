/**
 * OpenSSH certificates (PROTOCOL.certkeys), parsed and checked by this
 * package — never by sshpk, whose isSignedByKey compares fingerprints and
 * verifies nothing.
 *
 * parseCertificate() reads the blob strictly with the SSH wire reader: every
 * length bounded by its buffer, no trailing bytes anywhere (the blob, the
 * packed principals, options and extensions, each option's data), strings
 * without NUL, a known certificate type (user or host), the CA key a plain
 * key (never itself a certificate), and the CA signature verified over the
 * bytes before it with node:crypto (Ed25519 strictly, ECDSA nistp256/384/521,
 * RSA); a signature that does not verify, or whose algorithm does not belong
 * to the CA key's type, is a CERT_SIGNATURE_WRONG.
 *
 * checkCertificate() applies sshd's rules for one use: the certificate type,
 * valid after ≤ now < valid before, the CA signature algorithm in sshd 9.2's
 * default CASignatureAlgorithms (so `ssh-rsa`, SHA-1, is refused), a principal,
 * the critical options (`source-address` enforced like sshd's
 * addr_match_cidr_list; unknown ones refuse the certificate as sshd does;
 * `force-command` and `verify-required` refuse it too: cryptosign has no
 * command to force and no user-verification flag to check, so accepting them
 * would grant more than the CA did), and that the certified key is Ed25519
 * (the only key cryptosign can sign with).
 */
import { quoted } from '../escape.js';
import { CertificateError, type ErrorCode } from '../errors.js';
import { CERT_SUFFIX, certifiedKeyType, parsePublicKeyBlob, readCertifiedKey, type PublicKeyInfo } from './public-key.js';
import { SshVerifyKey } from './signature.js';
import { inNetwork, parseCidr, peerAddress } from './match.js';
import { WireError, WireReader, concatBytes, wireString } from './wire.js';

/** A user certificate (clients) or a host certificate (routers). */
export type CertificateType = 'user' | 'host';

/** A critical option or extension of a certificate: its name and its data. */
export interface CertificateOption {
  name: string;
  /** the option's data as carried (for known options: one string) */
  data: Uint8Array;
  /** the value of force-command / source-address */
  value?: string;
}

/** An OpenSSH certificate, parsed strictly and its CA signature verified by this package. */
export interface SshCertificate {
  /** the whole certificate blob */
  blob: Uint8Array;
  /** e.g. `ssh-ed25519-cert-v01@openssh.com` */
  type: string;
  /** the certified key's plain type, e.g. `ssh-ed25519` */
  keyType: string;
  /** the certified key as a plain key blob */
  key: PublicKeyInfo;
  /** the raw 32 bytes when the certified key is Ed25519 */
  ed25519?: Uint8Array;
  serial: bigint;
  certType: CertificateType;
  keyId: string;
  principals: string[];
  /** seconds since the epoch */
  validAfter: bigint;
  /** seconds since the epoch; 2^64-1 is "forever" */
  validBefore: bigint;
  criticalOptions: CertificateOption[];
  extensions: CertificateOption[];
  /** the CA key blob and its description */
  caKey: PublicKeyInfo;
  /** the algorithm the CA signed with (`ssh-ed25519`, `rsa-sha2-512`, `ssh-rsa`, …) */
  signatureAlgorithm: string;
  forceCommand?: string;
  sourceAddress?: string;
}

/** sshd 9.2's default CASignatureAlgorithms that this package can verify (sk-* CAs are not supported). */
export const DEFAULT_CA_SIGNATURE_ALGORITHMS: readonly string[] = [
  'ssh-ed25519', 'ecdsa-sha2-nistp256', 'ecdsa-sha2-nistp384', 'ecdsa-sha2-nistp521', 'rsa-sha2-512', 'rsa-sha2-256',
];

/** SSHKEY_CERT_MAX_PRINCIPALS */
const MAX_PRINCIPALS = 256;
export const FOREVER = 0xffffffffffffffffn;

const KNOWN_CRITICAL = new Set(['force-command', 'source-address', 'verify-required']);
const KNOWN_EXTENSIONS = new Set([
  'no-touch-required', 'permit-X11-forwarding', 'permit-agent-forwarding', 'permit-port-forwarding', 'permit-pty', 'permit-user-rc',
]);

// ignoreBOM: a leading U+FEFF is kept, as sshd keeps the bytes (a key id or principal "\uFEFFbob" is not "bob")
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** sshbuf_get_cstring: no NUL inside; and (stricter than sshd) valid UTF-8. */
function cstring(r: WireReader, what: string): string {
  const bytes = r.string();
  if (bytes.includes(0)) throw new WireError(`${what} contains a NUL byte`);
  try {
    return utf8.decode(bytes);
  } catch {
    throw new WireError(`${what} is not UTF-8`);
  }
}

function parseOptions(packed: Uint8Array, critical: boolean): CertificateOption[] {
  const what = critical ? 'critical option' : 'extension';
  const r = new WireReader(packed);
  const out: CertificateOption[] = [];
  const seen = new Set<string>();
  while (r.remaining > 0) {
    const name = cstring(r, `${what} name`);
    const data = r.string();
    if (seen.has(name)) throw new WireError(`${what} ${name} appears twice`);
    seen.add(name);
    const opt: CertificateOption = { name, data };
    if (critical && (name === 'force-command' || name === 'source-address')) {
      const inner = new WireReader(data);
      opt.value = cstring(inner, `${what} ${name}`);
      if (inner.remaining !== 0) throw new WireError(`${what} ${name} is corrupt (extra data)`);
    } else if ((critical && name === 'verify-required') || (!critical && KNOWN_EXTENSIONS.has(name))) {
      if (data.length !== 0) throw new WireError(`${what} ${name} is corrupt (extra data)`);
    }
    out.push(opt);
  }
  return out;
}

/** Parses and verifies (CA signature) a certificate blob. Throws CertificateError: CERT_FORMAT, CERT_SIGNATURE_WRONG. */
export function parseCertificate(blob: Uint8Array): SshCertificate {
  let signedEnd = 0;
  let caBlob: Uint8Array;
  let sigBlob: Uint8Array;
  let cert: Omit<SshCertificate, 'signatureAlgorithm'>;
  try {
    const r = new WireReader(blob);
    const type = cstring(r, 'key type');
    const keyType = certifiedKeyType(type);
    if (keyType === undefined) throw new WireError(`${type} is not a certificate type`);
    const plain = readCertifiedKey(r, keyType);
    const serial = r.uint64();
    const typeNo = r.uint32();
    if (typeNo !== 1 && typeNo !== 2) throw new WireError(`unknown certificate type ${typeNo}`);
    const keyId = cstring(r, 'key id');
    const pr = new WireReader(r.string());
    const principals: string[] = [];
    while (pr.remaining > 0) {
      if (principals.length >= MAX_PRINCIPALS) throw new WireError(`more than ${MAX_PRINCIPALS} principals`);
      principals.push(cstring(pr, 'principal'));
    }
    const validAfter = r.uint64();
    const validBefore = r.uint64();
    const criticalOptions = parseOptions(r.string(), true);
    const extensions = parseOptions(r.string(), false);
    r.string(); // reserved
    caBlob = r.string();
    signedEnd = blob.length - r.remaining;
    sigBlob = r.string();
    r.end();

    let key: PublicKeyInfo;
    try {
      key = parsePublicKeyBlob(plain);
    } catch {
      throw new WireError('the certified key is malformed');
    }
    let caKey: PublicKeyInfo;
    try {
      caKey = parsePublicKeyBlob(caBlob);
    } catch {
      throw new WireError('the CA key is malformed');
    }
    if (caKey.type.endsWith(CERT_SUFFIX)) throw new WireError('the CA key is itself a certificate');
    cert = {
      blob, type, keyType, key, serial, certType: typeNo === 1 ? 'user' : 'host', keyId, principals, validAfter, validBefore,
      criticalOptions, extensions, caKey,
    };
    if (key.ed25519) cert.ed25519 = key.ed25519;
    const fc = criticalOptions.find((o) => o.name === 'force-command')?.value;
    const sa = criticalOptions.find((o) => o.name === 'source-address')?.value;
    if (fc !== undefined) cert.forceCommand = fc;
    if (sa !== undefined) cert.sourceAddress = sa;
  } catch (e) {
    if (e instanceof WireError) throw new CertificateError('CERT_FORMAT', `malformed OpenSSH certificate (${e.message})`);
    throw e;
  }
  let ca: SshVerifyKey;
  try {
    ca = new SshVerifyKey(caBlob);
  } catch (e) {
    if (e instanceof WireError) throw new CertificateError('CERT_SIGNATURE_WRONG', `the certificate's CA key cannot verify it (${e.message})`);
    throw e;
  }
  const alg = ca.verify(blob.subarray(0, signedEnd), sigBlob);
  if (alg === undefined) {
    throw new CertificateError('CERT_SIGNATURE_WRONG', `the certificate's signature does not verify with its CA key ${cert.caKey.fingerprint}`);
  }
  return { ...cert, signatureAlgorithm: alg };
}

/** The largest certificate accepted from the wire as base64 (OpenSSH's are well under 4 KiB, RSA-16384 CAs included). */
export const MAX_CERTIFICATE_BASE64 = 16384;

/** A certificate carried as canonical base64 of its blob (a WAMP field): bounded, parsed, CA signature checked. */
export function certificateFromBase64(value: unknown, field: string): SshCertificate {
  if (typeof value !== 'string' || value.length > MAX_CERTIFICATE_BASE64 || !/^[A-Za-z0-9+/]+={0,2}$/.test(value)) {
    throw new CertificateError('CERT_FORMAT', `${field} must be the base64 of an OpenSSH certificate (at most ${MAX_CERTIFICATE_BASE64} characters)`);
  }
  const bytes = new Uint8Array(Buffer.from(value, 'base64'));
  if (Buffer.from(bytes).toString('base64') !== value) throw new CertificateError('CERT_FORMAT', `${field} is not canonical base64`);
  try {
    return parseCertificate(bytes);
  } catch (e) {
    if (e instanceof CertificateError) throw new CertificateError(e.code, `${field}: ${e.message}`);
    throw e;
  }
}

/** A certificate as a caller may give it: the blob, a `…-cert.pub` line, or an already parsed one. */
export function toCertificate(value: Uint8Array | string | SshCertificate): SshCertificate {
  if (value instanceof Uint8Array) return parseCertificate(value);
  if (typeof value === 'string') return parseCertificateLine(value).certificate;
  if (value && typeof value === 'object' && value.blob instanceof Uint8Array) return parseCertificate(value.blob);
  throw new CertificateError('CERT_FORMAT', 'a certificate must be its blob, its -cert.pub line, or a parsed certificate');
}

/** A certificate from its `…-cert.pub` line (`type base64 [comment]`) or from bytes. */
export function parseCertificateLine(line: string): { certificate: SshCertificate; comment: string } {
  const t = line.trim();
  const m = /^(\S+)[ \t]+([A-Za-z0-9+/]+={0,2})(?:[ \t]+(.*))?$/.exec(t);
  if (!m) throw new CertificateError('CERT_FORMAT', 'not an OpenSSH certificate line (type base64 [comment])');
  const certificate = parseCertificate(new Uint8Array(Buffer.from(m[2] as string, 'base64')));
  if (certificate.type !== m[1]) throw new CertificateError('CERT_FORMAT', `the line says ${m[1]} but holds a ${certificate.type}`);
  return { certificate, comment: m[3] ?? '' };
}

/** What a certificate is checked against: type, time, principal, peer address, accepted CA signature algorithms. */
export interface CertificateCheck {
  /** user certificates for clients, host certificates for routers */
  type: CertificateType;
  /** default now */
  now?: Date;
  /** a principal the certificate must list (compared as written, wildcards are not patterns: as OpenSSH 9.2's sshd and ssh) */
  principal?: string;
  /** the peer's address, for `source-address` (a certificate carrying it is refused without one) */
  peerAddress?: string;
  /** default DEFAULT_CA_SIGNATURE_ALGORITHMS (sshd 9.2's CASignatureAlgorithms) */
  caSignatureAlgorithms?: readonly string[];
  /** the certified key must be Ed25519 (default true: cryptosign signs with it) */
  requireEd25519?: boolean;
}

/** A certificate's verdict: accepted, or refused with a code and a reason. */
export type CertificateResult = { ok: true } | { ok: false; code: ErrorCode; reason: string };

function no(code: ErrorCode, reason: string): CertificateResult {
  return { ok: false, code, reason };
}

/** Seconds → `YYYY-MM-DDTHH:MM:SSZ`, or `forever`. */
export function certificateTime(t: bigint): string {
  if (t === FOREVER) return 'forever';
  if (t > 253402300799n) return `${t}`;
  return new Date(Number(t) * 1000).toISOString().replace(/\.000Z$/, 'Z');
}

/**
 * sshd's addr_match_cidr_list (addrmatch.c), what a certificate's
 * source-address means: comma-separated addresses or address/bits only (no
 * wildcards, no negation, no host bits set). Returns undefined when the list
 * is invalid (sshd then refuses the certificate), else whether the address
 * (IPv4-mapped read as IPv4) is in one of the networks.
 */
export function matchCidrList(list: string, address: string): boolean | undefined {
  const peer = peerAddress(address);
  let matched = false;
  for (const entry of list.split(',')) {
    // INET6_ADDRSTRLEN + 3, and VALID_CIDR_CHARS
    if (entry.length === 0 || entry.length > 49 || !/^[0-9a-fA-F.:/]+$/.test(entry)) return undefined;
    const c = parseCidr(entry);
    if (c.r !== 0) return undefined;
    if (peer && inNetwork(peer.address, c.net, c.bits)) matched = true;
  }
  return matched;
}

/** sshd's checks of a certificate for one use (the CA itself is the caller's to trust). */
export function checkCertificate(cert: SshCertificate, check: CertificateCheck): CertificateResult {
  const id = `certificate ${quoted(cert.keyId)} (serial ${cert.serial})`;
  if (cert.certType !== check.type) return no('CERT_TYPE_WRONG', `${id} is a ${cert.certType} certificate, a ${check.type} certificate is needed`);
  const algs = check.caSignatureAlgorithms ?? DEFAULT_CA_SIGNATURE_ALGORITHMS;
  if (!algs.includes(cert.signatureAlgorithm)) {
    return no('CERT_SIGNATURE_ALGORITHM_REFUSED', `${id} is signed with ${cert.signatureAlgorithm}, which is not an accepted CA signature algorithm`);
  }
  if ((check.requireEd25519 ?? true) && !cert.ed25519) {
    return no('CERT_KEY_NOT_ED25519', `${id} certifies a ${cert.keyType} key; cryptosign needs Ed25519`);
  }
  const now = BigInt(Math.floor((check.now ?? new Date()).getTime() / 1000));
  if (now < cert.validAfter) return no('CERT_NOT_YET_VALID', `${id} is not valid before ${certificateTime(cert.validAfter)}`);
  if (now >= cert.validBefore) return no('CERT_EXPIRED', `${id} expired at ${certificateTime(cert.validBefore)}`);
  for (const o of cert.criticalOptions) {
    if (!KNOWN_CRITICAL.has(o.name)) return no('CERT_OPTION_REFUSED', `${id} carries the critical option ${quoted(o.name)}, which is not supported`);
    if (o.name === 'force-command') return no('CERT_OPTION_REFUSED', `${id} is restricted to a forced command; a WAMP session would grant more`);
    if (o.name === 'verify-required') return no('CERT_OPTION_REFUSED', `${id} requires user verification, which cryptosign cannot prove`);
  }
  if (cert.sourceAddress !== undefined) {
    if (check.peerAddress === undefined) return no('CERT_ADDRESS_REFUSED', `${id} has source-address and no peer address was given to check`);
    const m = matchCidrList(cert.sourceAddress, check.peerAddress);
    if (m === undefined) return no('CERT_OPTION_REFUSED', `${id} has a malformed source-address`);
    if (!m) return no('CERT_ADDRESS_REFUSED', `${id} may not be used from ${check.peerAddress}`);
  }
  if (cert.principals.length === 0) {
    // sshd accepts a principal-less certificate for any name unless it requires one; a WAMP authid must come from somewhere: refused
    return no('CERT_PRINCIPAL_REFUSED', `${id} lists no principals`);
  }
  if (check.principal !== undefined) {
    const want = check.principal;
    // compared as written, for host certificates too: OpenSSH 9.2's ssh refuses a host certificate whose principal is a
    // wildcard such as *.example for r1.example (test/host-cert-ssh-differential.test.ts)
    if (!cert.principals.includes(want)) return no('CERT_PRINCIPAL_REFUSED', `${id} is not valid for ${quoted(want)}`);
  }
  return { ok: true };
}

/** Like checkCertificate, throwing CertificateError. */
export function requireCertificate(cert: SshCertificate, check: CertificateCheck): void {
  const r = checkCertificate(cert, check);
  if (!r.ok) throw new CertificateError(r.code, r.reason);
}

/** `ssh-keygen -L`'s description, one field a line. */
export function describeCertificate(cert: SshCertificate): string[] {
  const lines = [
    `Type: ${cert.type} ${cert.certType} certificate`,
    `Public key: ${cert.key.label}-CERT ${cert.key.fingerprint}`,
    `Signing CA: ${cert.caKey.label} ${cert.caKey.fingerprint} (using ${cert.signatureAlgorithm})`,
    `Key ID: ${quoted(cert.keyId, 1024)}`,
    `Serial: ${cert.serial}`,
    cert.validAfter === 0n && cert.validBefore === FOREVER
      ? 'Valid: forever'
      : `Valid: from ${certificateTime(cert.validAfter)} to ${certificateTime(cert.validBefore)}`,
    `Principals: ${cert.principals.length === 0 ? '(none)' : ''}`,
    ...cert.principals.map((p) => `        ${quoted(p, 1024)}`),
    `Critical Options: ${cert.criticalOptions.length === 0 ? '(none)' : ''}`,
    ...cert.criticalOptions.map((o) => `        ${quoted(o.name, 1024)}${o.value !== undefined ? ' ' + quoted(o.value, 1024) : KNOWN_CRITICAL.has(o.name) ? '' : ' UNKNOWN OPTION'}`),
    `Extensions: ${cert.extensions.length === 0 ? '(none)' : ''}`,
    ...cert.extensions.map((o) => `        ${quoted(o.name, 1024)}${KNOWN_EXTENSIONS.has(o.name) ? '' : ' UNKNOWN'}`),
  ];
  return lines;
}

/** The certificate `blob` holds, parsed and its CA signature verified; undefined for a plain key or a certificate this package cannot verify. */
export function certificateOfBlob(blob: Uint8Array): SshCertificate | undefined {
  try {
    return parseCertificate(blob);
  } catch {
    return undefined;
  }
}
