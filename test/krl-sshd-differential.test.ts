/**
 * Revoked keys: the library and a real sshd decide the same. One private sshd
 * (test/helpers/sshd.ts) runs with `RevokedKeys FILE` (two FILEs, one per
 * peer address, by `Match Address`, so two cases run at a time); sshd reads
 * FILE at every key check, so each case replaces FILE (atomically, by
 * rename) with
 * a KRL from the real `ssh-keygen -k` (-s CA spec lines: serial, range, id,
 * key, sha1, sha256, hash; a CA key; -u updates; empty), a plain public
 * keys file, or a broken one (missing, a directory, a truncated KRL, lines
 * sshd cannot read). For each case one `ssh -v` connection offers the public
 * half of every subject — plain keys listed in authorized_keys and
 * certificates of three CAs (Ed25519, ECDSA, RSA) trusted by `cert-authority,principals=` lines — and
 * sshd answers "key acceptable" or not after its full check (revocation
 * included; its log must name the revocation or the file's error as the
 * reason of every refusal). The library decides for the same subjects, the
 * same authorized_keys text and the same FILE three ways: a
 * CryptosignAuthenticator (HELLO, then AUTHENTICATE signed with the key)
 * following FILE with the RevokedKeysFile made when FILE held an empty KRL,
 * crossbarDecision following it the same way, and a router started now (a
 * new RevokedKeysFile, which refuses to start on a file it cannot use).
 * Every verdict must equal sshd's, case by case and subject by subject;
 * the one deliberate difference (docs/certificates.md: a KRL explicit key
 * that is malformed, which sshd keeps unparsed and the library refuses with
 * the whole file) is asserted as such. Table of verdicts:
 * KRL_DIFFERENTIAL_TABLE=1 node --test dist/test/krl-sshd-differential.test.js
 */
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { AuthError, CryptosignKeysError } from '../lib/errors.js';
import { toHex } from '../lib/crypto/hex.js';
import { loadKeyFile } from '../lib/keys/openssh-key-file.js';
import type { SigningKey } from '../lib/keys/signing-key.js';
import { parseCertificate, type SshCertificate } from '../lib/ssh/certificate.js';
import { fingerprintOfBlob } from '../lib/ssh/public-key.js';
import { concatBytes, wireString, WireReader } from '../lib/ssh/wire.js';
import { signChallenge } from '../lib/wamp/challenge.js';
import { crossbarDecision } from '../lib/wamp/crossbar/dynamic-authenticator.js';
import { CryptosignAuthenticator } from '../lib/wamp/router/authenticator.js';
import { parseAuthorizedKeys, type AuthorizedKeys } from '../lib/wamp/router/principals.js';
import { RevokedKeysFile } from '../lib/wamp/router/revoked-keys-file.js';
import { tempDir } from './helpers/paths.js';
import { certBlob, makeKey, pubBlob, signKey, sshKeygen, type SignOptions } from './helpers/ssh-certs.js';
import { startSshd, type PrivateSshd } from './helpers/sshd.js';

const tmp = tempDir();
/**
 * Two lanes, one sshd: the cases run two at a time, one asked from 127.0.0.1
 * (sshd's RevokedKeys) and one from ::1 (`Match Address ::1`, its own
 * RevokedKeys file); each lane has its own file and its own followed
 * RevokedKeysFile, and sshd's log names the file in every reason.
 */
const LANES = [
  { address: '127.0.0.1', revoked: join(tmp.dir, 'revoked_keys_v4') },
  { address: '::1', revoked: join(tmp.dir, 'revoked_keys_v6') },
] as const;
type Lane = (typeof LANES)[number];
/** the public halves ssh offers, alone in their directory (no private key beside them: ssh can only ask) */
const OFFER = join(tmp.dir, 'offer');

interface Subject {
  name: string;
  /** the key file (private; its .pub beside it) */
  key: string;
  /** the file offered to sshd: a copy of the .pub or of the -cert.pub */
  offered: string;
  /** the plain key's SHA256 fingerprint (what sshd's log names, for a certificate too) */
  fingerprint: string;
  certificate?: SshCertificate;
  /** the certificate file (…-cert.pub), for a certificate */
  certFile?: string;
  signingKey: SigningKey;
}

