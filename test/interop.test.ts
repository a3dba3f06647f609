/**
 * Byte-identical signatures with the reference implementations:
 * autobahn-python (Debian's python3-autobahn: CryptosignKey from raw bytes,
 * from an OpenSSH file, from a crossbar key file, and SSHAgentCryptosignKey
 * through a real ssh-agent), autobahn-js (npm autobahn) and wampy.
 * A missing peer fails these tests; it never skips them.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import nacl from 'tweetnacl';
import { sign as wampySign } from 'wampy/cryptosign.js';
import { openAgentKey } from '../lib/keys/agent-key.js';
import { signChallenge } from '../lib/wamp/challenge.js';
import { toHex } from '../lib/crypto/hex.js';
import { loadKeyFile } from '../lib/keys/openssh-key-file.js';
import { fromSeed, loadSeedFile } from '../lib/keys/seed-key.js';
import { startThrowawayAgent, type ThrowawayAgent } from '../lib/agent/throwaway.js';
import { autobahnOnChallenge, cryptosignAuthextra, wampyOnChallenge } from '../lib/wamp/client/cryptosign-client.js';
import { computeWcs, deriveKey } from '../lib/wamp/cra.js';
import { autobahnPython, type PyJob } from './helpers/autobahn-python.js';
import { fixtureCopy, tempDir } from './helpers/paths.js';

const require = createRequire(import.meta.url);
const autobahnCryptosign = require('autobahn/lib/auth/cryptosign.js') as {
  sign_challenge(pkey: nacl.SignKeyPair, extra: { challenge: string }): string;
  public_key(pkey: nacl.SignKeyPair): string;
};
const autobahnCra = require('autobahn/lib/auth/cra.js') as {
  derive_key(secret: string, salt: string, iterations: number, keylen: number): string;
  sign(key: string, challenge: string): string;
};

const challenges = Array.from({ length: 4 }, () => toHex(randomBytes(32)));
const channels = [undefined, toHex(randomBytes(32))];
let agent: ThrowawayAgent;
const tmp = tempDir();

before(async () => {
  agent = await startThrowawayAgent();
});
after(async () => {
  await agent.stop();
  tmp.cleanup();
});

function jobs(base: PyJob): PyJob[] {
  return challenges.flatMap((challenge) => channels.map((channel_id) => ({ ...base, challenge, channel_id: channel_id ?? null })));
}

async function ours(key: Parameters<typeof signChallenge>[0]): Promise<string[]> {
  const out: string[] = [];
  for (const challenge of challenges) {
    for (const channelId of channels) out.push(await signChallenge(key, challenge, channelId ? { channelId } : {}));
  }
  return out;
}

function signatures(results: ReturnType<typeof autobahnPython>): string[] {
  return results.map((r) => {
    assert.equal(r.error, undefined, `autobahn-python: ${r.error}`);
    return r.signature as string;
  });
}

test('seed key = autobahn-python CryptosignKey.from_bytes, with and without channel binding', async () => {
  const seed = toHex(randomBytes(32));
  const py = autobahnPython(jobs({ kind: 'seed', seed }));
  assert.equal(py[0]?.pubkey, fromSeed(seed).publicKeyHex);
  assert.deepEqual(await ours(fromSeed(seed)), signatures(py));
});

test('OpenSSH key file (checked-in and fresh) = autobahn-python CryptosignKey.from_ssh_file', async () => {
  const fresh = await agent.makeKey('fresh_file', { add: false });
  for (const path of [fixtureCopy(tmp.dir, 'ed25519'), fresh]) {
    const py = autobahnPython(jobs({ kind: 'ssh_file', path }));
    const key = loadKeyFile(path);
    assert.equal(py[0]?.pubkey, key.publicKeyHex);
    assert.deepEqual(await ours(key), signatures(py));
  }
});

test('crossbar key file = autobahn-python CryptosignKey.from_keyfile', async () => {
  const path = fixtureCopy(tmp.dir, 'crossbar.priv');
  assert.deepEqual(await ours(loadSeedFile(path)), signatures(autobahnPython(jobs({ kind: 'keyfile', path }))));
});

test('ssh-agent key = autobahn-python SSHAgentCryptosignKey through the same real agent', async () => {
  const path = await agent.makeKey('agent_interop', { comment: 'interop@agent' });
  const pubLine = readFileSync(`${path}.pub`, 'utf8').trim();
  const key = await openAgentKey('interop@agent', { socketPath: agent.socketPath });
  try {
    const py = autobahnPython(jobs({ kind: 'agent', pubkey: pubLine }), agent.env);
    assert.equal(py[0]?.pubkey, key.publicKeyHex);
    assert.deepEqual(await ours(key), signatures(py));
  } finally {
    await key.close();
  }
});

test('seed key = autobahn-js auth_cryptosign.sign_challenge and wampy/cryptosign sign, via the onchallenge helpers', async () => {
  for (let i = 0; i < 10; i++) {
    const seed = new Uint8Array(randomBytes(32));
    const key = fromSeed(seed);
    const pair = nacl.sign.keyPair.fromSeed(seed);
    const challenge = toHex(randomBytes(32));
    const theirs = autobahnCryptosign.sign_challenge(pair, { challenge });
    assert.equal(autobahnCryptosign.public_key(pair), cryptosignAuthextra(key).pubkey);
    assert.equal(await autobahnOnChallenge(key)(null, 'cryptosign', { challenge }), theirs);
    assert.equal(await wampyOnChallenge(key)('cryptosign', { challenge }), theirs);
    assert.equal(wampySign(toHex(seed))('cryptosign', { challenge }), theirs);
  }
  const key = fromSeed(new Uint8Array(32));
  await assert.rejects(autobahnOnChallenge(key)(null, 'wampcra', { challenge: '00'.repeat(32) }), /cannot answer a "wampcra" challenge/);
  await assert.rejects(wampyOnChallenge(key)('cryptosign', {}), (e: Error & { code?: string }) => e.code === 'INVALID_CHALLENGE');
  const channelId = toHex(randomBytes(32));
  assert.deepEqual(cryptosignAuthextra(key, { channelId }), { pubkey: key.publicKeyHex, channel_binding: 'tls-unique' });
  assert.equal(
    await autobahnOnChallenge(key, { channelId: () => channelId })(null, 'cryptosign', { challenge: '00'.repeat(32), channel_binding: 'tls-unique' }),
    await signChallenge(key, '00'.repeat(32), { channelId }),
  );
  // the binding check: a router that drops the binding we announced gets nothing signed
  await assert.rejects(
    autobahnOnChallenge(key, { channelId })(null, 'cryptosign', { challenge: '00'.repeat(32) }),
    (e: Error & { code?: string }) => e.code === 'CHANNEL_BINDING_MISMATCH',
  );
});

test('WAMP-CRA deriveKey/computeWcs = autobahn-python and autobahn-js', () => {
  const cases = [
    { secret: 'secret123', salt: 'salt123', iterations: 100, keylen: 16, challenge: '{"authid":"joe","nonce":"x"}' },
    { secret: 'pässwörd', salt: 'ßalt', iterations: 1000, keylen: 32, challenge: 'ünïcode challenge' },
    { secret: 'plain secret', salt: null, iterations: 1000, keylen: 32, challenge: 'no salt: the secret is the key' },
  ];
  const py = autobahnPython(cases.map((c) => ({ kind: 'cra', ...c })));
  cases.forEach((c, i) => {
    const key = c.salt === null ? c.secret : deriveKey(c.secret, c.salt, c.iterations, c.keylen);
    if (c.salt !== null) {
      assert.equal(key, py[i]?.derived, 'derive_key (python)');
      assert.equal(key, autobahnCra.derive_key(c.secret, c.salt, c.iterations, c.keylen), 'derive_key (js)');
    }
    assert.equal(computeWcs(key, c.challenge), py[i]?.signature, 'compute_wcs (python)');
    assert.equal(computeWcs(key, c.challenge), autobahnCra.sign(key, c.challenge), 'sign (js)');
  });
});

test('the interop driver really compares: a different key gives a different signature', async () => {
  const py = autobahnPython([{ kind: 'seed', seed: '01'.repeat(32), challenge: challenges[0], channel_id: null }]);
  assert.notEqual((await ours(fromSeed('02'.repeat(32))))[0], py[0]?.signature);
});
