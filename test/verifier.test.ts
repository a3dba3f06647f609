import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { signChallenge } from '../lib/wamp/challenge.js';
import { fromSeed } from '../lib/keys/seed-key.js';
import { parseAuthorizedKeys, verifyChallengeSignature } from '../lib/wamp/principals.js';
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

test('malformed authorized_keys lines are refused with their line number', async () => {
  const good = readFileSync(fixture('ed25519.pub'), 'utf8').trim();
  const [type, b64] = good.split(' ') as [string, string];
  const cases: [string, RegExp][] = [
    [`${type}`, /line 1: nothing after the key type ssh-ed25519/],
    [`\n${type} !!!notbase64 c`, /line 2: the ssh-ed25519 key is not base64/],
    [`ssh-ed25519 ${b64.slice(0, 30)}`, /line 1: the ssh-ed25519 key is malformed/],
    [`ssh-rsa ${b64} c`, /line 1: says ssh-rsa but holds a ssh-ed25519 key/],
    [`from="unterminated ssh-ed25519 ${b64}`, /line 1: unterminated quote/],
    [`${'ab'.repeat(31)} shorthex`, /line 1: expected a key type/],
    [`${RFC_PUB} alice\n${RFC_PUB} bob`, /line 2: the key of line 1 \("alice"\) appears again for "bob"/],
  ];
  for (const [text, pattern] of cases) await expectCode(() => parseAuthorizedKeys(text), 'AUTHORIZED_KEYS_FORMAT', pattern);
  assert.equal(parseAuthorizedKeys(`${RFC_PUB} alice\n${RFC_PUB} alice`).principals.length, 1, 'an exact repeat is fine');
});