let sshd: PrivateSshd;
let ca1: string;
let ca2: string;
/** an RSA CA: sshd compares its key by value, so its numbers can be written with extra leading zeros */
let ca3: string;
let authorizedKeys: AuthorizedKeys;
/** per lane, the router's RevokedKeysFile, made when the lane's file held an empty KRL, following it since */
const followed = new Map<Lane, RevokedKeysFile>();
const subjects: Subject[] = [];
const byName = (name: string) => subjects.find((s) => s.name === name) as Subject;
const pubLine = (keyPath: string) => readFileSync(`${keyPath}.pub`, 'utf8').trim();

/** the plain keys listed in authorized_keys, and what each is for */
const PLAIN = ['k-key', 'k-sha1', 'k-sha256', 'k-hash', 'k-update', 'k-textfile', 'k-ok'];
/** certificates: [name, CA 1 or 2, ssh-keygen -s options] (principal alice, accepted by both CA lines) */
const CERTS: Array<[string, 1 | 2 | 3, SignOptions]> = [
  ['c1-serial5', 1, { serial: 5, id: 'c1-serial5' }],
  ['c1-serial15', 1, { serial: 15, id: 'c1-serial15' }],
  ['c1-serial21', 1, { serial: 21, id: 'c1-serial21' }],
  ['c1-badid', 1, { serial: 30, id: 'badid' }],
  ['c1-badid-serial0', 1, { serial: 0, id: 'badid' }],
  ['c1-update', 1, { serial: 40, id: 'c1-update' }],
  ['c1-of-revoked-key', 1, { serial: 60, id: 'c1-of-revoked-key' }],
  ['c1-ok', 1, { serial: 50, id: 'goodid' }],
  ['c2-serial5-badid', 2, { serial: 5, id: 'badid' }],
  ['c2-ok', 2, { serial: 70, id: 'c2-ok' }],
  ['c3-serial7', 3, { serial: 7, id: 'c3-serial7' }],
];

before(async () => {
  mkdirSync(OFFER);
  for (const lane of LANES) sshKeygen(['-q', '-k', '-f', lane.revoked]); // an empty KRL
  sshd = await startSshd(tmp.dir, { config: [`RevokedKeys ${LANES[0].revoked}`, 'Match Address ::1', `  RevokedKeys ${LANES[1].revoked}`] });
  ca1 = makeKey(tmp.dir, 'ca1');
  ca2 = makeKey(tmp.dir, 'ca2', 'ecdsa256');
  ca3 = makeKey(tmp.dir, 'ca3', 'rsa');
  for (const name of PLAIN) {
    const key = makeKey(tmp.dir, name);
    const offered = join(OFFER, `${name}.pub`);
    copyFileSync(`${key}.pub`, offered);
    subjects.push({ name, key, offered, fingerprint: fingerprintOfBlob(pubBlob(`${key}.pub`)), signingKey: loadKeyFile(key) });
  }
  for (const [name, ca, o] of CERTS) {
    const key = makeKey(tmp.dir, name);
    const certFile = signKey(ca === 1 ? ca1 : ca === 2 ? ca2 : ca3, key, { principals: ['alice'], ...o });
    const offered = join(OFFER, `${name}-cert.pub`);
    copyFileSync(certFile, offered);
    subjects.push({
      name, key, offered, certFile,
      fingerprint: fingerprintOfBlob(pubBlob(`${key}.pub`)),
      certificate: parseCertificate(certBlob(certFile)),
      signingKey: loadKeyFile(key),
    });
  }
  const text = [
    ...PLAIN.map((n) => pubLine(byName(n).key)),
    `cert-authority,principals="alice" ${pubLine(ca1)}`,
    `cert-authority,principals="alice" ${pubLine(ca2)}`,
    `cert-authority,principals="alice" ${pubLine(ca3)}`,
  ].join('\n') + '\n';
  sshd.setAuthorizedKeys(text);
  authorizedKeys = parseAuthorizedKeys(text);
  for (const lane of LANES) followed.set(lane, new RevokedKeysFile(lane.revoked));
});
after(async () => {
  await sshd?.stop();
  for (const s of subjects) await s.signingKey.close();
  tmp.cleanup();
});

