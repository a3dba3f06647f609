/**
 * What a key object shows of itself: String(key) is one useful line
 * (`ed25519 SHA256:… comment (source)`), and JSON.stringify / util.inspect
 * show the public key, fingerprint and comment — for every key source (seed,
 * seed file, crossbar file, OpenSSH and PKCS#8 files, an encrypted file
 * decrypted in a worker, ssh-agent) never the seed in any encoding, and never
 * the agent key's client.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { inspect } from 'node:util';
import { after, before, test } from 'node:test';
import { startThrowawayAgent, type ThrowawayAgent } from '../lib/agent/throwaway.js';
import { openAgentKey, type AgentSigningKey } from '../lib/keys/agent-key.js';
import { loadKeyFile, openKeyFile } from '../lib/keys/openssh-key-file.js';
import { fromSeed, loadSeedFile } from '../lib/keys/seed-key.js';
import { keyObjectOf, type LocalSigningKey, type SigningKey } from '../lib/keys/signing-key.js';
import { fixture, fixtureCopy, tempDir } from './helpers/paths.js';

const tmp = tempDir();
let agent: ThrowawayAgent;
let agentKey: AgentSigningKey;

before(async () => {
  agent = await startThrowawayAgent();
  await agent.makeKey('shown', { comment: 'agent-shown@host' });
  agentKey = await openAgentKey('agent-shown@host', { socketPath: agent.socketPath });
});
after(async () => {
  await agentKey?.close();
  await agent.stop();
  tmp.cleanup();
});

/** Every way the 32 seed bytes could show up in text. */
function seedForms(seed: Uint8Array): string[] {
  const b = Buffer.from(seed);
  const hex = b.toString('hex');
  return [
    hex,
    hex.toUpperCase(),
    b.toString('base64').replace(/=+$/, ''),
    b.toString('base64url'),
    [...b.subarray(0, 6)].join(', '), // util.inspect of a Uint8Array
    hex.slice(0, 17).replace(/(..)(?!$)/g, '$1 '), // util.inspect of a Buffer
  ];
}

function seedOf(key: LocalSigningKey): Uint8Array {
  const jwk = keyObjectOf(key)?.export({ format: 'jwk' }) as { d: string };
  return new Uint8Array(Buffer.from(jwk.d, 'base64url'));
}

function shown(key: SigningKey): string[] {
  return [
    String(key),
    `${key}`,
    JSON.stringify(key),
    JSON.stringify({ key }),
    inspect(key),
    inspect(key, { showHidden: true, depth: Infinity, getters: true }),
    inspect({ nested: [key] }, { showHidden: true, depth: Infinity }),
    JSON.stringify(Object.entries(key)),
    Object.keys(key).join(','),
  ];
}

function assertShowsOnlyPublic(key: SigningKey, secrets: string[]): void {
  for (const s of shown(key)) {
    for (const secret of secrets) assert.ok(!s.includes(secret), `${JSON.stringify(secret)} appears in ${s}`);
  }
  assert.deepEqual(JSON.parse(JSON.stringify(key)), { source: key.source, fingerprint: key.fingerprint, comment: key.comment, publicKeyHex: key.publicKeyHex });
  const inspected = inspect(key);
  for (const part of [key.fingerprint, key.publicKeyHex, key.source]) assert.ok(inspected.includes(part), inspected);
}

function sshKeygenFingerprint(pubFile: string): string {
  return execFileSync('ssh-keygen', ['-l', '-E', 'sha256', '-f', pubFile], { encoding: 'utf8' }).split(' ')[1] as string;
}

test('String(key) is the ssh-keygen -l fingerprint with the comment and where the key lives', async () => {
  const file = loadKeyFile(fixtureCopy(tmp.dir, 'ed25519'));
  assert.equal(String(file), `ed25519 ${sshKeygenFingerprint(fixture('ed25519.pub'))} fixture-plain@cryptosign-keys (file)`);
  assert.equal(String(fromSeed('9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60')), 'ed25519 SHA256:bbXpuKG6zhzdmnxq256TlqzFBzRl2f6OOg722cYNbU8 (seed)');
  const listed = execFileSync('ssh-add', ['-l', '-E', 'sha256'], { env: { ...process.env, SSH_AUTH_SOCK: agent.socketPath }, encoding: 'utf8' });
  assert.ok(listed.includes(` ${agentKey.fingerprint} agent-shown@host `), listed);
  assert.equal(String(agentKey), `ed25519 ${agentKey.fingerprint} agent-shown@host (agent)`);
  // a comment is text from a file or an agent: one line, bounded
  const odd = fromSeed('11'.repeat(32), `two\nlines\x1b[31m\u2028${'x'.repeat(500)}`);
  assert.match(String(odd), /^ed25519 SHA256:\S+ two\\x0alines\\x1b\[31m\\u2028x{185}… \(seed\)$/);
});

test('seed keys, seed files and crossbar files show no seed bytes', () => {
  const seed = '9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60';
  const secrets = seedForms(Buffer.from(seed, 'hex'));
  assertShowsOnlyPublic(fromSeed(seed, 'me'), secrets);
  assertShowsOnlyPublic(fromSeed(Buffer.from(seed, 'hex')), secrets);
  for (const f of ['seed.hex', 'seed.bin', 'crossbar.priv']) assertShowsOnlyPublic(loadSeedFile(fixtureCopy(tmp.dir, f)), secrets);
});

test('key files (OpenSSH, PKCS#8, and an encrypted one decrypted in a worker) show no seed bytes', async () => {
  const keys = [
    loadKeyFile(fixtureCopy(tmp.dir, 'ed25519')),
    loadKeyFile(fixtureCopy(tmp.dir, 'ed25519-pkcs8.pem')),
    await openKeyFile(fixtureCopy(tmp.dir, 'ed25519-encrypted'), { passphrase: 'correct horse battery staple' }),
  ];
  for (const key of keys) {
    const seed = seedOf(key);
    assert.equal(seed.length, 32);
    assertShowsOnlyPublic(key, seedForms(seed));
  }
});

test("an agent key shows its public parts, never its agent client or the socket it talks to", () => {
  assertShowsOnlyPublic(agentKey, ['AgentClient', agent.socketPath, 'socketPath', 'client', 'timeoutMs']);
  assert.deepEqual(Object.keys(agentKey).sort(), ['comment', 'fingerprint', 'publicKey', 'publicKeyHex', 'source']);
});
