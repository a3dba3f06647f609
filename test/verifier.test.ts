import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { signChallenge } from '../lib/wamp/challenge.js';
import { fromSeed } from '../lib/keys/seed-key.js';
import { parseAuthorizedKeys } from '../lib/wamp/router/principals.js';
import { verifyChallengeSignature } from '../lib/wamp/challenge.js';
import { loadKeyFile } from '../lib/keys/openssh-key-file.js';
import { expectCode } from './helpers/errors.js';
import { fixture, fixtureCopy, tempDir } from './helpers/paths.js';

const RFC_SEED = '9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60';
const RFC_PUB = 'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a';
const CHALLENGE = 'c3'.repeat(32);
const CHANNEL = '9e'.repeat(32);

test('authorized_keys: options, comments as principals, hex lines, non-Ed25519 keys skipped', () => {
  const list = parseAuthorizedKeys(readFileSync(fixture('authorized_keys'), 'utf8'));
  assert.deepEqual(
    list.principals.map((p) => [p.name, p.line, p.options]),
    [
      ['fixture-plain@cryptosign-keys', 2, 'command="echo hi",no-pty'],
      ['fixture-encrypted@cryptosign-keys', 3, undefined],
      ['rfc8032-test1', 5, undefined],
    ],
  );
  assert.deepEqual(list.skipped, [{ line: 4, type: 'ssh-rsa', reason: 'not an Ed25519 key; cryptosign needs Ed25519' }]);
  const tmp = tempDir();
  try {
    const plain = loadKeyFile(fixtureCopy(tmp.dir, 'ed25519'));
    assert.equal(list.lookup(plain.publicKeyHex)?.name, 'fixture-plain@cryptosign-keys');
    assert.equal(list.lookup(plain.publicKeyHex.toUpperCase())?.fingerprint, plain.fingerprint);
    assert.equal(list.lookup(plain.publicKey)?.line, 2);
  } finally {
    tmp.cleanup();
  }
  assert.equal(list.lookup('00'.repeat(32)), undefined);
});

test('verification: right signature true; tampered, other key, other challenge, missing channel binding false', async () => {
  const key = fromSeed(RFC_SEED);
  const sig = await signChallenge(key, CHALLENGE);
  assert.equal(verifyChallengeSignature(RFC_PUB, CHALLENGE, sig), true);
  assert.equal(verifyChallengeSignature(key.publicKey, CHALLENGE, sig.toUpperCase()), true);
  const flip = (s: string, i: number) => s.slice(0, i) + (s[i] === '0' ? '1' : '0') + s.slice(i + 1);
  assert.equal(verifyChallengeSignature(RFC_PUB, CHALLENGE, flip(sig, 0)), false, 'signature bit');
  assert.equal(verifyChallengeSignature(RFC_PUB, CHALLENGE, flip(sig, 130)), false, 'appended challenge');
  assert.equal(verifyChallengeSignature(fromSeed('01'.repeat(32)).publicKey, CHALLENGE, sig), false, 'other key');
  assert.equal(verifyChallengeSignature(RFC_PUB, 'c4'.repeat(32), sig), false, 'other challenge');
  const bound = await signChallenge(key, CHALLENGE, { channelId: CHANNEL });
  assert.equal(verifyChallengeSignature(RFC_PUB, CHALLENGE, bound, { channelId: CHANNEL }), true);
  assert.equal(verifyChallengeSignature(RFC_PUB, CHALLENGE, bound), false, 'bound signature without binding');
  assert.equal(verifyChallengeSignature(RFC_PUB, CHALLENGE, sig, { channelId: CHANNEL }), false, 'unbound signature with binding');
  assert.equal(verifyChallengeSignature(RFC_PUB, CHALLENGE, bound, { channelId: '9f'.repeat(32) }), false, 'other channel');
  const list = parseAuthorizedKeys(`${RFC_PUB} alice\n`);
  assert.equal(list.authenticate(RFC_PUB, CHALLENGE, sig)?.name, 'alice');
  assert.equal(list.authenticate(RFC_PUB, CHALLENGE, flip(sig, 3)), undefined);
  const stranger = fromSeed('02'.repeat(32));
  assert.equal(list.authenticate(stranger.publicKeyHex, CHALLENGE, await signChallenge(stranger, CHALLENGE)), undefined);
});