/** Puts `content` at `path` as sshd and the router see it: a file (renamed into place), a directory, or nothing. */
function setRevoked(path: string, content: Uint8Array | string | { directory: true } | null): void {
  rmSync(path, { recursive: true, force: true });
  if (content === null) return;
  if (typeof content === 'object' && 'directory' in content) {
    mkdirSync(path);
    return;
  }
  const t = `${path}.new`;
  writeFileSync(t, content);
  renameSync(t, path);
}

/** A KRL from ssh-keygen -k: `args` after `-k -f FILE` (spec files, key files, -s CA, -u). */
function krl(file: string, args: string[]): Buffer {
  sshKeygen(['-q', '-k', '-f', file, ...args]);
  return readFileSync(file);
}

function specFile(name: string, lines: string[]): string {
  const p = join(tmp.dir, name);
  writeFileSync(p, lines.join('\n') + '\n');
  return p;
}

type Verdict = 'accept' | 'refuse';

/** sshd's verdict per subject (one connection offering every public half), and the subjects its log says it refused as revoked / for an unusable file. */
async function sshdVerdicts(lane: Lane): Promise<{ verdicts: Map<string, Verdict>; revokedInLog: Set<string>; fileErrorInLog: Set<string> }> {
  const from = sshd.log().length;
  const r = await sshd.ssh(subjects.flatMap((s) => ['-i', s.offered]), lane.address, { verbose: true });
  assert.notEqual(r.code, 0, 'ssh could not log in: it holds no private key');
  const verdicts = new Map<string, Verdict>();
  for (const s of subjects) {
    assert.ok(r.stderr.includes(`Offering public key: ${s.offered} `), `${s.name}: offered to sshd\n${r.stderr.slice(-3000)}`);
    verdicts.set(s.name, r.stderr.includes(`Server accepts key: ${s.offered} `) ? 'accept' : 'refuse');
  }
  // every refusal's reason, from sshd's own log (its processes may still be writing when ssh has ended)
  const refused = subjects.filter((s) => verdicts.get(s.name) === 'refuse');
  const revokedInLog = new Set<string>();
  const fileErrorInLog = new Set<string>();
  const scan = (text: string) => {
    for (const m of text.matchAll(/^Authentication key ED25519(?:-CERT)? (SHA256:\S+) revoked by file (\S+)$/gm)) {
      if (m[2] === lane.revoked) revokedInLog.add(m[1] as string);
    }
    for (const m of text.matchAll(/^Error checking authentication key ED25519(?:-CERT)? (SHA256:\S+) in revoked keys file ([^:\s]+):/gm)) {
      if (m[2] === lane.revoked) fileErrorInLog.add(m[1] as string);
    }
    return refused.every((s) => revokedInLog.has(s.fingerprint) || fileErrorInLog.has(s.fingerprint));
  };
  await sshd.waitForLog(from, scan, `a reason for each of ${refused.length} refusals`);
  return { verdicts, revokedInLog, fileErrorInLog };
}

/** The router: HELLO (a certificate in authextra.certificate) then AUTHENTICATE signed with the key; 'ok' or the refusal's code. */
async function authenticatorVerdict(s: Subject, revokedKeys: () => ReturnType<RevokedKeysFile['current']>): Promise<string> {
  const auth = new CryptosignAuthenticator({ principals: authorizedKeys, revokedKeys });
  try {
    const login = await auth.hello(
      { authmethods: ['cryptosign'], authextra: { pubkey: s.signingKey.publicKeyHex, ...(s.certificate ? { certificate: Buffer.from(s.certificate.blob).toString('base64') } : {}) } },
      { realm: 'realm1', peerAddress: '127.0.0.1' },
    );
    login.authenticate(await signChallenge(s.signingKey, login.extra.challenge));
    return 'ok';
  } catch (e) {
    if (!(e instanceof AuthError)) throw e;
    return e.refusal?.code ?? e.code;
  }
}

