/**
 * Revoked keys as sshd's `RevokedKeys` reads them: an OpenSSH KRL
 * (PROTOCOL.krl, made by `ssh-keygen -k`) or, when the data does not start
 * with the KRL magic, a text file of plain public keys.
 *
 * KRL: certificate sections per CA (or for any CA, when the CA key is empty)
 * with serial lists, ranges and bitmaps and key ids; explicit keys; SHA-1
 * and SHA-256 fingerprints of keys. Parsed strictly as krl.c does (unknown
 * sections and subsections, unparsed data, serial 0, inverted ranges and
 * bitmaps that wrap are refused); signed KRLs (a section type no ssh-keygen
 * writes) are refused rather than half-trusted. A key is revoked as krl.c's
 * ssh_krl_check_key decides: by its plain key's fingerprints or blob; a
 * certificate also by its CA's entries (key id, non-zero serial) and by the
 * revocation of its CA key.
 *
 * Plain-key file: `type base64 [comment]` lines (blank and `#` lines
 * skipped). A listed key revokes itself and every certificate of it; a listed
 * CA key revokes every certificate it signed (sshkey_in_file with check_ca).
 * A line sshd cannot read refuses the whole file, as sshd refuses every login
 * with it (sshkey_check_revoked's error; test/krl-sshd-differential.test.ts):
 * a key type sshd does not know, an ECDSA key on an unknown curve or off its
 * curve, a type name that is not the key's (`rsa-sha2-256`/`-512` name an
 * RSA key, as for sshd), base64 that b64_pton refuses (bad padding, slop
 * bits), a line of only `\r` (a blank CRLF line), a certificate whose CA
 * signature does not verify. The same holds for a KRL's CA keys (and an RSA
 * CA key under 1024 bits; such a line of a keys file is skipped, as sshd
 * skips it).
 */
import { createHash } from 'node:crypto';
import { CertificateError } from '../errors.js';
import { toHex as hex } from '../crypto/hex.js';
import { parseCertificate, type SshCertificate } from './certificate.js';
import { strictBase64 } from './authorized-keys.js';
import { canonicalKeyBlob, certifiedKeyType, parsePublicKeyBlob, plainKeyBlob as plainBlob, type PublicKeyInfo } from './public-key.js';
import { RSA_MIN_BITS, SshVerifyKey } from './signature.js';
import { SerialRanges } from './serial-ranges.js';
import { WireError, WireReader, bignumMagnitude, concatBytes, wireString } from './wire.js';

const MAGIC = Buffer.from('SSHKRL\n\0', 'latin1');

const SECTION_CERTIFICATES = 1;
const SECTION_EXPLICIT_KEY = 2;
const SECTION_FINGERPRINT_SHA1 = 3;
const SECTION_SIGNATURE = 4;
const SECTION_FINGERPRINT_SHA256 = 5;
const CERT_SERIAL_LIST = 0x20;
const CERT_SERIAL_RANGE = 0x21;
const CERT_SERIAL_BITMAP = 0x22;
const CERT_KEY_ID = 0x23;

/** The plain key types sshd 9.2 reads (sshkey.c), each also as a certificate. */
const SSHD_KEY_TYPES = new Set([
  'ssh-ed25519', 'sk-ssh-ed25519@openssh.com', 'ssh-rsa', 'ssh-dss',
  'ecdsa-sha2-nistp256', 'ecdsa-sha2-nistp384', 'ecdsa-sha2-nistp521', 'sk-ecdsa-sha2-nistp256@openssh.com',
]);

/** sshkey_from_blob's SSH_ERR_KEY_LENGTH: an RSA key under 1024 bits (a keys file skips its line; a KRL CA key refuses the KRL). */
function isShortRsa(info: PublicKeyInfo): boolean {
  return (certifiedKeyType(info.type) ?? info.type) === 'ssh-rsa' && info.bits < RSA_MIN_BITS;
}

/**
 * Why sshd could not read this key (sshkey_from_blob), or undefined: a type
 * it does not know, an ECDSA key whose curve is not its type's or whose
 * point is not on it; a certificate whose CA signature does not verify (or
 * that this package cannot read). RSA keys under 1024 bits are isShortRsa's;
 * RSA and DSA numbers sshd cannot read (negative, over 2048 bytes) are
 * refused by parsePublicKeyBlob already.
 */
