/**
 * OpenSSH's known_hosts format (sshd(8) "SSH_KNOWN_HOSTS FILE FORMAT",
 * hostfile.c), read for a client that checks a router as ssh checks a host:
 *
 *     [@cert-authority|@revoked] hostpatterns keytype base64 [comment]
 *
 * Host patterns are comma lists with `*`, `?` and `!` negation, matched by
 * match.ts as match_hostname does (patterns lower-cased); `[host]:port`
 * names a non-default port; `|1|salt|hash` is a hashed name (HMAC-SHA1 of
 * the name keyed with the salt, as `ssh-keygen -H` writes). A malformed line
 * refuses the whole text (ssh skips it; here a skipped `@revoked` line would
 * silently un-revoke a key).
 *
 * check() decides as sshconnect.c's check_host_key does: a key or
 * certificate listed by a matching `@revoked` line (the certified key or its
 * CA) is refused outright; a host certificate is accepted when a matching
 * `@cert-authority` line holds its CA and it passes the host checks (type
 * host, validity, CA signature algorithm, a principal matching the host name,
 * no critical options at all); otherwise, as ssh does, the certified key is
 * looked up as a plain key among the matching plain lines.
 */
import { quoted } from '../escape.js';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { CertificateError, type ErrorCode } from '../errors.js';
import { checkCertificate, type SshCertificate } from './certificate.js';
import { matchPatternList } from './match.js';
import { parsePublicKeyBlob, plainKeyBlob, CERT_SUFFIX, type PublicKeyInfo } from './public-key.js';

/** One known_hosts line: its marker (`@cert-authority`, `@revoked`), host patterns and key. */
export interface KnownHostLine {
  /** 1-based */
  line: number;
  marker?: 'cert-authority' | 'revoked';
  /** the host field as written (patterns, or a `|1|…` hash) */
  hosts: string;
  hashed?: { salt: Buffer; hash: Buffer };
  key: PublicKeyInfo;
  comment: string;
}

function fail(line: number, what: string): never {
  throw new CertificateError('KNOWN_HOSTS_FORMAT', `known_hosts line ${line}: ${what}`);
}

/** Every entry of a known_hosts text (blank and `#` lines skipped). Throws CertificateError(KNOWN_HOSTS_FORMAT). */
export function parseKnownHosts(text: string): KnownHostLine[] {
  if (typeof text !== 'string') throw new CertificateError('KNOWN_HOSTS_FORMAT', 'known_hosts must be given as text');
  const out: KnownHostLine[] = [];
  let lineNo = 0;
  for (const raw of text.split('\n')) {
    lineNo++;
    const line = raw.replace(/\r$/, '').replace(/^[ \t]+/, '');
    if (line === '' || line.startsWith('#')) continue;
    const words = line.split(/[ \t]+/);
    let i = 0;
    let marker: KnownHostLine['marker'];
    if ((words[0] as string).startsWith('@')) {
      if (words[0] === '@cert-authority') marker = 'cert-authority';
      else if (words[0] === '@revoked') marker = 'revoked';
      else fail(lineNo, `unknown marker ${quoted(words[0] as string, 40)}`);
      i++;
    }
    const hosts = words[i++];
    const type = words[i++];
    const b64 = words[i++];
    if (!hosts || !type || !b64) fail(lineNo, 'expected [marker] hostpatterns keytype base64-key [comment]');
    const entry: Omit<KnownHostLine, 'key'> = { line: lineNo, hosts, comment: words.slice(i).join(' ') };
    if (marker) entry.marker = marker;
    if (hosts.startsWith('|')) {
      const m = /^\|1\|([A-Za-z0-9+/]+={0,2})\|([A-Za-z0-9+/]+={0,2})$/.exec(hosts);
      if (!m) fail(lineNo, 'a hashed host must be |1|salt|hash');
      const salt = Buffer.from(m[1] as string, 'base64');
      const hash = Buffer.from(m[2] as string, 'base64');
      if (salt.length !== 20 || hash.length !== 20) fail(lineNo, 'a hashed host needs a 20-byte salt and a 20-byte hash');
      entry.hashed = { salt, hash };
    }
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(b64)) fail(lineNo, `the ${quoted(type, 60)} key is not base64`);
    let key: PublicKeyInfo;
    try {
      key = parsePublicKeyBlob(new Uint8Array(Buffer.from(b64, 'base64')));
    } catch {
      fail(lineNo, `the ${quoted(type, 60)} key is malformed`);
    }
    if (key.type !== type) fail(lineNo, `says ${quoted(type, 60)} but holds a ${key.type} key`);
    if (key.type.endsWith(CERT_SUFFIX)) fail(lineNo, 'a certificate is not a known_hosts key (list its CA with @cert-authority)');
    out.push({ ...entry, key });
  }
  return out;
}

