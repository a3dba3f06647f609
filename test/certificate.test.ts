/**
 * OpenSSH certificates issued by the real ssh-keygen -s, parsed and checked
 * by lib/ssh/certificate.ts; forgeries (flipped bytes, swapped CA, trailing
 * bytes, every truncation, SHA-1 RSA signatures, wrong types) refused with
 * their codes.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, readFileSync, writeFileSync as require_write } from 'node:fs';
import { join } from 'node:path';
import {
  checkCertificate,
  describeCertificate,
  matchCidrList,
  parseCertificate,
  parseCertificateLine,
  type CertificateCheck,
} from '../lib/ssh/certificate.js';
import { concatBytes, WireReader, wireString, wireUint32 } from '../lib/ssh/wire.js';
import { spawnSync } from 'node:child_process';
import { generateKeyPairSync, sign as nodeSign } from 'node:crypto';
import { expectCode } from './helpers/errors.js';
import { tempDir } from './helpers/paths.js';
import { certBlob, certLayout, makeKey, pubBlob, resign, signCertificateBytes, signKey, sshKeygen, type KeyKind } from './helpers/ssh-certs.js';

let dir: string;
let cleanup: () => void;
const ca: Partial<Record<KeyKind, string>> = {};
let user: string;
let user2: string;
let ecUser: string;

before(() => {
  ({ dir, cleanup } = tempDir());
  for (const k of ['ed25519', 'ecdsa256', 'ecdsa384', 'ecdsa521', 'rsa'] as KeyKind[]) ca[k] = makeKey(dir, `ca-${k}`, k);
  user = makeKey(dir, 'user');
  user2 = makeKey(dir, 'user2');
  ecUser = makeKey(dir, 'ecuser', 'ecdsa256');
});
after(() => cleanup());

let n = 0;
/** signs a fresh copy of `key` (so certificates do not overwrite each other) */
function issue(caKind: KeyKind, o: Parameters<typeof signKey>[2] = {}, key = user): Uint8Array {
  const copy = join(dir, `k${n++}`);
  copyFileSync(`${key}.pub`, `${copy}.pub`);
  return certBlob(signKey(ca[caKind] as string, copy, { principals: ['alice'], ...o }));
}

const USER: CertificateCheck = { type: 'user', principal: 'alice' };
const zeroPadded = (m: Uint8Array, length: number) => concatBytes(new Uint8Array(length - m.length), m);

test('certificates from every CA type ssh-keygen makes verify, with the fields ssh-keygen -L shows', () => {
  const expectedAlg: Record<KeyKind, string> = {
    ed25519: 'ssh-ed25519',
    ecdsa256: 'ecdsa-sha2-nistp256',
    ecdsa384: 'ecdsa-sha2-nistp384',
    ecdsa521: 'ecdsa-sha2-nistp521',
    rsa: 'rsa-sha2-512',
  };
  for (const kind of Object.keys(expectedAlg) as KeyKind[]) {
    const blob = issue(kind, { id: `id-${kind}`, principals: ['alice', 'bob'], serial: 77 });
    const cert = parseCertificate(blob);
    assert.equal(cert.signatureAlgorithm, expectedAlg[kind], kind);
    assert.equal(cert.certType, 'user');
    assert.equal(cert.keyId, `id-${kind}`);
    assert.equal(cert.serial, 77n);
    assert.deepEqual(cert.principals, ['alice', 'bob']);
    assert.deepEqual(Buffer.from(cert.key.blob), Buffer.from(pubBlob(`${user}.pub`)));
    assert.deepEqual(Buffer.from(cert.caKey.blob), Buffer.from(pubBlob(`${ca[kind]}.pub`)));
    assert.deepEqual(checkCertificate(cert, USER), { ok: true }, kind);
    assert.deepEqual(checkCertificate(cert, { type: 'user', principal: 'bob' }), { ok: true });
    // what ssh-keygen -L says about the same file
    const path = join(dir, `L-${kind}-cert.pub`);
    require_write(path, `${cert.type} ${Buffer.from(blob).toString('base64')}\n`);
    const L = sshKeygen(['-L', '-f', path]);
    const mine = describeCertificate(cert);
    assert.ok(L.includes(mine[2] as string), `${kind}: ${mine[2]} in\n${L}`); // Signing CA: … (using …)
    assert.ok(L.includes(`Public key: ED25519-CERT ${cert.key.fingerprint}`));
    assert.ok(L.includes(`Key ID: "id-${kind}"`));
  }
});