/** crossbar's dynamic authenticator: its decision for the same login; 'ok' or the refusal's code. */
function crossbarVerdict(s: Subject, revokedKeys: () => ReturnType<RevokedKeysFile['current']>): string {
  try {
    crossbarDecision(authorizedKeys, 'realm1', undefined, {
      authmethod: 'cryptosign',
      transport: { peer: 'tcp4:127.0.0.1:40000' },
      authextra: { pubkey: s.signingKey.publicKeyHex, ...(s.certificate ? { certificate: Buffer.from(s.certificate.blob).toString('base64') } : {}) },
    }, { defaultRole: 'user', revokedKeys });
    return 'ok';
  } catch (e) {
    if (!(e instanceof AuthError)) throw e;
    return e.refusal?.code ?? e.code;
  }
}

interface Case {
  name: string;
  /** what the lane's revoked keys file holds (made when the case runs) */
  content: () => Uint8Array | string | { directory: true } | null;
  /** the subjects sshd is expected to refuse ('all' when the file cannot be used) */
  refused: string[] | 'all';
  /** in a file sshd cannot use: subjects it finds revoked before it reaches the bad line */
  revokedFirst?: string[];
  /** the library refuses every login on purpose where sshd uses the file (docs/certificates.md) */
  deliberate?: string;
}

const ALL_CERT_NAMES = CERTS.map(([n]) => n);
const specB = () =>
  specFile('spec-b', [
    'serial: 5',
    'serial: 10-20',
    'id: badid',
    `key: ${pubLine(byName('k-key').key)}`,
    `key: ${pubLine(byName('c1-of-revoked-key').key)}`,
    `sha1: ${pubLine(byName('k-sha1').key)}`,
    `sha256: ${pubLine(byName('k-sha256').key)}`,
    `hash: ${byName('k-hash').fingerprint}`,
  ]);
const B_REFUSED = ['k-key', 'k-sha1', 'k-sha256', 'k-hash', 'c1-serial5', 'c1-serial15', 'c1-badid', 'c1-badid-serial0', 'c1-of-revoked-key'];
/** a 512-bit RSA public key: sshd skips such a line of a revoked keys file (SSH_ERR_KEY_LENGTH) */
const shortRsaLine = () => {
  const n = Buffer.alloc(65);
  n[1] = 0xc1;
  n[64] = 0x01;
  const blob = concatBytes(wireString('ssh-rsa'), wireString(new Uint8Array([1, 0, 1])), wireString(n));
  return `ssh-rsa ${Buffer.from(blob).toString('base64')} short`;
};

/** An RSA key line built from a real 2048-bit key's exponent and modulus, as `edit` changes them (sshd reads both as bignums). */
let rsaParts: { e: Uint8Array; n: Uint8Array } | undefined;
const rsaLine = (edit: (p: { e: Uint8Array; n: Uint8Array }) => { e: Uint8Array; n: Uint8Array }) => {
  if (!rsaParts) {
    const r = new WireReader(pubBlob(`${makeKey(tmp.dir, 'rsa-bignums', 'rsa')}.pub`));
    r.string();
    rsaParts = { e: r.string(), n: r.string() };
  }
  const { e, n } = edit(rsaParts);
  return `ssh-rsa ${Buffer.from(concatBytes(wireString('ssh-rsa'), wireString(e), wireString(n))).toString('base64')}\n`;
};
const zeroPadded = (m: Uint8Array, length: number) => concatBytes(new Uint8Array(length - m.length), m);
/** A KRL (from ssh-keygen -k, empty) with a certificate section for CA1 whose serial bitmap (offset 0) is `bitmap`. */
const krlWithBitmap = (name: string, bitmap: Uint8Array) => {
  const offset = new Uint8Array(8);
  const section = concatBytes(wireString(pubBlob(`${ca1}.pub`)), wireString(''), new Uint8Array([0x22]), wireString(concatBytes(offset, wireString(bitmap))));
  return concatBytes(krl(join(tmp.dir, name), []), new Uint8Array([1]), wireString(section));
};
/** 2049 bytes revoking serial 5: the first byte zero (the longest bignum sshd reads) or not */
const bitmap2049 = (first: number) => {
  const m = new Uint8Array(2049);
  m[0] = first;
  m[2048] = 1 << 5;
  return m;
};