test('verification is strict about lengths and encodings', async () => {
  const sig = await signChallenge(fromSeed(RFC_SEED), CHALLENGE);
  await expectCode(() => verifyChallengeSignature(RFC_PUB, CHALLENGE, sig.slice(0, 128)), 'INVALID_SIGNATURE', /96 bytes \(192 hex digits\), got 128/);
  await expectCode(() => verifyChallengeSignature(RFC_PUB, CHALLENGE, sig + '00'), 'INVALID_SIGNATURE');
  await expectCode(() => verifyChallengeSignature(RFC_PUB, CHALLENGE, ' ' + sig.slice(1)), 'INVALID_SIGNATURE');
  await expectCode(() => verifyChallengeSignature(RFC_PUB.slice(2), CHALLENGE, sig), 'INVALID_PUBLIC_KEY');
  await expectCode(() => verifyChallengeSignature(new Uint8Array(33), CHALLENGE, sig), 'INVALID_PUBLIC_KEY');
  await expectCode(() => verifyChallengeSignature(RFC_PUB, CHALLENGE.slice(2), sig), 'INVALID_CHALLENGE');
  await expectCode(() => verifyChallengeSignature(RFC_PUB, CHALLENGE, sig, { channelId: 'ab' }), 'INVALID_CHANNEL_ID');
});

test('malformed authorized_keys lines are skipped with their line number and reason, as sshd skips them; the good lines still count', async () => {
  const good = readFileSync(fixture('ed25519.pub'), 'utf8').trim();
  const [type, b64] = good.split(' ') as [string, string];
  const cases: [string, RegExp][] = [
    [`${type}`, /no key type followed by a key/],
    [`${type} !!!notbase64 c`, /the ssh-ed25519 key is not base64/],
    [`ssh-ed25519 ${b64.slice(0, 30)}`, /not base64|malformed/],
    [`ssh-rsa ${b64} c`, /says ssh-rsa but holds an ssh-ed25519 key/],
    [`from="unterminated ssh-ed25519 ${b64}`, /unterminated quote/],
    [`${"ab".repeat(31)} shorthex`, /no key/],
  ];
  const text = [...cases.map(([line]) => line), `${RFC_PUB} alice`].join('\n');
  const list = parseAuthorizedKeys(text);
  assert.deepEqual(list.skipped.map((s) => s.line), [1, 2, 3, 4, 5, 6]);
  cases.forEach(([, pattern], i) => assert.match(list.skipped[i]!.reason, pattern, `line ${i + 1}`));
  assert.equal(list.lookup(RFC_PUB)?.name, 'alice', 'a bad line never makes the others unusable');
  assert.equal(parseAuthorizedKeys(`${RFC_PUB} alice\n${RFC_PUB} alice`).lookup(RFC_PUB)?.line, 1, 'an exact repeat is fine: the first line is the one');
});

test('one key listed for two authids: only a client that names its authid gets in (crossbar)', () => {
  const list = parseAuthorizedKeys(`${RFC_PUB} alice\n${RFC_PUB} bob`);
  assert.equal(list.principals.length, 2);
  const none = list.find(RFC_PUB);
  assert.equal(none.ok, false);
  assert.equal(!none.ok && none.code, 'AUTH_KEY_AMBIGUOUS');
  assert.equal(list.lookup(RFC_PUB), undefined);
  assert.equal(list.lookup(RFC_PUB, 'bob')?.line, 2);
  const carol = list.find(RFC_PUB, { authid: 'carol' });
  assert.equal(!carol.ok && carol.code, 'AUTH_AUTHID_MISMATCH');
});

test('authorized_keys as sshd reads it: cert-authority is never a principal, comments verbatim as ssh-keygen -l shows them', async () => {
  const { execFileSync } = await import('node:child_process');
  const { writeFileSync } = await import('node:fs');
  const { join } = await import('node:path');
  const tmp = tempDir();
  try {
    const [type, b64] = readFileSync(fixture('ed25519.pub'), 'utf8').trim().split(' ') as [string, string];
    const [, b64b] = readFileSync(fixture('ed25519-encrypted.pub'), 'utf8').trim().split(' ') as [string, string];
    const text = [
      `cert-authority,principals="alice" ${type} ${b64} the-ca`,
      `no-pty,command="echo \\"quoted, with spaces\\" \\\\n" ${type} ${b64b} alice   with  spaces\tand tab`,
    ].join('\n');
    const path = join(tmp.dir, 'ak');
    writeFileSync(path, text + '\n');
    const list = parseAuthorizedKeys(text);
    assert.deepEqual(list.skipped.map((s) => [s.line, /cert-authority/.test(s.reason)]), [[1, true]]);
    // a cert-authority line trusts a CA for certificates (test/cert-login.test.ts), never the key itself
    assert.deepEqual(list.certAuthorities.map((c) => [c.line, c.options.principals]), [[1, 'alice']]);
    assert.equal(list.principals.length, 1);
    const p = list.principals[0]!;
    assert.equal(p.name, 'alice   with  spaces\tand tab');
    assert.deepEqual([p.keyOptions.pty, p.keyOptions.command], [false, 'echo "quoted, with spaces" \\\\n']);
    // ssh-keygen -l reads the same file: same fingerprints, same comments
    const lines = execFileSync('ssh-keygen', ['-l', '-f', path]).toString().trimEnd().split('\n');
    assert.equal(lines[1], `256 ${p.fingerprint} ${p.comment} (ED25519)`);
    // the CA key cannot log in as itself
    const caKey = loadKeyFile(fixtureCopy(tmp.dir, 'ed25519'));
    assert.equal(list.authenticate(caKey.publicKeyHex, CHALLENGE, await signChallenge(caKey, CHALLENGE)), undefined);
    const asCa = list.find(caKey.publicKeyHex);
    assert.equal(!asCa.ok && asCa.code, 'AUTH_UNKNOWN_KEY');
  } finally {
    tmp.cleanup();
  }
});