test('RSA CAs: rsa-sha2-256 and -512 accepted; an ssh-rsa (SHA-1) signature verifies but is refused as sshd 9.2 refuses it', async () => {
  assert.equal(parseCertificate(issue('rsa', { sigAlg: 'rsa-sha2-256' })).signatureAlgorithm, 'rsa-sha2-256');
  const sha1 = parseCertificate(issue('rsa', { sigAlg: 'ssh-rsa' }));
  assert.equal(sha1.signatureAlgorithm, 'ssh-rsa');
  const r = checkCertificate(sha1, USER);
  assert.equal(r.ok, false);
  assert.equal(!r.ok && r.code, 'CERT_SIGNATURE_ALGORITHM_REFUSED');
  // an operator who lists ssh-rsa (CASignatureAlgorithms +ssh-rsa) gets it
  assert.deepEqual(checkCertificate(sha1, { ...USER, caSignatureAlgorithms: ['ssh-rsa'] }), { ok: true });
});

test('user vs host: each refused as the other', () => {
  const u = parseCertificate(issue('ed25519'));
  const h = parseCertificate(issue('ed25519', { host: true, principals: ['router.example'] }));
  assert.equal(h.certType, 'host');
  const a = checkCertificate(u, { type: 'host', principal: 'alice' });
  const b = checkCertificate(h, { type: 'user', principal: 'router.example' });
  assert.equal(!a.ok && a.code, 'CERT_TYPE_WRONG');
  assert.equal(!b.ok && b.code, 'CERT_TYPE_WRONG');
  assert.deepEqual(checkCertificate(h, { type: 'host', principal: 'router.example' }), { ok: true });
  const c = checkCertificate(h, { type: 'host', principal: 'other.example' });
  assert.equal(!c.ok && c.code, 'CERT_PRINCIPAL_REFUSED');
  // principals are compared as written, wildcards included (as OpenSSH 9.2's ssh does for host certificates:
  // test/host-cert-ssh-differential.test.ts)
  const w = parseCertificate(issue('ed25519', { host: true, principals: ['*.example'] }));
  const w1 = checkCertificate(w, { type: 'host', principal: 'r1.example' });
  assert.equal(!w1.ok && w1.code, 'CERT_PRINCIPAL_REFUSED');
  assert.deepEqual(checkCertificate(w, { type: 'host', principal: '*.example' }), { ok: true });
  const star = parseCertificate(issue('ed25519', { principals: ['*'] }));
  const s = checkCertificate(star, USER);
  assert.equal(!s.ok && s.code, 'CERT_PRINCIPAL_REFUSED');
});

test('validity windows from -V: valid, expired, not yet valid; the bounds are valid-after ≤ now < valid-before', () => {
  const expired = parseCertificate(issue('ed25519', { validity: '-2d:-1d' }));
  const future = parseCertificate(issue('ed25519', { validity: '+1d:+2d' }));
  const window = parseCertificate(issue('ed25519', { validity: '20300101000000Z:20300102000000Z' }));
  const e = checkCertificate(expired, USER);
  const f = checkCertificate(future, USER);
  assert.equal(!e.ok && e.code, 'CERT_EXPIRED');
  assert.equal(!f.ok && f.code, 'CERT_NOT_YET_VALID');
  const at = (iso: string) => checkCertificate(window, { ...USER, now: new Date(iso) });
  assert.deepEqual(at('2030-01-01T00:00:00Z'), { ok: true });
  assert.deepEqual(at('2030-01-01T23:59:59Z'), { ok: true });
  assert.equal((at('2030-01-02T00:00:00Z') as { code: string }).code, 'CERT_EXPIRED');
  assert.equal((at('2029-12-31T23:59:59Z') as { code: string }).code, 'CERT_NOT_YET_VALID');
});

test('principals: the one asked for must be listed; a certificate without principals is refused', () => {
  const cert = parseCertificate(issue('ed25519', { principals: ['alice', 'bob'] }));
  const r = checkCertificate(cert, { type: 'user', principal: 'carol' });
  assert.equal(!r.ok && r.code, 'CERT_PRINCIPAL_REFUSED');
  const none = parseCertificate(certBlob(signKey(ca.ed25519 as string, user2, {})));
  assert.deepEqual(none.principals, []);
  const r2 = checkCertificate(none, { type: 'user' });
  assert.equal(!r2.ok && r2.code, 'CERT_PRINCIPAL_REFUSED');
});