/**
 * The name ssh looks up for a host and port: `host`, or `[host]:port` when
 * the port is given and is not the default one (22 for ssh; for a WAMP
 * router the URL scheme's, 80 or 443).
 */
export function knownHostsName(host: string, port?: number, defaultPort = 22): string {
  const h = host.toLowerCase().replace(/^\[(.*)\]$/, '$1');
  return port === undefined || port === defaultPort ? h : `[${h}]:${port}`;
}

/** Does this line apply to the host name (`host` or `[host]:port`)? */
export function lineMatchesHost(entry: KnownHostLine, name: string): boolean {
  if (entry.hashed) {
    const h = createHmac('sha1', entry.hashed.salt).update(name).digest();
    return timingSafeEqual(h, entry.hashed.hash);
  }
  return matchPatternList(name, entry.hosts, true) === 1;
}

/** A known_hosts verdict for a host and key: trusted, or refused with a code and a reason. */
export type KnownHostsResult =
  | { ok: true; via: 'key' | 'certificate'; line: number }
  | { ok: false; code: ErrorCode; reason: string };

/** The time and accepted CA signature algorithms of a known_hosts check. */
export interface HostCheckOptions {
  /** default now */
  now?: Date;
  /** default sshd's CASignatureAlgorithms */
  caSignatureAlgorithms?: readonly string[];
}

const same = (a: Uint8Array, b: Uint8Array) => a.length === b.length && Buffer.from(a).equals(Buffer.from(b));

/** A known_hosts text (plain, hashed, `@cert-authority`, `@revoked` lines): `check(name, host, keyOrCertificate)` decides as ssh does. */
export class KnownHosts {
  readonly lines: readonly KnownHostLine[];

  constructor(text: string | readonly KnownHostLine[]) {
    this.lines = typeof text === 'string' ? parseKnownHosts(text) : text;
  }

  /** the entries that apply to this name */
  forHost(name: string): KnownHostLine[] {
    return this.lines.filter((l) => lineMatchesHost(l, name));
  }

  /** Are there any plain or @cert-authority entries at all? */
  get size(): number {
    return this.lines.filter((l) => l.marker !== 'revoked').length;
  }

  /**
   * Is this host key (a plain blob), or this host certificate, trusted for
   * `name` (from knownHostsName)? `host` is the bare host name the
   * certificate's principals must match.
   */
  check(name: string, host: string, presented: Uint8Array | SshCertificate, options: HostCheckOptions = {}): KnownHostsResult {
    const entries = this.forHost(name);
    const cert = presented instanceof Uint8Array ? undefined : presented;
    const plain = cert ? cert.key.blob : plainKeyBlob(presented as Uint8Array);
    for (const e of entries) {
      if (e.marker !== 'revoked') continue;
      if (same(e.key.blob, plain)) return { ok: false, code: 'KEY_REVOKED', reason: `the key ${parsePublicKeyBlob(plain).fingerprint} is @revoked (line ${e.line})` };
      if (cert && same(e.key.blob, cert.caKey.blob)) {
        return { ok: false, code: 'KEY_REVOKED', reason: `the certificate's CA ${cert.caKey.fingerprint} is @revoked (line ${e.line})` };
      }
    }
    let certRefusal: { code: ErrorCode; reason: string } | undefined;
    if (cert) {
      const ca = entries.find((e) => e.marker === 'cert-authority' && same(e.key.blob, cert.caKey.blob));
      if (!ca) {
        certRefusal = { code: 'CERT_CA_UNTRUSTED', reason: `the certificate's CA ${cert.caKey.fingerprint} is not a @cert-authority for ${quoted(name)}` };
      } else if (cert.criticalOptions.length > 0) {
        certRefusal = { code: 'CERT_OPTION_REFUSED', reason: `the host certificate ${quoted(cert.keyId)} carries critical options (ssh refuses any)` };
      } else {
        const r = checkCertificate(cert, {
          type: 'host',
          principal: host.toLowerCase(),
          ...(options.now ? { now: options.now } : {}),
          ...(options.caSignatureAlgorithms ? { caSignatureAlgorithms: options.caSignatureAlgorithms } : {}),
        });
        if (r.ok) return { ok: true, via: 'certificate', line: ca.line };
        certRefusal = { code: r.code, reason: r.reason };
      }
    }
    // as ssh: no acceptable certificate → the certified key as a plain key
    const direct = entries.find((e) => e.marker === undefined && same(e.key.blob, plain));
    if (direct) return { ok: true, via: 'key', line: direct.line };
    if (certRefusal) return { ok: false, ...certRefusal };
    return { ok: false, code: 'ROUTER_KEY_UNTRUSTED', reason: `no known_hosts entry for ${quoted(name)} holds the key ${parsePublicKeyBlob(plain).fingerprint}` };
  }
}
