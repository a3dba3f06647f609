import assert from 'node:assert/strict';
import { test } from 'node:test';
import { challengeMessage, signChallenge } from '../lib/wamp/challenge.js';
import { parseHex, toHex } from '../lib/crypto/hex.js';
import { fromSeed } from '../lib/keys/seed-key.js';
import type { SigningKey } from '../lib/keys/signing-key.js';
import { verifyEd25519Strict as verifyEd25519 } from '../lib/crypto/ed25519.js';
import { expectCode } from './helpers/errors.js';

const CHALLENGE = 'a1'.repeat(32);
const CHANNEL = '0f'.repeat(32);

/** A key that records whether it was asked to sign. */
function spyKey(): SigningKey & { calls: number } {
  const inner = fromSeed('11'.repeat(32));
  const spy = {
    calls: 0,
    source: inner.source,
    publicKey: inner.publicKey,
    publicKeyHex: inner.publicKeyHex,
    comment: '',
    fingerprint: inner.fingerprint,
    async sign(data: Uint8Array) {
      spy.calls++;
      return inner.sign(data);
    },
    close: () => inner.close(),
  };
  return spy;
}

test('parseHex is strict: type, alphabet, parity, length', async () => {
  assert.deepEqual([...parseHex('00ffAB', 'x')], [0, 255, 171]);
  await expectCode(() => parseHex(42, 'x'), 'INVALID_HEX', /must be a hex string, got number/);
  await expectCode(() => parseHex('0x00', 'x'), 'INVALID_HEX', /not hex/);
  await expectCode(() => parseHex(' 00', 'x'), 'INVALID_HEX', /not hex/);
  await expectCode(() => parseHex('abc', 'x'), 'INVALID_HEX', /odd number/);
  await expectCode(() => parseHex('abcd', 'x', 3), 'INVALID_HEX', /3 bytes \(6 hex digits\), got 4/);
});

test('signChallenge returns hex(signature) + hex(challenge), as autobahn does', async () => {
  const key = fromSeed('11'.repeat(32));
  const out = await signChallenge(key, CHALLENGE);
  assert.equal(out.length, 192);
  assert.equal(out.slice(128), CHALLENGE);
  assert.ok(verifyEd25519(key.publicKey, parseHex(CHALLENGE, 'c'), parseHex(out.slice(0, 128), 's')));
  // uppercase input is accepted; the output is lowercase, like autobahn's
  assert.equal(await signChallenge(key, CHALLENGE.toUpperCase()), out);
});

test('with a channel id the signed message is challenge XOR channel id', async () => {
  const key = fromSeed('11'.repeat(32));
  const xored = 'ae'.repeat(32); // a1 ^ 0f
  assert.equal(toHex(challengeMessage(CHALLENGE, { channelId: CHANNEL })), xored);
  const out = await signChallenge(key, CHALLENGE, { channelId: CHANNEL });
  assert.equal(out.slice(128), xored);
  assert.equal(await signChallenge(key, CHALLENGE, { channelId: parseHex(CHANNEL, 'c') }), out);
  assert.ok(verifyEd25519(key.publicKey, parseHex(xored, 'm'), parseHex(out.slice(0, 128), 's')));
});

test('a bad challenge or channel id is refused before anything is signed', async () => {
  const key = spyKey();
  const bad: [unknown, string][] = [
    ['', 'INVALID_CHALLENGE'],
    ['a1'.repeat(31), 'INVALID_CHALLENGE'],
    ['a1'.repeat(33), 'INVALID_CHALLENGE'],
    ['a1'.repeat(16), 'INVALID_CHALLENGE'],
    ['g1'.repeat(32), 'INVALID_CHALLENGE'],
    ['a1'.repeat(32) + '\n', 'INVALID_CHALLENGE'],
    [undefined, 'INVALID_CHALLENGE'],
    [Buffer.alloc(32), 'INVALID_CHALLENGE'],
  ];
  for (const [challenge, code] of bad) {
    await expectCode(() => signChallenge(key, challenge as string), code as 'INVALID_CHALLENGE');
  }
  await expectCode(() => signChallenge(key, CHALLENGE, { channelId: '0f'.repeat(31) }), 'INVALID_CHANNEL_ID', /32 bytes/);
  await expectCode(() => signChallenge(key, CHALLENGE, { channelId: new Uint8Array(16) }), 'INVALID_CHANNEL_ID', /got 16/);
  await expectCode(() => signChallenge(key, CHALLENGE, { channelId: 'zz'.repeat(32) }), 'INVALID_CHANNEL_ID');
  await expectCode(() => signChallenge(undefined as never, CHALLENGE), 'INVALID_ARGUMENT');
  assert.equal(key.calls, 0, 'nothing was signed');
});

test('the library never prints, even when everything fails (checked in a separate process)', async () => {
  const lib = new URL('../lib/index.js', import.meta.url).href;
  const script = `
    const L = await import(${JSON.stringify(lib)});
    const failures = [
      () => L.loadKeyFile('/nonexistent/key'),
      () => L.openAgentKey(undefined, { socketPath: '/nonexistent/agent.sock' }),
      () => L.listAgentKeys({ socketPath: '/dev/null' }),
      () => L.parseAuthorizedKeys(42),
      () => L.signChallenge(L.fromSeed('11'.repeat(32)), 'xyz'),
      () => L.fromSeed('short'),
      () => L.verifyChallengeSignature('00', '00', '00'),
    ];
    let caught = 0;
    for (const f of failures) { try { await f(); } catch (e) { if (e instanceof L.CryptosignKeysError) caught++; } }
    process.exitCode = caught === failures.length ? 0 : 3;`;
  const { execFile } = await import('node:child_process');
  const r = await new Promise<{ code: number | null; out: string; err: string }>((resolve) => {
    execFile(process.execPath, ['--input-type=module', '-e', script], (error, out, err) =>
      resolve({ code: error ? (error.code as number) : 0, out, err }),
    );
  });
  assert.deepEqual(r, { code: 0, out: '', err: '' });
});