test('principals are compared byte for byte: "\\uFEFFbob" (a leading byte-order mark) is not "bob", as sshd refuses it', () => {
  const cert = parseCertificate(issue('ed25519', { principals: ['\ufeffbob'] }));
  assert.deepEqual(cert.principals, ['\ufeffbob']);
  const r = checkCertificate(cert, { type: 'user', principal: 'bob' });
  assert.equal(!r.ok && r.code, 'CERT_PRINCIPAL_REFUSED');
  const id = parseCertificate(certBlob(signKey(ca.ed25519 as string, user2, { id: '\ufeffkey-id', principals: ['bob'] })));
  assert.equal(id.keyId, '\ufeffkey-id');
});

test('critical options: source-address enforced, force-command and unknown options refuse, unknown extensions are ignored', () => {
  const sa = parseCertificate(issue('ed25519', { options: ['source-address=10.0.0.0/8,192.168.1.7'] }));
  assert.equal(sa.sourceAddress, '10.0.0.0/8,192.168.1.7');
  assert.deepEqual(checkCertificate(sa, { ...USER, peerAddress: '10.2.3.4' }), { ok: true });
  assert.deepEqual(checkCertificate(sa, { ...USER, peerAddress: '::ffff:192.168.1.7' }), { ok: true });
  for (const peer of ['192.168.1.8', '11.0.0.1', '::1']) {
    const r = checkCertificate(sa, { ...USER, peerAddress: peer });
    assert.equal(!r.ok && r.code, 'CERT_ADDRESS_REFUSED', peer);
  }
  const nopeer = checkCertificate(sa, USER);
  assert.equal(!nopeer.ok && nopeer.code, 'CERT_ADDRESS_REFUSED');

  const fc = parseCertificate(issue('ed25519', { options: ['force-command=/usr/bin/true'] }));
  assert.equal(fc.forceCommand, '/usr/bin/true');
  const r1 = checkCertificate(fc, USER);
  assert.equal(!r1.ok && r1.code, 'CERT_OPTION_REFUSED');
  const unk = parseCertificate(issue('ed25519', { options: ['critical:frobnicate=yes'] }));
  const r2 = checkCertificate(unk, USER);
  assert.equal(!r2.ok && r2.code, 'CERT_OPTION_REFUSED');
  assert.match(!r2.ok ? r2.reason : '', /frobnicate/);
  const ext = parseCertificate(issue('ed25519', { options: ['extension:whatever@example.com', 'no-pty'] }));
  assert.ok(ext.extensions.some((e) => e.name === 'whatever@example.com'));
  assert.deepEqual(checkCertificate(ext, USER), { ok: true });
});

test('source-address lists as sshd reads them (addresses and CIDR only; anything else makes the list invalid)', () => {
  assert.equal(matchCidrList('127.0.0.1', '127.0.0.1'), true);
  assert.equal(matchCidrList('10.0.0.0/8,::1/128', '::1'), true);
  assert.equal(matchCidrList('10.0.0.0/8', '10.255.255.255'), true);
  assert.equal(matchCidrList('10.0.0.0/8', '11.0.0.0'), false);
  for (const bad of ['*', '10.0.0.*', '!10.0.0.1', 'host.example', '10.0.0.0/33', '', '10.0.0.1,,10.0.0.2', '::1/129', '10.0.0.1/8', '0x7f.1']) {
    assert.equal(matchCidrList(bad, '10.0.0.1'), undefined, bad);
  }
});

test('the certified key must be Ed25519 for cryptosign', () => {
  const ec = parseCertificate(issue('ed25519', {}, ecUser));
  assert.equal(ec.keyType, 'ecdsa-sha2-nistp256');
  const r = checkCertificate(ec, USER);
  assert.equal(!r.ok && r.code, 'CERT_KEY_NOT_ED25519');
});

/** Whether the real ssh-keygen -L reads this certificate (it parses it with sshkey.c and checks its CA signature, as sshd does). */
function keygenReads(blob: Uint8Array): boolean {
  const file = join(dir, `keygen-reads-${n++}-cert.pub`);
  require_write(file, `${new TextDecoder().decode(new WireReader(blob).string())} ${Buffer.from(blob).toString('base64')}\n`);
  return spawnSync('ssh-keygen', ['-L', '-f', file], { encoding: 'utf8' }).status === 0;
}