/** CA3's public key blob with its modulus written with two extra leading zero bytes (the same key to sshd) */
const paddedCa3 = () => {
  const r = new WireReader(pubBlob(`${ca3}.pub`));
  r.string();
  const e = r.string();
  const n = r.string();
  return concatBytes(wireString('ssh-rsa'), wireString(e), wireString(concatBytes(new Uint8Array(2), n)));
};

const CASES: Case[] = [
  { name: 'empty KRL (ssh-keygen -k, no input)', content: () => krl(join(tmp.dir, 'krl-empty'), []), refused: [] },
  {
    name: 'KRL -s CA1: serial, range, id, key (a plain key, the key of a certificate), sha1, sha256, hash',
    content: () => krl(join(tmp.dir, 'krl-b'), ['-s', `${ca1}.pub`, specB()]),
    refused: B_REFUSED,
  },
  {
    name: 'the same KRL updated with -u: a plain key and a certificate file added',
    content: () => {
      const file = join(tmp.dir, 'krl-u');
      krl(file, ['-s', `${ca1}.pub`, specB()]);
      return krl(file, ['-u', `${byName('k-update').key}.pub`, byName('c1-update').certFile as string]);
    },
    refused: [...B_REFUSED, 'k-update', 'c1-update'],
  },
  { name: 'KRL revoking CA2 (its key)', content: () => krl(join(tmp.dir, 'krl-ca2'), [`${ca2}.pub`]), refused: ['c2-serial5-badid', 'c2-ok'] },
  {
    name: 'plain public keys: a key (CRLF), CA2, a certificate line (its key), comments, a DSA key, an RSA key',
    content: () => {
      const dsa = join(tmp.dir, 'dsa-unrelated');
      sshKeygen(['-q', '-t', 'dsa', '-N', '', '-f', dsa]);
      const rsa = makeKey(tmp.dir, 'rsa-unrelated', 'rsa');
      return [
        '# revoked keys',
        '',
        `  ${pubLine(byName('k-textfile').key)}\r`,
        `${pubLine(ca2)} the second CA`,
        readFileSync(byName('c1-ok').certFile as string, 'utf8').trim(),
        '\t# indented comment',
        pubLine(dsa),
        pubLine(rsa),
        '',
      ].join('\n');
    },
    refused: ['k-textfile', 'c2-serial5-badid', 'c2-ok', 'c1-ok'],
  },
  { name: 'plain public keys: only comments', content: () => '# nothing revoked\n\n', refused: [] },
  { name: 'an empty file (0 bytes)', content: () => '', refused: [] },
  { name: 'plain public keys: a 512-bit RSA key (sshd skips the line)', content: () => shortRsaLine() + '\n', refused: [] },
  { name: 'missing file', content: () => null, refused: 'all' },
  { name: 'a directory', content: () => ({ directory: true }), refused: 'all' },
  { name: 'a truncated KRL', content: () => krl(join(tmp.dir, 'krl-t'), ['-s', `${ca1}.pub`, specB()]).subarray(0, -1), refused: 'all' },
  {
    name: 'plain public keys: a revoked key, then a line that is not a key',
    content: () => `${pubLine(byName('k-textfile').key)}\nnot a key\n`,
    refused: 'all',
    revokedFirst: ['k-textfile'],
  },
  {
    name: 'plain public keys: a line of an unknown key type',
    content: () => `ssh-frob ${Buffer.from(concatBytes(wireString('ssh-frob'), wireString('x'))).toString('base64')}\n`,
    refused: 'all',
  },
  {
    name: 'plain public keys: a line with authorized_keys options',
    content: () => `from="10.0.0.1" ${pubLine(byName('k-textfile').key)}\n`,
    refused: 'all',
  },
  {
    name: 'plain public keys: a key under its short type name (ED25519)',
    content: () => `ED25519 ${pubLine(byName('k-textfile').key).split(' ')[1]}\n`,
    refused: 'all',
  },
  {
    name: 'a KRL whose explicit key section holds a key of an unknown type (sshd keeps the blob as it is)',
    content: () => {
      const base = krl(join(tmp.dir, 'krl-x'), []);
      const frob = concatBytes(wireString('ssh-frob'), wireString('x'));
      return concatBytes(base, new Uint8Array([2]), wireString(wireString(frob)));
    },
    refused: [],
  },
  {
    name: 'a KRL whose certificate section names a CA key of an unknown type',
    content: () => {
      const base = krl(join(tmp.dir, 'krl-y'), []);
      const frob = concatBytes(wireString('ssh-frob'), wireString('x'));
      const ids = concatBytes(new Uint8Array([0x23]), wireString(wireString('nobody')));
      return concatBytes(base, new Uint8Array([1]), wireString(concatBytes(wireString(frob), wireString(''), ids)));
    },
    refused: 'all',
  },
  {
    name: 'plain public keys: an ECDSA key on a curve sshd does not know',
    content: () => `ecdsa-sha2-nistp999 ${Buffer.from(concatBytes(wireString('ecdsa-sha2-nistp999'), wireString('nistp999'), wireString(new Uint8Array([4, 1, 2])))).toString('base64')}\n`,
    refused: 'all',
  },
  {
    name: 'plain public keys: an ECDSA nistp256 key whose point is not on the curve',
    content: () => {
      const point = new Uint8Array(65);
      point[0] = 4;
      point[64] = 7;
      return `ecdsa-sha2-nistp256 ${Buffer.from(concatBytes(wireString('ecdsa-sha2-nistp256'), wireString('nistp256'), wireString(point))).toString('base64')}\n`;
    },
    refused: 'all',
  },
  {
    name: 'plain public keys: an RSA key under the name rsa-sha2-512',
    content: () => `rsa-sha2-512 ${pubLine(join(tmp.dir, 'rsa-unrelated')).split(' ')[1]}\n`,
    refused: [],
  },
  {
    name: 'a KRL whose explicit key section holds a malformed Ed25519 key (31 bytes)',
    content: () => {
      const base = krl(join(tmp.dir, 'krl-z'), []);
      const short = concatBytes(wireString('ssh-ed25519'), wireString(new Uint8Array(31)));
      return concatBytes(base, new Uint8Array([2]), wireString(wireString(short)));
    },
    refused: [],
    deliberate: 'sshd keeps an explicit key blob unparsed; the library refuses a KRL holding a key no ssh-keygen writes',
  },
  {
    name: 'plain public keys: base64 with one = too many (b64_pton refuses it)',
    content: () => {
      const [t, b] = pubLine(byName('k-textfile').key).split(' ');
      return `${t} ${b}= comment\n`;
    },
    refused: 'all',
  },
  {
    name: 'plain public keys: base64 whose slop bits are not zero (an ECDSA key)',
    content: () => {
      const [t, b] = pubLine(ca2).split(' ') as [string, string];
      const A = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
      const i = b.indexOf('=') - 1; // the last character before the padding carries two slop bits
      return `${t} ${b.slice(0, i)}${A[A.indexOf(b[i] as string) | 1]}${b.slice(i + 1)}\n${pubLine(byName('k-textfile').key)}\n`;
    },
    refused: 'all',
  },
  { name: 'plain public keys: a blank CRLF line after a revoked key', content: () => `${pubLine(byName('k-textfile').key)}\r\n\r\n`, refused: 'all', revokedFirst: ['k-textfile'] },
  { name: 'plain public keys: a line holding a form feed', content: () => `\f\n${pubLine(byName('k-textfile').key)}\n`, refused: 'all' },
  {
    name: 'plain public keys: a certificate line whose CA signature does not verify',
    content: () => {
      const [t, b] = readFileSync(byName('c1-ok').certFile as string, 'utf8').trim().split(' ') as [string, string];
      const blob = Buffer.from(b, 'base64');
      blob[blob.length - 5] = (blob[blob.length - 5] as number) ^ 1; // inside the Ed25519 signature
      return `${t} ${blob.toString('base64')}\n`;
    },
    refused: 'all',
  },
  {
    name: 'a KRL whose certificate section names a 512-bit RSA CA key',
    content: () => {
      const base = krl(join(tmp.dir, 'krl-rsa512'), []);
      const n = Buffer.alloc(65);
      n[1] = 0xc1;
      n[64] = 1;
      const rsa = concatBytes(wireString('ssh-rsa'), wireString(new Uint8Array([1, 0, 1])), wireString(n));
      const ids = concatBytes(new Uint8Array([0x23]), wireString(wireString('nobody')));
      return concatBytes(base, new Uint8Array([1]), wireString(concatBytes(wireString(rsa), wireString(''), ids)));
    },
    refused: 'all',
  },
  {
    name: 'plain public keys: an RSA key whose modulus is zero-padded to 2049 bytes (sshd trims the zeros)',
    content: () => rsaLine(({ e, n }) => ({ e, n: zeroPadded(n, 2049) })),
    refused: [],
  },
  {
    name: 'plain public keys: an RSA key whose modulus is zero-padded to 2050 bytes (over SSHBUF_MAX_BIGNUM)',
    content: () => rsaLine(({ e, n }) => ({ e, n: zeroPadded(n, 2050) })),
    refused: 'all',
  },
  {
    name: 'plain public keys: an RSA key whose exponent is 2049 bytes, the first not zero',
    content: () => rsaLine(({ n }) => ({ e: bitmap2049(1), n })),
    refused: 'all',
  },
  {
    name: 'plain public keys: an RSA key whose modulus is negative (its leading zero dropped)',
    content: () => rsaLine(({ e, n }) => ({ e, n: n.subarray(1) })),
    refused: 'all',
  },
  { name: 'a KRL serial bitmap of 2049 bytes, the first zero', content: () => krlWithBitmap('krl-bm-2049z', bitmap2049(0)), refused: ['c1-serial5'] },
  { name: 'a KRL serial bitmap of 2049 bytes, the first not zero', content: () => krlWithBitmap('krl-bm-2049', bitmap2049(1)), refused: 'all' },
  {
    name: 'plain public keys: the RSA CA3 key, its modulus written with two extra leading zeros (the same key)',
    content: () => `ssh-rsa ${Buffer.from(paddedCa3()).toString('base64')} padded\n`,
    refused: ['c3-serial7'],
  },
  {
    name: 'a KRL revoking serial 7 under the RSA CA3 key written with extra leading zeros',
    content: () => {
      const serials = concatBytes(new Uint8Array([0x20]), wireString(concatBytes(new Uint8Array(7), new Uint8Array([7]))));
      return concatBytes(krl(join(tmp.dir, 'krl-ca3'), []), new Uint8Array([1]), wireString(concatBytes(wireString(paddedCa3()), wireString(''), serials)));
    },
    refused: ['c3-serial7'],
  },
  { name: 'empty KRL again (logins come back)', content: () => krl(join(tmp.dir, 'krl-empty2'), []), refused: [] },
];