test('authorized_keys options: wamp-authid/role/realm, expiry-time, from=; unknown and malformed options refused', async () => {
  const key = fromSeed(RFC_SEED);
  const sig = await signChallenge(key, CHALLENGE);
  const list = parseAuthorizedKeys(
    [
      `wamp-authid="alice",wamp-role="admin",wamp-realm="realm1" ${RFC_PUB} Alice's laptop`,
      `expiry-time="203001011200Z" ${RFC_PUB} until-2030`,
      `from="10.0.0.0/8,!10.9.9.9,192.168.1.*,::1" ${RFC_PUB} from-net`,
      fromSeed('3b'.repeat(32)).publicKeyHex,
      fromSeed('3c'.repeat(32)).publicKeyHex,
    ].join('\n'),
  );
  const alice = list.require(RFC_PUB, CHALLENGE, sig, { authid: 'alice', realm: 'realm1' });
  assert.deepEqual([alice.name, alice.role, alice.realm, alice.comment], ['alice', 'admin', 'realm1', "Alice's laptop"]);
  const realm2 = list.check(RFC_PUB, CHALLENGE, sig, { authid: 'alice', realm: 'realm2' });
  assert.equal(!realm2.ok && realm2.code, 'AUTH_REALM_MISMATCH');
  // expiry: fine before and during its last second (sshd refuses once the clock is past it), refused after
  assert.equal(list.check(RFC_PUB, CHALLENGE, sig, { authid: 'until-2030', now: new Date('2029-12-31T00:00:00Z') }).ok, true);
  assert.equal(list.check(RFC_PUB, CHALLENGE, sig, { authid: 'until-2030', now: new Date('2030-01-01T12:00:00.999Z') }).ok, true);
  const late = list.check(RFC_PUB, CHALLENGE, sig, { authid: 'until-2030', now: new Date('2030-01-01T12:00:01Z') });
  assert.equal(!late.ok && late.code, 'AUTH_KEY_EXPIRED');
  // from=: CIDR, negation, wildcard, IPv6, v4-mapped; no address given is refused (fail closed)
  const from = (peerAddress?: string) => list.check(RFC_PUB, CHALLENGE, sig, { authid: 'from-net', ...(peerAddress ? { peerAddress } : {}) });
  for (const a of ['10.1.2.3', '192.168.1.77', '::1', '::ffff:10.0.0.1']) assert.equal(from(a).ok, true, a);
  for (const a of ['10.9.9.9', '192.168.2.1', '127.0.0.1', undefined]) {
    const r = from(a);
    assert.equal(!r.ok && r.code, 'AUTH_ADDRESS_REFUSED', String(a));
  }
  // lines without a comment are named by their key, so they never share a name
  assert.deepEqual(list.principals.slice(3).map((p) => p.name), [fromSeed('3b'.repeat(32)).publicKeyHex, fromSeed('3c'.repeat(32)).publicKeyHex]);
  for (const [line, pattern] of [
    [`bogus-option ${RFC_PUB} x`, /unknown key option/],
    [`from=10.0.0.1 ${RFC_PUB} x`, /from: missing start quote/],
    [`no-pty="x" ${RFC_PUB} x`, /unknown key option/],
    [`command="unterminated ${RFC_PUB} x`, /unterminated quote/],
    [`expiry-time="2030-01-01" ${RFC_PUB} x`, /invalid expires time/],
    [`expiry-time="20301301" ${RFC_PUB} x`, /invalid expires time/],
    [`from="10.0.0.1",from="*" ${RFC_PUB} x`, /multiple "from" clauses/],
    [`wamp-authid="a",wamp-authid="b" ${RFC_PUB} x`, /multiple "wamp-authid" clauses/],
  ] as const) {
    const r = parseAuthorizedKeys(line);
    assert.equal(r.principals.length, 0, line);
    assert.match(r.skipped[0]?.reason ?? '', pattern, line);
  }
});

test('authorized-keys parsing is linear: long white space runs and deep quoting', { timeout: 30_000 }, () => {
  // no time asserted: a quadratic parser does not finish these millions of characters before node:test's timeout (a hang guard)
  const spaces = ' '.repeat(2_000_000);
  const big = `${spaces}${RFC_PUB}${spaces}x\n`.repeat(2) + `command="${'\\"'.repeat(500_000)}" ${RFC_PUB} q\n` + '\n'.repeat(1_000_000);
  const list = parseAuthorizedKeys(big);
  assert.equal(list.principals.length, 3);
});
