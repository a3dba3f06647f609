/**
 * What a key may be asked to sign, enforced in the keys themselves: an SSH
 * key (file or ssh-agent) signs exactly 32 bytes, so no caller — not even one
 * calling key.sign() directly — can make it sign an SSH user-auth blob; bytes
 * only; a closed key never signs, also on a shared agent client; an agent
 * timeout setTimeout cannot honour is refused. Each refusal asks the agent
 * for nothing.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import { AgentClient } from '../lib/agent/client.js';
import { MAX_MESSAGE_LENGTH, MessageFramer } from '../lib/agent/protocol.js';
import { startThrowawayAgent, type ThrowawayAgent } from '../lib/agent/throwaway.js';
import { openAgentKey } from '../lib/keys/agent-key.js';
import { loadKeyFile } from '../lib/keys/openssh-key-file.js';
import { fromSeed } from '../lib/keys/seed-key.js';
import { fixtureCopy, tempDir } from './helpers/paths.js';

let agent: ThrowawayAgent;
const tmp = tempDir();
let requests = 0;
class CountingClient extends AgentClient {
  override sign(blob: Uint8Array, data: Uint8Array, flags?: number) {
    requests++;
    return super.sign(blob, data, flags);
  }
}

before(async () => {
  agent = await startThrowawayAgent();
  await agent.makeKey('k', { comment: 'rules' });
});
after(async () => {
  await agent.stop();
  tmp.cleanup();
});

// what an SSH server asks a client key to sign: session id, userauth request, user, service, "publickey", key
const USERAUTH_LIKE = new Uint8Array(randomBytes(69));

test('an agent key signs 32 bytes and nothing else: a userauth-sized blob, an empty one, a string are refused before the agent is asked', async () => {
  const client = new CountingClient({ socketPath: agent.socketPath });
  const key = await openAgentKey('rules', { client });
  try {
    assert.equal((await key.sign(new Uint8Array(32))).length, 64);
    const before = requests;
    for (const data of [USERAUTH_LIKE, new Uint8Array(0), new Uint8Array(31), new Uint8Array(33), new Uint8Array(300 * 1024)]) {
      await assert.rejects(key.sign(data), { code: 'INVALID_CHALLENGE', message: /signs only 32-byte challenges/ });
    }
    await assert.rejects(key.sign('a'.repeat(32) as never), { code: 'INVALID_ARGUMENT', message: /not a string/ });
    assert.equal(requests, before, 'the agent was asked to sign');
  } finally {
    await key.close();
    await client.close();
  }
});

test('a key-file key signs only 32 bytes too; a seed key signs any bytes', async () => {
  const fileKey = loadKeyFile(fixtureCopy(tmp.dir, 'ed25519'));
  await assert.rejects(fileKey.sign(USERAUTH_LIKE), { code: 'INVALID_CHALLENGE' });
  assert.equal((await fileKey.sign(new Uint8Array(32))).length, 64);
  const seedKey = fromSeed('01'.repeat(32));
  assert.equal((await seedKey.sign(USERAUTH_LIKE)).length, 64);
  await assert.rejects(seedKey.sign('text' as never), { code: 'INVALID_ARGUMENT' });
});

test('a closed key never signs: local keys (KEY_CLOSED), agent keys on their own or a shared client (AGENT_CLOSED)', async () => {
  const seedKey = fromSeed('02'.repeat(32));
  await seedKey.close();
  await assert.rejects(seedKey.sign(new Uint8Array(32)), { code: 'KEY_CLOSED' });
  const shared = new CountingClient({ socketPath: agent.socketPath });
  const a = await openAgentKey('rules', { client: shared });
  const b = await openAgentKey('rules', { client: shared });
  await a.close();
  const before = requests;
  await assert.rejects(a.sign(new Uint8Array(32)), { code: 'AGENT_CLOSED' });
  assert.equal(requests, before);
  assert.equal((await b.sign(new Uint8Array(32))).length, 64, 'the shared client still serves the other key');
  await b.close();
  await shared.close();
});

test('an agent timeout setTimeout cannot honour (>= 2^31 ms) is refused, not clamped to 1 ms', () => {
  assert.throws(() => new AgentClient({ socketPath: agent.socketPath, timeoutMs: 2 ** 31 }), { code: 'INVALID_ARGUMENT', message: /up to 2147483647/ });
  assert.doesNotThrow(() => new AgentClient({ socketPath: agent.socketPath, timeoutMs: 2 ** 31 - 1 }));
});

test('sign requests wait longer than listings by default (a person may have to confirm an ssh-add -c key); an explicit timeout bounds both', () => {
  const d = new AgentClient({ socketPath: agent.socketPath });
  assert.deepEqual([d.timeoutMs, d.signTimeoutMs], [10_000, 60_000]);
  const t = new AgentClient({ socketPath: agent.socketPath, timeoutMs: 500 });
  assert.deepEqual([t.timeoutMs, t.signTimeoutMs], [500, 500]);
  const s = new AgentClient({ socketPath: agent.socketPath, timeoutMs: 500, signTimeoutMs: 120_000 });
  assert.deepEqual([s.timeoutMs, s.signTimeoutMs], [500, 120_000]);
  assert.throws(() => new AgentClient({ socketPath: agent.socketPath, signTimeoutMs: 0 }), { code: 'INVALID_ARGUMENT', message: /sign timeout/ });
});

test("the agent message limit is OpenSSH's AGENT_MAX_LEN on the payload, one constant for both directions", async () => {
  // a sign request's payload: type, string(blob), string(data), uint32 flags
  const blob = new Uint8Array(51);
  const dataFor = (payload: number) => new Uint8Array(payload - (1 + 4 + blob.length + 4 + 4));
  const client = new AgentClient({ socketPath: agent.socketPath });
  try {
    // exactly the limit: sent, and the real ssh-agent reads it and refuses the unknown key
    await assert.rejects(client.sign(blob, dataFor(MAX_MESSAGE_LENGTH)), { code: 'AGENT_REFUSED' });
    await assert.rejects(client.sign(blob, dataFor(MAX_MESSAGE_LENGTH + 1)), { code: 'INVALID_ARGUMENT', message: /request of 262145 bytes is over ssh-agent's 262144-byte/ });
  } finally {
    await client.close();
  }
  // replies: the same bound, the length read as an unsigned uint32
  const header = (n: number) => Uint8Array.of(n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff);
  assert.deepEqual(new MessageFramer().push(header(MAX_MESSAGE_LENGTH)), []);
  assert.throws(() => new MessageFramer().push(header(MAX_MESSAGE_LENGTH + 1)), { code: 'AGENT_MALFORMED_REPLY', message: /262145 bytes is over the 262144-byte limit/ });
  assert.throws(() => new MessageFramer().push(header(0xffffffff)), { code: 'AGENT_MALFORMED_REPLY', message: /4294967295 bytes/ });
});

test('a raw AgentClient.sign over the agent message limit is refused as what it is, before anything is sent', async () => {
  const client = new CountingClient({ socketPath: agent.socketPath });
  try {
    const key = await openAgentKey('rules', { client });
    const before = requests;
    await assert.rejects(client.sign(new Uint8Array(51), new Uint8Array(300 * 1024)), { code: 'INVALID_ARGUMENT', message: /over ssh-agent's 262144-byte message limit/ });
    assert.equal(requests, before + 1); // counted at the call, refused before the socket
    assert.equal((await key.sign(new Uint8Array(32))).length, 64, 'the connection is fine afterwards');
    await key.close();
  } finally {
    await client.close();
  }
});