test('RevokedKeys: a real sshd and the library (authenticator, crossbar decision, a router started now) agree on every file and subject', async () => {
  const rows = new Map<Case, string[]>();
  let accepted = 0;
  let refusedCount = 0;
  const runCase = async (c: Case, lane: Lane) => {
    const table: string[] = [];
    rows.set(c, table);
    setRevoked(lane.revoked, c.content());
    const { verdicts, revokedInLog, fileErrorInLog } = await sshdVerdicts(lane);
    // the router started now: refuses to start on a file it cannot use (nothing logs in)
    let fresh: RevokedKeysFile | undefined;
    let freshError = '';
    try {
      fresh = new RevokedKeysFile(lane.revoked);
    } catch (e) {
      if (!(e instanceof CryptosignKeysError)) throw e;
      freshError = e.code;
    }
    for (const s of subjects) {
      const sshdSays = verdicts.get(s.name) as Verdict;
      const expected: Verdict = c.refused === 'all' || c.refused.includes(s.name) ? 'refuse' : 'accept';
      const follows = followed.get(lane) as RevokedKeysFile;
      const auth = await authenticatorVerdict(s, () => follows.current());
      const cb = crossbarVerdict(s, () => follows.current());
      const started = fresh ? await authenticatorVerdict(s, () => (fresh as RevokedKeysFile).current()) : `not started: ${freshError}`;
      const lib = (v: string): Verdict => (v === 'ok' ? 'accept' : 'refuse');
      table.push(`${c.name} | ${lane.address} | ${s.name} | sshd ${sshdSays} | authenticator ${auth} | crossbar ${cb} | started now ${started}`);
      const at = `${c.name} / ${s.name}`;
      assert.equal(sshdSays, expected, `${at}: sshd ${sshdSays}s, the test expected ${expected}`);
      // where the library refuses on purpose, it refuses every login (and a router does not start)
      const libExpected: Verdict = c.deliberate ? 'refuse' : sshdSays;
      const why = c.deliberate ? ` (deliberately: ${c.deliberate})` : '';
      assert.equal(lib(auth), libExpected, `${at}: sshd ${sshdSays}s, the authenticator says ${auth}${why}`);
      assert.equal(lib(cb), libExpected, `${at}: sshd ${sshdSays}s, the crossbar decision says ${cb}${why}`);
      assert.equal(lib(started), libExpected, `${at}: sshd ${sshdSays}s, a router started now says ${started}${why}`);
      if (libExpected === 'refuse') {
        // the library refuses for the revoked keys file, not for anything else
        assert.equal(auth, 'KEY_REVOKED', `${at}: the authenticator's reason`);
        assert.equal(cb, 'KEY_REVOKED', `${at}: the crossbar decision's reason`);
        if (fresh) assert.equal(started, 'KEY_REVOKED', `${at}: the started router's reason`);
      }
      if (sshdSays === 'refuse') {
        // and so does sshd
        if (c.refused === 'all' && !c.revokedFirst?.includes(s.name)) assert.ok(fileErrorInLog.has(s.fingerprint), `${at}: sshd logs the file's error`);
        else assert.ok(revokedInLog.has(s.fingerprint), `${at}: sshd logs the key as revoked`);
        refusedCount++;
      } else accepted++;
    }
    // a router started now refuses to start on exactly the files sshd cannot use
    assert.equal(fresh === undefined, c.refused === 'all' || c.deliberate !== undefined, `${c.name}: a router started now ${fresh ? 'starts' : `does not start (${freshError})`}`);
  };
  // each lane takes the next case when it is done with one
  const queue = [...CASES];
  await Promise.all(LANES.map(async (lane) => {
    for (let c = queue.shift(); c; c = queue.shift()) await runCase(c, lane);
  }));
  // "acceptable" means a login: with the private key, a key no file revokes logs in; a revoked one does not
  setRevoked(LANES[0].revoked, krl(join(tmp.dir, 'krl-login'), ['-s', `${ca1}.pub`, specB()]));
  const login = (s: Subject) => sshd.ssh(['-i', s.key, ...(s.certFile ? ['-o', `CertificateFile=${s.certFile}`] : [])], '127.0.0.1');
  const [ok, revokedKey, okCert, revokedCert] = await Promise.all(['k-ok', 'k-key', 'c1-serial21', 'c1-serial15'].map((n) => login(byName(n))));
  assert.equal(ok?.code, 0, 'a key no file revokes logs in');
  assert.notEqual(revokedKey?.code, 0, 'a revoked key does not log in');
  assert.equal(okCert?.code, 0, 'a certificate not revoked logs in');
  assert.notEqual(revokedCert?.code, 0, 'a revoked certificate does not log in');
  assert.ok(accepted >= 50 && refusedCount >= 50, `both answers exercised (${accepted} accepted, ${refusedCount} refused)`);
  // the case table, for a report: KRL_DIFFERENTIAL_TABLE=1 node --test dist/test/krl-sshd-differential.test.js
  if (process.env.KRL_DIFFERENTIAL_TABLE) console.log(CASES.flatMap((c) => rows.get(c) ?? []).join('\n'));
});
