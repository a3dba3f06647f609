/**
 * Strict Ed25519 verification: this library's decision equals libsodium's
 * crypto_sign_verify_detached (Debian's python3-nacl, what crossbar verifies
 * with) on a corpus built here to hit every rule: forgeries for all torsion
 * points as public keys, non-canonical public keys, S ≥ L, small-order R,
 * mixed-order keys, bit flips and random forgeries; and on the Wycheproof
 * vectors in test/vectors/wycheproof/ (Apache-2.0, source noted there). The corpus must also hold cases plain
 * OpenSSL accepts, or the comparison would prove nothing.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes, verify as opensslVerify, createPublicKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { Point, hashes as nobleHashes, verify as nobleVerify } from '@noble/ed25519';

nobleHashes.sha512 = (m: Uint8Array) => new Uint8Array(createHash('sha512').update(m).digest());
import { verifyEd25519Strict, publicKeyProblem, setVerifyBackend, verifyBackend } from '../lib/crypto/ed25519.js';
import { toHex } from '../lib/crypto/hex.js';
import { parseAuthorizedKeys } from '../lib/wamp/router/principals.js';
import { verifyChallengeSignature } from '../lib/wamp/challenge.js';
import { expectCode } from './helpers/errors.js';
import { ROOT, vectorsDir } from './helpers/paths.js';
import { SYSTEM_PYTHON as PYTHON } from './helpers/autobahn-python.js';

const L = 2n ** 252n + 27742317777372353535851937790883648493n;
const P = 2n ** 255n - 19n;

interface Case {
  what: string;
  pk: string;
  msg: string;
  sig: string;
}

function le32(n: bigint): Uint8Array {
  const out = new Uint8Array(32);
  for (let i = 0; i < 32; i++) out[i] = Number((n >> BigInt(8 * i)) & 0xffn);
  return out;
}
function fromLe(b: Uint8Array): bigint {
  let n = 0n;
  for (let i = b.length - 1; i >= 0; i--) n = (n << 8n) | BigInt(b[i] as number);
  return n;
}
function hram(r: Uint8Array, a: Uint8Array, m: Uint8Array): bigint {
  return fromLe(createHash('sha512').update(r).update(a).update(m).digest()) % L;
}
function secretScalar(seed: Uint8Array): bigint {
  const h = createHash('sha512').update(seed).digest();
  h[0] = (h[0] as number) & 248;
  h[31] = ((h[31] as number) & 127) | 64;
  return fromLe(h.subarray(0, 32));
}
const hex = (b: Uint8Array) => toHex(b);
const cat = (...p: Uint8Array[]) => new Uint8Array(Buffer.concat(p));
const RFC_PUB_HEX = 'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a';

function buildCorpus(): Case[] {
  const cases: Case[] = [];
  const T8 = Point.fromHex('26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05', true);
  const torsion = Array.from({ length: 8 }, (_, k) => (k === 0 ? Point.ZERO : T8.multiplyUnsafe(BigInt(k))));

  // 1. forgeries without a private key, for every small-order public key: R = [s]B + T, kept when [s]B = R + [h]A holds
  for (const [k, A] of torsion.entries()) {
    const a = A.toBytes();
    let made = 0;
    for (let tries = 0; made < 4 && tries < 400; tries++) {
      const s = fromLe(randomBytes(32)) % L;
      const T = torsion[tries % 8] as Point;
      const R = Point.BASE.multiplyUnsafe(s === 0n ? 1n : s).add(T);
      const rb = R.toBytes();
      const m = randomBytes(32);
      const h = hram(rb, a, m);
      if (!A.multiplyUnsafe(h).add(T).is0()) continue;
      cases.push({ what: `forgery for torsion point ${k}`, pk: hex(a), msg: hex(m), sig: hex(cat(rb, le32(s === 0n ? 1n : s))) });
      made++;
    }
    // the same keys with the sign bit set (another encoding of the same point, or an invalid one)
    const neg = new Uint8Array(a);
    neg[31] = (neg[31] as number) | 0x80;
    cases.push({ what: `torsion point ${k} with the sign bit`, pk: hex(neg), msg: '00', sig: hex(cat(Point.BASE.toBytes(), le32(1n))) });
  }
  // identity key: the textbook forgery R = [s]B for any s
  for (let i = 0; i < 4; i++) {
    const s = (fromLe(randomBytes(32)) % (L - 1n)) + 1n;
    cases.push({ what: 'forgery for the identity key', pk: hex(le32(1n)), msg: hex(randomBytes(16)), sig: hex(cat(Point.BASE.multiplyUnsafe(s).toBytes(), le32(s))) });
  }

  // a real key pair to derive the other cases from
  const seed = randomBytes(32);
  const a = secretScalar(seed) % L;
  const A = Point.BASE.multiplyUnsafe(a);
  const pk = A.toBytes();
  const sign = (m: Uint8Array, R: Point, r: bigint, key = pk, scalar = a) => {
    const rb = R.toBytes();
    return cat(rb, le32((r + hram(rb, key, m) * scalar) % L));
  };
  for (let i = 0; i < 6; i++) {
    const m = randomBytes(32);
    const r = fromLe(randomBytes(32)) % L;
    const good = sign(m, Point.BASE.multiplyUnsafe(r), r);
    cases.push({ what: 'valid signature', pk: hex(pk), msg: hex(m), sig: hex(good) });
    // 2. S + L: the same point, a non-canonical scalar (S + L < 2^256 for these S)
    const s = fromLe(good.subarray(32));
    if (s + L < 2n ** 256n) cases.push({ what: 'S + L', pk: hex(pk), msg: hex(m), sig: hex(cat(good.subarray(0, 32), le32(s + L))) });
    cases.push({ what: 'S = L', pk: hex(pk), msg: hex(m), sig: hex(cat(good.subarray(0, 32), le32(L))) });
    // 3. bit flips anywhere in the signature, the message, the key
    for (let f = 0; f < 3; f++) {
      const bad = new Uint8Array(good);
      const bit = Math.floor(Math.random() * 512);
      bad[bit >> 3] = (bad[bit >> 3] as number) ^ (1 << (bit & 7));
      cases.push({ what: 'signature bit flip', pk: hex(pk), msg: hex(m), sig: hex(bad) });
    }
    const m2 = new Uint8Array(m);
    m2[0] = (m2[0] as number) ^ 1;
    cases.push({ what: 'message bit flip', pk: hex(pk), msg: hex(m2), sig: hex(good) });
    // 4. R of small order: R = identity, S = h·a, which the cofactorless equation accepts
    const Rid = Point.ZERO.toBytes();
    cases.push({ what: 'small-order R (identity)', pk: hex(pk), msg: hex(m), sig: hex(cat(Rid, le32((hram(Rid, pk, m) * a) % L))) });
    // 5. mixed-order key: A + T with the private scalar of A (accepted when [h]T = 0, as in libsodium)
    for (const [k, T] of torsion.entries()) {
      if (k === 0) continue;
      const AT = A.add(T).toBytes();
      const rr = fromLe(randomBytes(32)) % L;
      cases.push({ what: `mixed-order key (torsion ${k})`, pk: hex(AT), msg: hex(m), sig: hex(sign(m, Point.BASE.multiplyUnsafe(rr), rr, AT)) });
    }
    // 6. random forgery
    cases.push({ what: 'random bytes', pk: hex(pk), msg: hex(m), sig: hex(randomBytes(64)) });
  }
  // 7. non-canonical public keys: y = p … 2^255 − 1 (with and without the sign bit)
  for (let y = P; y < 2n ** 255n; y++) {
    for (const signBit of [0, 0x80]) {
      const b = le32(y);
      b[31] = (b[31] as number) | signBit;
      cases.push({ what: `non-canonical key y = p + ${y - P}`, pk: hex(b), msg: '', sig: hex(cat(Point.BASE.toBytes(), le32(1n))) });
    }
  }
  // 8. keys that are not points at all
  for (let i = 0; i < 8; i++) cases.push({ what: 'random key bytes', pk: hex(randomBytes(32)), msg: '', sig: hex(randomBytes(64)) });
  return cases;
}

function ours(c: Case): boolean {
  try {
    return verifyEd25519Strict(Buffer.from(c.pk, 'hex'), Buffer.from(c.msg, 'hex'), Buffer.from(c.sig, 'hex'));
  } catch (e) {
    if ((e as { code?: string }).code === 'INVALID_PUBLIC_KEY') return false;
    throw e;
  }
}

/** @noble/ed25519 in ZIP-215 mode: the permissive rules (small-order keys, non-canonical encodings accepted) */
function permissive(c: Case): boolean {
  try {
    return nobleVerify(Buffer.from(c.sig, 'hex'), Buffer.from(c.msg, 'hex'), Buffer.from(c.pk, 'hex'), { zip215: true });
  } catch {
    return false;
  }
}