function unreadableKey(info: PublicKeyInfo): string | undefined {
  const base = certifiedKeyType(info.type) ?? info.type;
  if (!SSHD_KEY_TYPES.has(base)) return `key type ${JSON.stringify(info.type.slice(0, 64))} is not one sshd reads`;
  if (base !== info.type) {
    try {
      parseCertificate(info.blob);
    } catch (e) {
      return `the certificate cannot be read (${(e as Error).message})`;
    }
  }
  if (!base.includes('ecdsa-sha2-')) return undefined;
  // the plain key: string type, string curve, string point (then the application for sk-)
  const r = new WireReader(plainBlob(info.blob));
  r.string();
  const curve = r.string();
  const point = r.string();
  const want = (/nistp\d+/.exec(base) as RegExpExecArray)[0];
  const named = Buffer.from(curve).toString('latin1');
  if (named !== want) return `${base} key names curve ${JSON.stringify(named.slice(0, 32))}`;
  const type = `ecdsa-sha2-${want}`;
  try {
    new SshVerifyKey(concatBytes(wireString(type), wireString(curve), wireString(point)));
  } catch (e) {
    return `${base} key: ${(e as Error).message}`;
  }
  return undefined;
}

/** The key type names sshd takes for a key of this type (sshkey_type_from_name: the type's own name; rsa-sha2-* for RSA). */
function namesFor(type: string): readonly string[] {
  if (type === 'ssh-rsa') return ['ssh-rsa', 'rsa-sha2-256', 'rsa-sha2-512'];
  if (type === 'ssh-rsa-cert-v01@openssh.com') return [type, 'rsa-sha2-256-cert-v01@openssh.com', 'rsa-sha2-512-cert-v01@openssh.com'];
  return [type];
}

interface CaRevocations {
  serials: SerialRanges;
  keyIds: Set<string>;
}

/** Does the file start with the KRL magic (`SSHKRL\n\0`)? Otherwise it is read as public keys. */
export function isKrl(data: Uint8Array): boolean {
  return data.length >= MAGIC.length && Buffer.from(data.subarray(0, MAGIC.length)).equals(MAGIC);
}

/**
 * The most entries one KRL may hold: 4,194,304 in all of its sections (a CA section, a serial, a
 * serial range, a run of set bits in a bitmap, a key id, an explicit key, a fingerprint — each
 * counted as read, before duplicates merge). A KRL of 100,000 scattered serials holds about
 * 100,000. A hostile 16 MiB KRL of alternating bitmap bits holds 66 million serials: read whole it
 * took 46 s and 2.6 GB (and ssh-keygen -Q almost 5 minutes). Past the limit the KRL is refused
 * (every login refused) where sshd would read it.
 */
export const MAX_KRL_ENTRIES = 4 * 1024 * 1024;

/**
 * The most CA sections one KRL may hold (ssh-keygen writes one per CA): 4096. Each is a CA key
 * parsed and checked (an ECDSA one ~150 µs), so a 64 MiB KRL of a million empty sections took 10 s
 * and 0.9 GB to read.
 */
export const MAX_KRL_CA_SECTIONS = 4096;

/** sshd's RevokedKeys: a parsed KRL or public-keys list; `revocationOf(blob)` says why a key or certificate is revoked. */
export class RevokedKeys {
  /** per CA key blob (hex); '' = any CA */
  readonly #certs = new Map<string, CaRevocations>();
  /** entries and CA sections read so far (MAX_KRL_ENTRIES, MAX_KRL_CA_SECTIONS) */
  #entries = 0;
  #caSections = 0;
  readonly #keys = new Set<string>();
  readonly #sha1 = new Set<string>();
  readonly #sha256 = new Set<string>();
  /** 'krl' or 'keys' */
  readonly form: 'krl' | 'keys';
  /** the KRL's version and comment, when a KRL */
  krlVersion?: bigint;
  comment?: string;

  private constructor(form: 'krl' | 'keys') {
    this.form = form;
  }

  /** A KRL (by its magic) or a plain public keys text. Throws CertificateError(KRL_FORMAT). */
  static parse(data: Uint8Array | string, where = 'revoked keys'): RevokedKeys {
    const bytes = typeof data === 'string' ? new Uint8Array(Buffer.from(data, 'utf8')) : data;
    try {
      return isKrl(bytes) ? RevokedKeys.#parseKrl(bytes) : RevokedKeys.#parseKeys(Buffer.from(bytes).toString('utf8'));
    } catch (e) {
      if (e instanceof WireError) throw new CertificateError('KRL_FORMAT', `${where}: ${e.message}`);
      throw e;
    }
  }

