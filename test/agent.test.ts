/**
 * Against a real ssh-agent (started here, with keys from the real
 * ssh-keygen). These never skip: no ssh-agent is a failure.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { createConnection, createServer, type Socket } from 'node:net';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { AgentClient } from '../lib/agent/client.js';
import { listAgentKeys, openAgentKey } from '../lib/keys/agent-key.js';
import { signChallenge } from '../lib/wamp/challenge.js';
import { fingerprintLine, publicKeyLine } from '../lib/ssh/public-key.js';
import { startThrowawayAgent, type ThrowawayAgent } from '../lib/agent/throwaway.js';
import { verifyChallengeSignature } from '../lib/wamp/challenge.js';
import { expectCode } from './helpers/errors.js';
import { fixtureCopy, tempDir } from './helpers/paths.js';

const CHALLENGE = '5a'.repeat(32);
let agent: ThrowawayAgent;
const tmp = tempDir();

before(async () => {
  agent = await startThrowawayAgent();
  await agent.makeKey('alice', { comment: 'alice@example' });
  await agent.makeKey('bob', { comment: 'bob@example' });
  await agent.makeKey('rsa', { type: 'rsa', comment: 'rsa@example' });
  await agent.makeKey('ecdsa', { type: 'ecdsa', comment: 'ecdsa@example' });
});
after(async () => {
  await agent.stop();
  tmp.cleanup();
});

const opts = () => ({ socketPath: agent.socketPath });

test('listing matches ssh-add -l and ssh-add -L line for line, all key types, Ed25519 ones usable', async () => {
  const keys = await listAgentKeys(opts());
  const sshAddL = (await agent.sshAdd('-l')).trimEnd().split('\n');
  const sshAddBigL = (await agent.sshAdd('-L')).trimEnd().split('\n');
  assert.deepEqual(keys.map((k) => fingerprintLine(k, k.comment)), sshAddL);
  assert.deepEqual(keys.map((k) => publicKeyLine(k, k.comment)), sshAddBigL);
  assert.deepEqual(keys.map((k) => [k.label, k.usable]), [
    ['ED25519', true],
    ['ED25519', true],
    ['RSA', false],
    ['ECDSA', false],
  ]);
  const alice = keys[0];
  assert.equal(alice?.publicKeyHex?.length, 64);
  assert.equal(keys[2]?.bits, 2048);
});

test('select by public key hex, fingerprint, comment or key line; sign through the agent', async () => {
  const [alice] = await listAgentKeys(opts());
  assert.ok(alice?.publicKeyHex);
  for (const selector of [alice.publicKeyHex, alice.publicKeyHex.toUpperCase(), alice.fingerprint, 'alice@example', publicKeyLine(alice, '')]) {
    const key = await openAgentKey(selector, opts());
    try {
      assert.equal(key.source, 'agent');
      assert.equal(key.publicKeyHex, alice.publicKeyHex);
      assert.equal(key.comment, 'alice@example');
      const sig = await signChallenge(key, CHALLENGE);
      assert.ok(verifyChallengeSignature(alice.publicKeyHex, CHALLENGE, sig));
      const bound = await signChallenge(key, CHALLENGE, { channelId: '01'.repeat(32) });
      assert.ok(verifyChallengeSignature(alice.publicKeyHex, CHALLENGE, bound, { channelId: '01'.repeat(32) }));
      assert.ok(!verifyChallengeSignature(alice.publicKeyHex, CHALLENGE, bound));
    } finally {
      await key.close();
    }
  }
});

test('the agent key signs the same bytes as the file key it came from (Ed25519 is deterministic)', async () => {
  const { loadKeyFile } = await import('../lib/keys/openssh-key-file.js');
  const fileKey = loadKeyFile(join(agent.dir, 'alice'));
  const agentKey = await openAgentKey('alice@example', opts());
  try {
    assert.equal(await signChallenge(agentKey, CHALLENGE), await signChallenge(fileKey, CHALLENGE));
  } finally {
    await agentKey.close();
  }
});

test('selection errors: ambiguous, not found, not Ed25519', async () => {
  await expectCode(() => openAgentKey(undefined, opts()), 'AGENT_KEY_AMBIGUOUS', /2 Ed25519 keys .*alice@example.*bob@example/);
  await expectCode(() => openAgentKey('carol@example', opts()), 'AGENT_KEY_NOT_FOUND', /no key in ssh-agent matches "carol@example" \(4 keys/);
  await expectCode(() => openAgentKey('SHA256:nope', opts()), 'AGENT_KEY_NOT_FOUND');
  await expectCode(() => openAgentKey('00'.repeat(32), opts()), 'AGENT_KEY_NOT_FOUND');
  await expectCode(() => openAgentKey('rsa@example', opts()), 'AGENT_KEY_NOT_ED25519', /RSA\) is not Ed25519/);
});

test('an agent with no Ed25519 key, and an empty agent, say so', async () => {
  const other = await startThrowawayAgent();
  try {
    await expectCode(() => openAgentKey(undefined, { socketPath: other.socketPath }), 'AGENT_KEY_NOT_FOUND', /holds no keys/);
    assert.deepEqual(await listAgentKeys({ socketPath: other.socketPath }), []);
    await other.makeKey('r', { type: 'ecdsa' });
    await expectCode(() => openAgentKey(undefined, { socketPath: other.socketPath }), 'AGENT_KEY_NOT_FOUND', /no Ed25519 key \(1 key of other types\)/);
  } finally {
    await other.stop();
  }
});

test('64 concurrent signatures over one connection all verify', async () => {
  const key = await openAgentKey('bob@example', opts());
  try {
    const challenges = Array.from({ length: 64 }, (_, i) => i.toString(16).padStart(2, '0').repeat(32));
    const sigs = await Promise.all(challenges.map((c) => signChallenge(key, c)));
    sigs.forEach((s, i) => assert.ok(verifyChallengeSignature(key.publicKey, challenges[i] as string, s)));
  } finally {
    await key.close();
  }
});

test('a key removed from the agent after opening: AGENT_REFUSED', async () => {
  const path = await agent.makeKey('temp', { comment: 'temp@example' });
  const key = await openAgentKey('temp@example', opts());
  try {
    await signChallenge(key, CHALLENGE);
    await agent.sshAdd('-d', path);
    await expectCode(() => signChallenge(key, CHALLENGE), 'AGENT_REFUSED', /refused to sign/);
  } finally {
    await key.close();
  }
});

test('a locked agent refuses: AGENT_REFUSED', async () => {
  const other = await startThrowawayAgent();
  try {
    await other.makeKey('k');
    const key = await openAgentKey(undefined, { socketPath: other.socketPath });
    // ssh-add -x reads the lock password from SSH_ASKPASS when there is no terminal
    const askpass = join(tmp.dir, 'lockpass.sh');
    writeFileSync(askpass, '#!/bin/sh\necho lockpass\n');
    chmodSync(askpass, 0o700);
    execFileSync('setsid', ['-w', 'ssh-add', '-x'], {
      env: { ...other.env, SSH_ASKPASS: askpass, SSH_ASKPASS_REQUIRE: 'force', DISPLAY: ':0' },
      stdio: 'ignore',
    });
    await expectCode(() => signChallenge(key, CHALLENGE), 'AGENT_REFUSED');
    await key.close();
  } finally {
    await other.stop();
  }
});

test('confirmation (ssh-add -c): denied is AGENT_REFUSED, granted signs', async () => {
  for (const [answer, granted] of [['exit 1', false], ['echo yes', true]] as const) {
    const askpass = join(tmp.dir, `askpass-${granted}.sh`);
    writeFileSync(askpass, `#!/bin/sh\n${answer}\n`);
    chmodSync(askpass, 0o700);
    const other = await startThrowawayAgent({ env: { SSH_ASKPASS: askpass, SSH_ASKPASS_REQUIRE: 'force', DISPLAY: ':0' } });
    try {
      await other.makeKey('c', { confirm: true });
      const key = await openAgentKey(undefined, { socketPath: other.socketPath });
      if (granted) assert.ok(verifyChallengeSignature(key.publicKey, CHALLENGE, await signChallenge(key, CHALLENGE)));
      else await expectCode(() => signChallenge(key, CHALLENGE), 'AGENT_REFUSED', /confirmation was denied/);
      await key.close();
    } finally {
      await other.stop();
    }
  }
});

test('the agent exiting: socket gone, or killed leaving a stale socket', async () => {
  const other = await startThrowawayAgent();
  await other.makeKey('k');
  const key = await openAgentKey(undefined, { socketPath: other.socketPath });
  await signChallenge(key, CHALLENGE);
  process.kill(other.pid, 'SIGKILL'); // no cleanup: the socket file stays
  // kill() returns before the agent is gone: until its exit has closed its files (a zombie, or no
  // process at all) its listening socket still queues connections, which then break (AGENT_DIED)
  const dead = () => {
    try {
      return /^State:\s+Z/m.test(readFileSync(`/proc/${other.pid}/status`, 'utf8'));
    } catch {
      return true;
    }
  };
  for (const end = Date.now() + 60_000; !dead(); ) {
    assert.ok(Date.now() < end, 'the killed agent still runs after 60 s');
    await new Promise((r) => setTimeout(r, 5));
  }
  // the key's open connection meets the agent's death (AGENT_DIED) unless it has seen it close already;
  // either way the connection after it finds the stale socket with nothing listening
  const first = await signChallenge(key, CHALLENGE).then(() => undefined, (e: { code?: string }) => e);
  if (first?.code !== 'AGENT_DIED') assert.equal(first?.code, 'AGENT_CONNECT_FAILED', String(first));
  await expectCode(() => signChallenge(key, CHALLENGE), 'AGENT_CONNECT_FAILED', /nothing is listening/);
  await other.stop(); // removes the directory and the socket with it
  await expectCode(() => signChallenge(key, CHALLENGE), 'AGENT_SOCKET_MISSING', /does not exist/);
  await key.close();
  await expectCode(() => signChallenge(key, CHALLENGE), 'AGENT_CLOSED');
});

test('no agent configured, a missing socket, a path that is not a socket', async () => {
  const saved = process.env.SSH_AUTH_SOCK;
  delete process.env.SSH_AUTH_SOCK;
  try {
    await expectCode(() => openAgentKey(), 'AGENT_NOT_CONFIGURED', /SSH_AUTH_SOCK is not set/);
    await expectCode(() => listAgentKeys(), 'AGENT_NOT_CONFIGURED');
    process.env.SSH_AUTH_SOCK = agent.socketPath;
    assert.equal((await listAgentKeys()).length >= 4, true, 'SSH_AUTH_SOCK is used when no path is given');
  } finally {
    if (saved === undefined) delete process.env.SSH_AUTH_SOCK;
    else process.env.SSH_AUTH_SOCK = saved;
  }
  await expectCode(() => listAgentKeys({ socketPath: join(tmp.dir, 'nope.sock') }), 'AGENT_SOCKET_MISSING');
  await expectCode(() => listAgentKeys({ socketPath: fixtureCopy(tmp.dir, 'ed25519.pub') }), 'AGENT_CONNECT_FAILED', /is not a socket/);
  await expectCode(() => new AgentClient({ socketPath: agent.socketPath, timeoutMs: -1 }), 'INVALID_ARGUMENT', /positive/);
});

test('one client serves many keys over one connection', async () => {
  const client = new AgentClient(opts());
  let connections = 0;
  try {
    const a = await openAgentKey('alice@example', { client });
    const b = await openAgentKey('bob@example', { client });
    await Promise.all([signChallenge(a, CHALLENGE), signChallenge(b, CHALLENGE), listAgentKeys({ client })]);
    await a.close(); // does not close the shared client
    await signChallenge(b, CHALLENGE);
  } finally {
    await client.close();
  }
  // count connections through a relay socket in front of the agent
  const relayPath = join(tmp.dir, 'relay.sock');
  const { connect } = await import('node:net');
  const relay = createServer((c) => {
    connections++;
    const up = connect(agent.socketPath);
    c.pipe(up).pipe(c);
    c.on('error', () => up.destroy());
    up.on('error', () => c.destroy());
  });
  await new Promise<void>((r) => relay.listen(relayPath, r));
  try {
    const key = await openAgentKey('alice@example', { socketPath: relayPath });
    await Promise.all(Array.from({ length: 20 }, () => signChallenge(key, CHALLENGE)));
    await signChallenge(key, CHALLENGE);
    await key.close();
    assert.equal(connections, 1, 'listing and 21 signatures used one connection');
  } finally {
    relay.close();
  }
});

test('a full listen backlog (EAGAIN) is waited out, not reported as a dead agent', async () => {
  const busy = await startThrowawayAgent();
  const fillers: Socket[] = [];
  /** a connection attempt: 'connected' (queued in the backlog), or the error's code */
  const tryConnect = () =>
    new Promise<{ socket: Socket; result: string }>((resolve) => {
      const socket = createConnection(busy.socketPath);
      socket.once('connect', () => resolve({ socket, result: 'connected' }));
      socket.once('error', (e: NodeJS.ErrnoException) => resolve({ socket, result: e.code ?? String(e) }));
    });
  try {
    await busy.makeKey('b', { comment: 'busy' });
    // the agent stopped accepts nothing: connections queue until the kernel says the backlog is full
    process.kill(busy.pid, 'SIGSTOP');
    for (;;) {
      const { socket, result } = await tryConnect();
      if (result === 'EAGAIN') break;
      assert.equal(result, 'connected');
      fillers.push(socket);
      assert.ok(fillers.length < 10_000, 'the backlog never filled');
    }
    const opened = openAgentKey('busy', { socketPath: busy.socketPath });
    // connections made after openAgentKey's first one meet the same full backlog (three turns of the event loop)
    for (let i = 0; i < 3; i++) assert.equal((await tryConnect()).result, 'EAGAIN');
    process.kill(busy.pid, 'SIGCONT');
    for (const f of fillers) f.destroy();
    const key = await opened;
    assert.equal(key.comment, 'busy');
    await key.close();
  } finally {
    process.kill(busy.pid, 'SIGCONT');
    for (const f of fillers) f.destroy();
    await busy.stop();
  }
});

test('a burst of 300 concurrent openAgentKey() all connect', async () => {
  const burst = await startThrowawayAgent();
  try {
    await burst.makeKey('b', { comment: 'burst' });
    const results = await Promise.allSettled(Array.from({ length: 300 }, () => openAgentKey('burst', { socketPath: burst.socketPath })));
    const failed = results.filter((r) => r.status === 'rejected').map((r) => String((r as PromiseRejectedResult).reason?.message));
    assert.deepEqual(failed.slice(0, 3), [], `${failed.length} of 300 failed`);
    for (const r of results) if (r.status === 'fulfilled') await r.value.close();
  } finally {
    await burst.stop();
  }
});