function openssl(c: Case): boolean {
  try {
    const key = createPublicKey({ key: Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), Buffer.from(c.pk, 'hex')]), format: 'der', type: 'spki' });
    return opensslVerify(null, Buffer.from(c.msg, 'hex'), key, Buffer.from(c.sig, 'hex'));
  } catch {
    return false;
  }
}

/** libsodium's verdicts, from Debian's python3-nacl. */
function libsodium(cases: Case[]): boolean[] {
  const out = execFileSync(PYTHON, [join(ROOT, 'test/interop/libsodium_verify.py')], {
    input: cases.map((c) => JSON.stringify(c)).join('\n') + '\n',
    maxBuffer: 1 << 24,
  });
  return out.toString().trim().split('\n').map((l) => l === '1');
}

test('strict verification decides exactly as libsodium on a corpus of forgeries and edge cases', () => {
  const corpus = buildCorpus();
  const sodium = libsodium(corpus);
  assert.equal(sodium.length, corpus.length);
  // both equation backends: sodium-native (installed here as a dev dependency) and OpenSSL
  assert.equal(verifyBackend(), 'libsodium', 'sodium-native should be installed for the tests');
  for (const backend of ['auto', 'openssl'] as const) {
    setVerifyBackend(backend);
    const differ = corpus.filter((c, i) => ours(c) !== sodium[i]).map((c) => c.what);
    setVerifyBackend('auto');
    assert.deepEqual(differ, [], `cases where we (${backend === 'auto' ? 'sodium-native' : 'OpenSSL'}) and libsodium disagree`);
  }
  // teeth: a permissive verifier (ZIP-215) accepts some of these, libsodium does not. Plain
  // OpenSSL is such a verifier up to 3.0 (Node 20, 22); OpenSSL 3.5 (Node 24) refuses them too
  const lenient = corpus.filter((c, i) => permissive(c) && !sodium[i]);
  const opensslLenient = corpus.filter((c, i) => openssl(c) && !sodium[i]).length;
  console.log(`# OpenSSL ${process.versions.openssl} alone accepts ${opensslLenient} cases (of ${corpus.length}) that libsodium refuses`);
  const kinds = new Set(lenient.map((c) => c.what.replace(/ \d+$/, '').replace(/\(torsion \d\)/, '')));
  assert.ok(lenient.length >= 10, `only ${lenient.length} cases tell OpenSSL from libsodium`);
  assert.ok([...kinds].some((k) => k.startsWith('forgery for torsion point')), `kinds: ${[...kinds].join(', ')}`);
  assert.ok(kinds.has('small-order R (identity)'), `kinds: ${[...kinds].join(', ')}`);
  assert.ok(corpus.some((c, i) => sodium[i] && c.what === 'valid signature'));
});

