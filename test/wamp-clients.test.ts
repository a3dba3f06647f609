/**
 * Real WAMP clients log in with our keys: autobahn-js (Connection with
 * autobahnOnChallenge) and wampy (onChallenge: wampyOnChallenge) against a
 * loopback router whose decision is the library's verifier.
 */
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { after, before, test } from 'node:test';
import { Wampy } from 'wampy';
import WebSocket from 'ws';
import { openAgentKey } from '../lib/keys/agent-key.js';
import { loadKeyFile } from '../lib/keys/openssh-key-file.js';
import { fromSeed } from '../lib/keys/seed-key.js';
import type { SigningKey } from '../lib/keys/signing-key.js';
import { startThrowawayAgent, type ThrowawayAgent } from '../lib/agent/throwaway.js';
import { parseAuthorizedKeys } from '../lib/wamp/router/principals.js';
import { autobahnOnChallenge, cryptosignAuthextra, wampyOnChallenge } from '../lib/wamp/client/cryptosign-client.js';
import { startTestRouter, type TestRouter } from './helpers/test-router.js';
import { fixtureCopy, tempDir } from './helpers/paths.js';

const require = createRequire(import.meta.url);
const autobahn = require('autobahn') as {
  Connection: new (options: Record<string, unknown>) => {
    onopen: (session: unknown) => void;
    onclose: (reason: string, details: { reason?: string; message?: string }) => boolean;
    open(): void;
    close(): void;
  };
};

let agent: ThrowawayAgent;
let router: TestRouter;
let agentKey: SigningKey;
let fileKey: SigningKey;
const stranger = fromSeed('5e'.repeat(32));
const tmp = tempDir();

before(async () => {
  agent = await startThrowawayAgent();
  await agent.makeKey('wamp_alice', { comment: 'alice' });
  agentKey = await openAgentKey('alice', { socketPath: agent.socketPath });
  fileKey = loadKeyFile(fixtureCopy(tmp.dir, 'ed25519'));
  router = await startTestRouter({ principals: parseAuthorizedKeys(`${agentKey.publicKeyHex} alice\n${fileKey.publicKeyHex} bob\n`) });
});
after(async () => {
  await agentKey.close();
  await router.stop();
  await agent.stop();
  tmp.cleanup();
});

/** Opens an autobahn-js connection; resolves 'open' or the close reason. */
function autobahnLogin(authextraKey: SigningKey, signingKey: SigningKey): Promise<string> {
  return new Promise((resolve) => {
    const connection = new autobahn.Connection({
      url: router.url,
      realm: 'realm1',
      authmethods: ['cryptosign'],
      authextra: cryptosignAuthextra(authextraKey),
      onchallenge: autobahnOnChallenge(signingKey),
      max_retries: 0,
      retry_if_unreachable: false,
    });
    let opened = false;
    connection.onopen = () => {
      opened = true;
      connection.close();
      resolve('open');
    };
    connection.onclose = (reason, details) => {
      if (!opened) resolve(`${reason}: ${details.reason ?? ''}`);
      return true; // no retry
    };
    connection.open();
  });
}

test('autobahn-js logs in with a key held in ssh-agent', async () => {
  assert.equal(await autobahnLogin(agentKey, agentKey), 'open');
  assert.equal(router.outcomes.at(-1)?.principal, 'alice');
});

test('autobahn-js: an unlisted key and a signature by the wrong key are refused', async () => {
  assert.match(await autobahnLogin(stranger, stranger), /wamp\.error\.not_authorized/);
  assert.match(await autobahnLogin(agentKey, stranger), /wamp\.error\.not_authorized/);
  assert.equal(router.outcomes.at(-1)?.aborted, 'wamp.error.not_authorized');
});

function wampyClient(authid: string, authextraKey: SigningKey, signingKey: SigningKey): Wampy {
  return new Wampy(router.url, {
    ws: WebSocket,
    realm: 'realm1',
    authid,
    authmethods: ['cryptosign'],
    authextra: cryptosignAuthextra(authextraKey),
    onChallenge: wampyOnChallenge(signingKey),
    autoReconnect: false,
  } as never);
}

test('wampy logs in with an OpenSSH key file', async () => {
  const wampy = wampyClient('bob', fileKey, fileKey);
  await wampy.connect();
  assert.equal(router.outcomes.at(-1)?.principal, 'bob');
  await wampy.disconnect();
});

test('wampy with a signature by the wrong key is refused', async () => {
  await assert.rejects(wampyClient('mallory', fileKey, stranger).connect());
  assert.equal(router.outcomes.at(-1)?.aborted, 'wamp.error.not_authorized');
});