test('SSH bignums as sshd reads them (at most 2048 bytes, or 2049 with a leading zero): zero-padded ECDSA signature r and RSA CA modulus, judged by ssh-keygen -L', async () => {
  // an ECDSA CA's signature: string alg, string (mpint r, mpint s); r re-encoded with leading zeros (the signature still holds)
  const ecdsa = issue('ecdsa256');
  const { signatureAt } = certLayout(ecdsa);
  const outer = new WireReader(ecdsa.subarray(signatureAt));
  const sigBlob = outer.string();
  const sr = new WireReader(sigBlob);
  const alg = sr.string();
  const inner = new WireReader(sr.string());
  const r = inner.string();
  const sPart = inner.string();
  const withR = (length: number) =>
    concatBytes(ecdsa.subarray(0, signatureAt), wireString(concatBytes(wireString(alg), wireString(concatBytes(wireString(zeroPadded(r, length)), wireString(sPart))))));
  // an RSA CA (node:crypto's key, so that the modulus can be re-encoded before signing) whose modulus is zero-padded
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = publicKey.export({ format: 'jwk' });
  const e = Buffer.from(jwk.e as string, 'base64url');
  const modulus = Buffer.from(jwk.n as string, 'base64url');
  const body = issue('ed25519').subarray(0, certLayout(issue('ed25519')).caKeyAt);
  const withModulus = (length: number) => {
    const caBlob = concatBytes(wireString('ssh-rsa'), wireString(concatBytes(new Uint8Array(e[0]! & 0x80 ? 1 : 0), e)), wireString(zeroPadded(modulus, length)));
    const signed = concatBytes(body, wireString(caBlob));
    return concatBytes(signed, wireString(concatBytes(wireString('rsa-sha2-512'), wireString(nodeSign('sha512', signed, privateKey)))));
  };
  for (const [what, make, code] of [['ECDSA signature r', withR, 'CERT_SIGNATURE_WRONG'], ['RSA CA modulus', withModulus, 'CERT_FORMAT']] as const) {
    for (const [length, reads] of [[2049, true], [2050, false]] as const) {
      const blob = make(length);
      const at = `${what} of ${length} bytes`;
      assert.equal(keygenReads(blob), reads, `${at}: ssh-keygen -L ${reads ? 'reads' : 'refuses'} it`);
      if (reads) assert.deepEqual(checkCertificate(parseCertificate(blob), USER), { ok: true }, at);
      else await expectCode(() => parseCertificate(blob), code);
    }
  }
});

test('forgeries: a flipped byte anywhere, a swapped CA key, trailing bytes, every truncation', async () => {
  const blob = issue('ed25519');
  parseCertificate(blob);
  const { caKeyAt, signatureAt } = certLayout(blob);
  // flip one bit in every signed byte (and every signature byte): never accepted
  for (let i = 0; i < blob.length; i++) {
    const bad = new Uint8Array(blob);
    bad[i] = (bad[i] as number) ^ 0x01;
    let ok = false;
    try {
      parseCertificate(bad);
      ok = true;
    } catch (e) {
      assert.match((e as { code: string }).code, /^CERT_(FORMAT|SIGNATURE_WRONG)$/, `byte ${i}`);
    }
    assert.equal(ok, false, `byte ${i} flipped was accepted`);
  }
  // the signature itself
  const sigFlip = new Uint8Array(blob);
  sigFlip[blob.length - 5] = (sigFlip[blob.length - 5] as number) ^ 0x80;
  await expectCode(() => parseCertificate(sigFlip), 'CERT_SIGNATURE_WRONG');
  // another CA's key put in place of the signer's
  const other = pubBlob(`${ca.ecdsa256}.pub`);
  const swapped = concatBytes(blob.subarray(0, caKeyAt), wireString(other), blob.subarray(signatureAt));
  await expectCode(() => parseCertificate(swapped), 'CERT_SIGNATURE_WRONG');
  await expectCode(() => parseCertificate(concatBytes(blob, new Uint8Array([0]))), 'CERT_FORMAT', /trailing/);
  for (let len = 0; len < blob.length; len++) {
    await expectCode(() => parseCertificate(blob.subarray(0, len)), 'CERT_FORMAT');
  }
});