  static #parseKeys(text: string): RevokedKeys {
    const out = new RevokedKeys('keys');
    let lineNo = 0;
    for (const raw of text.split('\n')) {
      lineNo++;
      // as sshkey_in_file reads it: a C string (cut at NUL), leading spaces and tabs skipped, then
      // nothing or '#' is skipped and anything else must be a key — a blank CRLF line ("\r") is not
      // one, and sshd refuses every login with it
      const nul = raw.indexOf('\0');
      const line = (nul === -1 ? raw : raw.slice(0, nul)).replace(/^[ \t]+/, '');
      if (line === '' || line.startsWith('#')) continue;
      const m = /^([^ \t]+)[ \t]+([A-Za-z0-9+/]+={0,2})(?:\r?$|[ \t][^]*$)/.exec(line);
      if (!m) throw new WireError(`line ${lineNo} is not "type base64 [comment]"`);
      // b64_pton as sshd decodes it: strict padding, zero slop bits (Buffer's base64 would take more)
      const decoded = strictBase64(m[2] as string);
      if (!decoded || decoded.length === 0) throw new WireError(`line ${lineNo}: the key is not base64 as sshd reads it`);
      let info;
      try {
        info = parsePublicKeyBlob(new Uint8Array(decoded));
      } catch {
        throw new WireError(`line ${lineNo}: the key is malformed`);
      }
      if (!namesFor(info.type).includes(m[1] as string)) throw new WireError(`line ${lineNo} says ${m[1]} but holds a ${info.type} key`);
      if (isShortRsa(info)) continue; // sshd skips it (SSH_ERR_KEY_LENGTH)
      const unreadable = unreadableKey(info);
      if (unreadable) throw new WireError(`line ${lineNo}: ${unreadable}`);
      // by value, as sshd compares keys: RSA and DSA numbers written with extra leading zeros are the same key
      out.#keys.add(hex(canonicalKeyBlob(plainBlob(info.blob))));
    }
    return out;
  }

  static #parseKrl(data: Uint8Array): RevokedKeys {
    const out = new RevokedKeys('krl');
    const r = new WireReader(data.subarray(MAGIC.length));
    const version = r.uint32();
    if (version !== 1) throw new WireError(`KRL format version ${version} is not 1`);
    out.krlVersion = r.uint64();
    r.uint64(); // generated date
    r.uint64(); // flags
    r.string(); // reserved
    out.comment = r.utf8();
    // a C string for sshd (sshbuf_get_cstring): a NUL in it makes the KRL unreadable
    if (out.comment.includes('\0')) throw new WireError('KRL comment holds a NUL byte');
    while (r.remaining > 0) {
      const type = r.byte();
      const sect = new WireReader(r.string());
      switch (type) {
        case SECTION_CERTIFICATES:
          out.#parseCertSection(sect);
          break;
        case SECTION_EXPLICIT_KEY:
          while (sect.remaining > 0) {
            const blob = sect.string();
            try {
              parsePublicKeyBlob(blob);
            } catch {
              throw new WireError('KRL explicit key is malformed');
            }
            out.#countEntry();
            out.#keys.add(hex(blob));
          }
          break;
        case SECTION_FINGERPRINT_SHA1:
        case SECTION_FINGERPRINT_SHA256: {
          const len = type === SECTION_FINGERPRINT_SHA1 ? 20 : 32;
          const set = type === SECTION_FINGERPRINT_SHA1 ? out.#sha1 : out.#sha256;
          while (sect.remaining > 0) {
            const h = sect.string();
            if (h.length !== len) throw new WireError(`KRL ${len === 20 ? 'SHA1' : 'SHA256'} fingerprint of ${h.length} bytes`);
            out.#countEntry();
            set.add(hex(h));
          }
          break;
        }
        case SECTION_SIGNATURE:
          throw new WireError('signed KRLs are not supported');
        default:
          throw new WireError(`unsupported KRL section ${type}`);
      }
      if (sect.remaining > 0) throw new WireError('KRL section contains unparsed data');
    }
    for (const rc of out.#certs.values()) rc.serials.freeze();
    return out;
  }

  /** One more entry read from the KRL; WireError past MAX_KRL_ENTRIES. */
  #countEntry(): void {
    if (++this.#entries > MAX_KRL_ENTRIES) throw new WireError(`KRL holds more than ${MAX_KRL_ENTRIES} entries (this package's limit)`);
  }

  #parseCertSection(r: WireReader): void {
    this.#countEntry();
    if (++this.#caSections > MAX_KRL_CA_SECTIONS) throw new WireError(`KRL holds more than ${MAX_KRL_CA_SECTIONS} CA sections (this package's limit)`);
    const caBlob = r.string();
    r.string(); // reserved
    if (caBlob.length > 0) {
      let info: PublicKeyInfo;
      try {
        info = parsePublicKeyBlob(caBlob);
      } catch {
        throw new WireError('KRL CA key is malformed');
      }
      const unreadable = isShortRsa(info) ? `RSA key of ${info.bits} bits` : unreadableKey(info);
      if (unreadable) throw new WireError(`KRL CA key: ${unreadable}`);
    }
    // the CA by value (sshkey_equal), '' for any CA
    const key = hex(canonicalKeyBlob(caBlob));
    let rc = this.#certs.get(key);
    if (!rc) {
      rc = { serials: new SerialRanges(), keyIds: new Set() };
      this.#certs.set(key, rc);
    }
    const revokeRange = (lo: bigint, hi: bigint) => {
      if (lo === 0n || lo > hi) throw new WireError(`KRL serial range ${lo}-${hi} is invalid`);
      this.#countEntry();
      rc.serials.add(lo, hi);
    };
    while (r.remaining > 0) {
      const type = r.byte();
      const sub = new WireReader(r.string());
      switch (type) {
        case CERT_SERIAL_LIST:
          while (sub.remaining > 0) {
            const s = sub.uint64();
            revokeRange(s, s);
          }
          break;
        case CERT_SERIAL_RANGE:
          revokeRange(sub.uint64(), sub.uint64());
          break;
        case CERT_SERIAL_BITMAP: {
          const offset = sub.uint64();
          // a bignum: sshd refuses one over 2048 bytes (ssh-keygen -k writes them), and then the whole KRL
          const m = bignumMagnitude(sub.string(), 'KRL serial bitmap');
          // bit i (from the least significant end) revokes offset + i; each run of set bits is one range
          let runStart = -1;
          const endRun = (end: number) => {
            const hi = offset + BigInt(end);
            if (hi > 0xffffffffffffffffn) throw new WireError('KRL serial bitmap wraps');
            revokeRange(offset + BigInt(runStart), hi);
            runStart = -1;
          };
          for (let byteIdx = m.length - 1, bit = 0; byteIdx >= 0; byteIdx--) {
            const b = m[byteIdx] as number;
            for (let k = 0; k < 8; k++, bit++) {
              if ((b & (1 << k)) !== 0) {
                if (runStart < 0) runStart = bit;
              } else if (runStart >= 0) endRun(bit - 1);
            }
          }
          if (runStart >= 0) endRun(m.length * 8 - 1);
          break;
        }
        case CERT_KEY_ID:
          while (sub.remaining > 0) {
            const id = sub.string();
            if (id.includes(0)) throw new WireError('KRL key id contains a NUL byte');
            this.#countEntry();
            rc.keyIds.add(hex(id));
          }
          break;
        default:
          throw new WireError(`unsupported KRL certificate section ${type}`);
      }
      if (sub.remaining > 0) throw new WireError('KRL certificate section contains unparsed data');
    }
  }

  /** Why this key (a plain key blob) or certificate is revoked, or undefined. */
  revocationOf(subject: Uint8Array | SshCertificate): string | undefined {
    // keys compared and hashed as sshd re-encodes them (RSA and DSA numbers without extra leading zeros)
    if (subject instanceof Uint8Array) return this.#plainRevoked(canonicalKeyBlob(plainBlob(subject)));
    const own = this.#plainRevoked(canonicalKeyBlob(subject.key.blob));
    if (own) return own;
    const ca = canonicalKeyBlob(subject.caKey.blob);
    if (this.form === 'keys') {
      // a plain revoked-keys file: its keys also revoke every certificate they signed, as sshd
      if (this.#keys.has(hex(ca))) return 'its CA key is listed as revoked';
      return undefined;
    }
    for (const caKey of [hex(ca), '']) {
      const rc = this.#certs.get(caKey);
      if (!rc) continue;
      if (rc.keyIds.has(hex(new TextEncoder().encode(subject.keyId)))) return `revoked by key id${caKey === '' ? ' (any CA)' : ''}`;
      if (subject.serial !== 0n && rc.serials.has(subject.serial)) {
        return `serial ${subject.serial} revoked${caKey === '' ? ' (any CA)' : ''}`;
      }
    }
    const caRevoked = this.#plainRevoked(ca);
    return caRevoked ? `its CA key is revoked (${caRevoked})` : undefined;
  }

  isRevoked(subject: Uint8Array | SshCertificate): boolean {
    return this.revocationOf(subject) !== undefined;
  }

  #plainRevoked(plain: Uint8Array): string | undefined {
    // hashed only when the KRL has fingerprint sections: this runs at every login
    if (this.#sha1.size > 0 && this.#sha1.has(createHash('sha1').update(plain).digest('hex'))) return 'revoked by SHA1 fingerprint';
    if (this.#sha256.size > 0 && this.#sha256.has(createHash('sha256').update(plain).digest('hex'))) return 'revoked by SHA256 fingerprint';
    if (this.#keys.has(hex(plain))) return 'revoked key';
    return undefined;
  }
}