test('Wycheproof Ed25519 vectors: the expected result, and libsodium agrees', () => {
  const file = join(vectorsDir(), 'wycheproof', 'ed25519_test.json');
  const text = readFileSync(file);
  // the copy is the one its README names (source commit and SHA-256), unchanged
  const noted = /SHA-256 `([0-9a-f]{64})`/.exec(readFileSync(join(vectorsDir(), 'wycheproof', 'README.md'), 'utf8'))?.[1];
  assert.equal(createHash('sha256').update(text).digest('hex'), noted, 'test/vectors/wycheproof/ed25519_test.json differs from the copy its README notes');
  const data = JSON.parse(text.toString('utf8')) as {
    testGroups: { publicKey: { pk: string }; tests: { tcId: number; msg: string; sig: string; result: string }[] }[];
  };
  const cases: (Case & { expected: boolean })[] = [];
  for (const g of data.testGroups) {
    for (const t of g.tests) cases.push({ what: `tcId ${t.tcId}`, pk: g.publicKey.pk, msg: t.msg, sig: t.sig, expected: t.result === 'valid' });
  }
  assert.ok(cases.length > 100);
  const sodium = libsodium(cases);
  for (const backend of ['auto', 'openssl'] as const) {
    setVerifyBackend(backend);
    const wrong = cases.filter((c) => ours(c) !== c.expected).map((c) => c.what);
    setVerifyBackend('auto');
    assert.deepEqual(wrong, [], backend);
  }
  assert.deepEqual(cases.filter((c, i) => sodium[i] !== c.expected).map((c) => c.what), [], 'libsodium and Wycheproof disagree');
});

test('small-order and non-canonical public keys listed in a principal list are refused at login, naming the line; the other lines still work', async () => {
  const identity = hex(le32(1n));
  const nonCanonical = hex(le32(P + 1n));
  for (const bad of [identity, '00'.repeat(32), 'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a', nonCanonical]) {
    const list = parseAuthorizedKeys(`# header\n${bad} mallory\n${RFC_PUB_HEX} alice\n`);
    const r = list.find(bad);
    assert.equal(!r.ok && r.code, 'AUTH_UNKNOWN_KEY');
    assert.match(!r.ok ? r.reason : '', /line 2\) is refused/);
    assert.equal(list.lookup(RFC_PUB_HEX)?.name, 'alice');
    assert.ok(publicKeyProblem(Buffer.from(bad, 'hex')));
    await expectCode(() => verifyChallengeSignature(bad, '00'.repeat(32), '00'.repeat(96)), 'INVALID_PUBLIC_KEY', /small order|non-canonical|not a canonical/);
  }
  // and as an ssh-ed25519 line
  const blob = Buffer.concat([Buffer.from('0000000b7373682d65643235353139', 'hex'), Buffer.from('00000020', 'hex'), Buffer.from(identity, 'hex')]);
  const r = parseAuthorizedKeys(`ssh-ed25519 ${blob.toString('base64')} mallory`).find(identity);
  assert.match(!r.ok ? r.reason : '', /line 1\) is refused: .*small order/);
});