test('forgeries re-signed by a CA: the bytes are checked strictly even under a good signature', async () => {
  const caPath = ca.ed25519 as string;
  const good = issue('ed25519');
  // re-signing unchanged bytes gives a valid certificate (the forging helper works)
  assert.deepEqual(checkCertificate(parseCertificate(resign(good, caPath)), USER), { ok: true });
  // a certificate whose CA key is itself a certificate
  const certAsCa = (() => {
    const { caKeyAt } = certLayout(good);
    const prefix = good.subarray(0, caKeyAt);
    const signed = concatBytes(prefix, wireString(good));
    return concatBytes(signed, wireString(new Uint8Array(0)));
  })();
  await expectCode(() => parseCertificate(certAsCa), 'CERT_FORMAT', /CA key is itself a certificate/);

  // rebuild the options part of a certificate: everything from key id on is re-encoded
  function build(o: { typeNo?: number; principals?: Uint8Array; critical?: Uint8Array; extensions?: Uint8Array; keyId?: Uint8Array }): Uint8Array {
    const head = good.subarray(0, 4 + 32 + 4 + 32 + 4 + 32 + 8); // type, nonce, key, serial
    const fields = concatBytes(
      head,
      wireUint32(o.typeNo ?? 1),
      wireString(o.keyId ?? new TextEncoder().encode('forged')),
      wireString(o.principals ?? wireString('alice')),
      new Uint8Array(8),
      new Uint8Array(8).fill(0xff),
      wireString(o.critical ?? new Uint8Array(0)),
      wireString(o.extensions ?? new Uint8Array(0)),
      wireString(new Uint8Array(0)),
    );
    return signCertificateBytes(fields, caPath);
  }
  // sanity: the builder's plain output is accepted
  assert.deepEqual(checkCertificate(parseCertificate(build({})), USER), { ok: true });
  await expectCode(() => parseCertificate(build({ typeNo: 3 })), 'CERT_FORMAT', /type 3/);
  await expectCode(() => parseCertificate(build({ principals: concatBytes(wireString('alice'), new Uint8Array([0, 0])) })), 'CERT_FORMAT');
  await expectCode(() => parseCertificate(build({ principals: wireString('ali\0ce') })), 'CERT_FORMAT', /NUL/);
  await expectCode(() => parseCertificate(build({ keyId: new Uint8Array([0xff, 0xfe]) })), 'CERT_FORMAT', /UTF-8/);
  const fc = concatBytes(wireString('force-command'), wireString(concatBytes(wireString('/bin/true'), new Uint8Array([1]))));
  await expectCode(() => parseCertificate(build({ critical: fc })), 'CERT_FORMAT', /extra data/);
  const twice = concatBytes(wireString('permit-pty'), wireString(''), wireString('permit-pty'), wireString(''));
  await expectCode(() => parseCertificate(build({ extensions: twice })), 'CERT_FORMAT', /twice/);
  const flagWithData = concatBytes(wireString('permit-pty'), wireString('x'));
  await expectCode(() => parseCertificate(build({ extensions: flagWithData })), 'CERT_FORMAT', /extra data/);
  const many = concatBytes(...Array.from({ length: 257 }, (_, i) => wireString(`p${i}`)));
  await expectCode(() => parseCertificate(build({ principals: many })), 'CERT_FORMAT', /256/);
  // a control character in the key id reaches messages escaped, never raw
  const ctl = parseCertificate(build({ keyId: new TextEncoder().encode('evil\nline\u001b[31m') }));
  const r = checkCertificate(ctl, { type: 'host' });
  assert.ok(!r.ok);
  assert.doesNotMatch(r.reason, /[\n\u001b]/);
  assert.match(r.reason, /evil\\nline\\x1b/);
});

test('certificate lines (-cert.pub): type must match the blob', async () => {
  const path = signKey(ca.ed25519 as string, user2, { principals: ['alice'] });
  const { certificate, comment } = parseCertificateLine(readFileSync(path, 'utf8'));
  assert.equal(certificate.keyId, 'test-id');
  assert.equal(comment, 'user2@test');
  const b64 = Buffer.from(certificate.blob).toString('base64');
  await expectCode(() => parseCertificateLine(`ssh-rsa-cert-v01@openssh.com ${b64}`), 'CERT_FORMAT', /says/);
  await expectCode(() => parseCertificateLine(readFileSync(`${user2}.pub`, 'utf8')), 'CERT_FORMAT', /not a certificate/);
});
