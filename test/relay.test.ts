/**
 * The relay of issue 15, as a real man in the middle: a TLS server with a
 * certificate the client accepts (its own, made by openssl: a mis-issued or
 * intercepting certificate) holding a second, real TLS connection to the real
 * router, forwarding WAMP messages between them. It knows both channel ids
 * (cidC towards the client, cidR towards the router) and either rewrites
 *   HELLO authextra.challenge  c   → c ⊕ cidC ⊕ cidR   (the router then signs c ⊕ cidC)
 *   CHALLENGE extra.challenge  chR → chR ⊕ cidR ⊕ cidC (the client then signs chR ⊕ cidR)
 * or simply forwards. In XOR mode the rewriting relay logs in as the client
 * (the documented limitation, asserted here so a change is noticed); in
 * transcript mode every attempt fails, with tls-unique and tls-exporter and
 * seed, file and ssh-agent keys: the client key signs at most once (counted
 * at the key and at the agent) and the router never WELCOMEs the relay.
 */
import assert from 'node:assert/strict';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { WebSocket, WebSocketServer } from 'ws';
import { startThrowawayAgent, type ThrowawayAgent } from '../lib/agent/throwaway.js';
import { toHex } from '../lib/crypto/hex.js';
import { openAgentKey } from '../lib/keys/agent-key.js';
import { loadKeyFile } from '../lib/keys/openssh-key-file.js';
import { fromSeed } from '../lib/keys/seed-key.js';
import type { SigningKey } from '../lib/keys/signing-key.js';
import { tlsChannelId, type ChannelBindingType } from '../lib/wamp/channel-binding.js';
import { cryptosignClient, type CryptosignClientOptions } from '../lib/wamp/client/cryptosign-client.js';
import { parseAuthorizedKeys } from '../lib/wamp/router/principals.js';
import { fixtureCopy, tempDir } from './helpers/paths.js';
import { startTestRouter, type TestRouter } from './helpers/test-router.js';
import { makeTestCert } from './helpers/tls.js';
import { counting, CountingAgentClient } from './helpers/counting-key.js';
import { login } from './helpers/wamp-login.js';

const routerCert = makeTestCert();
const mitmCert = makeTestCert();
const tmp = tempDir();
let agent: ThrowawayAgent;
let agentClient: CountingAgentClient;
const keys: Record<'seed' | 'file' | 'agent', SigningKey> = {} as never;
const NAMES = { seed: 'carol', file: 'bob', agent: 'alice' } as const;
const routerKey = fromSeed('a1'.repeat(32));
const closers: (() => Promise<void>)[] = [];

before(async () => {
  agent = await startThrowawayAgent();
  await agent.makeKey('alice', { comment: 'alice' });
  keys.agent = await openAgentKey('alice', { client: (agentClient = new CountingAgentClient({ socketPath: agent.socketPath })) });
  keys.file = loadKeyFile(fixtureCopy(tmp.dir, 'ed25519'));
  keys.seed = fromSeed('c3'.repeat(32));
});
after(async () => {
  for (const c of closers) await c();
  await keys.agent?.close();
  await agent.stop();
  routerCert.cleanup();
  mitmCert.cleanup();
  tmp.cleanup();
});

const xor = (...xs: Uint8Array[]) => {
  const out = new Uint8Array(32);
  for (const x of xs) for (let i = 0; i < 32; i++) out[i]! ^= x[i]!;
  return out;
};
const fromHex = (h: unknown) => new Uint8Array(Buffer.from(String(h), 'hex'));

interface Relay {
  url: string;
  /** HELLOs forwarded */
  relayed: number;
}

/**
 * The man in the middle: a wss server with its own certificate, one real wss
 * connection to the router per client. 'rewrite' cancels the channel ids as
 * the issue describes, 'forward' passes everything as is, 'strip' removes
 * authextra.transcript from HELLO.
 */
async function startRelay(routerUrl: string, binding: ChannelBindingType, mode: 'rewrite' | 'forward' | 'strip'): Promise<Relay> {
  const rewrite = mode === 'rewrite';
  const https: HttpsServer = createHttpsServer({ key: mitmCert.key, cert: mitmCert.cert });
  await new Promise<void>((r) => https.listen(0, '127.0.0.1', r));
  const wss = new WebSocketServer({ server: https, handleProtocols: () => 'wamp.2.json' });
  const state: Relay = { url: `wss://127.0.0.1:${(https.address() as AddressInfo).port}/ws`, relayed: 0 };
  wss.on('connection', (down: WebSocket, req: IncomingMessage) => {
    const cidC = tlsChannelId(req.socket, binding);
    let cidR: Uint8Array | undefined;
    const up = new WebSocket(routerUrl, ['wamp.2.json'], { ca: routerCert.cert });
    up.on('upgrade', (res) => (cidR = tlsChannelId(res.socket, binding)));
    const queue: string[] = [];
    const toRouter = (data: string) => {
      const msg = JSON.parse(data) as unknown[];
      if (msg[0] === 1) {
        state.relayed++;
        const extra = (msg[2] as { authextra?: { challenge?: string } }).authextra;
        if (rewrite && extra?.challenge) extra.challenge = toHex(xor(fromHex(extra.challenge), cidC, cidR!));
        if (mode === 'strip') delete (extra as Record<string, unknown>).transcript;
      }
      up.send(JSON.stringify(msg));
    };
    down.on('message', (d) => (up.readyState === WebSocket.OPEN ? toRouter(String(d)) : queue.push(String(d))));
    up.on('open', () => queue.splice(0).forEach(toRouter));
    up.on('message', (d) => {
      const msg = JSON.parse(String(d)) as unknown[];
      if (msg[0] === 4 && rewrite) {
        const extra = msg[2] as { challenge: string };
        extra.challenge = toHex(xor(fromHex(extra.challenge), cidR!, cidC));
      }
      if (down.readyState === WebSocket.OPEN) down.send(JSON.stringify(msg));
    });
    up.on('close', () => down.close());
    down.on('close', () => up.close());
    up.on('error', () => down.close());
  });
  closers.push(
    () =>
      new Promise<void>((r) => {
        for (const c of wss.clients) c.terminate();
        wss.close(() => https.close(() => r()));
      }),
  );
  return state;
}

async function realRouter(transcript: 'require' | 'allow' | 'off'): Promise<TestRouter> {
  const principals = parseAuthorizedKeys(Object.entries(NAMES).map(([k, n]) => `${keys[k as keyof typeof NAMES].publicKeyHex} ${n}`).join('\n'));
  const r = await startTestRouter({ principals, routerKey, requireChannelBinding: true, transcript, tls: { cert: routerCert, version: 'TLSv1.3' } });
  closers.push(() => r.stop());
  return r;
}

/** the client trusts the relay's certificate (and the router's): exactly the case channel binding is for */
const clientTls = () => ({ ca: [routerCert.cert, mitmCert.cert] });

interface Attempt {
  result: string;
  signs: number;
  agentSigns: number;
  admitted: boolean;
  clientCode: string | undefined;
  routerCode: string | undefined;
}

async function attempt(source: keyof typeof NAMES, router: TestRouter, relay: Relay, options: CryptosignClientOptions): Promise<Attempt> {
  const key = counting(keys[source]);
  const agentBefore = agentClient.signs;
  const outcomesBefore = router.outcomes.length;
  const client = cryptosignClient(key, { tls: clientTls(), realm: 'realm1', authid: NAMES[source], ...options });
  const result = await login('wampy', relay.url, client, NAMES[source]);
  const outcomes = router.outcomes.slice(outcomesBefore);
  return {
    result,
    signs: key.signs,
    agentSigns: agentClient.signs - agentBefore,
    admitted: outcomes.some((o) => o.principal !== undefined),
    clientCode: client.lastError?.code,
    routerCode: outcomes.at(-1)?.code,
  };
}

const BINDINGS: ChannelBindingType[] = ['tls-unique', 'tls-exporter'];
const SOURCES = ['seed', 'file', 'agent'] as const;

test('XOR mode (the limitation, documented): the rewriting relay logs in as the client, with binding, router authentication and requireChannelBinding', async () => {
  const router = await realRouter('off');
  for (const binding of BINDINGS) {
    const relay = await startRelay(router.url, binding, 'rewrite');
    for (const source of SOURCES) {
      const a = await attempt(source, router, relay, { channelBinding: binding, routerKeys: [routerKey.publicKeyHex] });
      assert.equal(a.result, 'open', `${binding}, ${source}: ${a.clientCode}`);
      assert.equal(a.admitted, true, 'the router WELCOMEd the relay');
      assert.equal(a.signs, 1);
    }
    // plain forwarding does not pass XOR-mode binding: the router's signature is over the other channel
    const plain = await startRelay(router.url, binding, 'forward');
    const a = await attempt('seed', router, plain, { channelBinding: binding, routerKeys: [routerKey.publicKeyHex] });
    assert.equal(a.clientCode, 'ROUTER_SIGNATURE_WRONG');
    assert.equal(a.signs, 0);
    assert.equal(a.admitted, false);
  }
});

test('transcript mode: the relay fails in both directions (rewriting or forwarding), both bindings, every key source; the key signs at most once, the router never admits it', async () => {
  const router = await realRouter('require');
  for (const binding of BINDINGS) {
    for (const rewrite of [true, false]) {
      const relay = await startRelay(router.url, binding, rewrite ? 'rewrite' : 'forward');
      for (const source of SOURCES) {
        const what = `${binding}, ${rewrite ? 'rewriting' : 'forwarding'}, ${source}`;
        // with router authentication: the client refuses before its key signs
        const withAuth = await attempt(source, router, relay, { transcript: true, channelBinding: binding, routerKeys: [routerKey.publicKeyHex] });
        assert.match(withAuth.result, /^closed/, what);
        assert.equal(withAuth.clientCode, 'ROUTER_SIGNATURE_WRONG', what);
        assert.equal(withAuth.signs, 0, what);
        assert.equal(withAuth.agentSigns, 0, what);
        assert.equal(withAuth.admitted, false, what);
        // without: the client signs once, for its own channel; the router refuses it for the relay's
        const noAuth = await attempt(source, router, relay, { transcript: true, channelBinding: binding });
        assert.match(noAuth.result, /^closed/, what);
        assert.equal(noAuth.routerCode, 'AUTH_SIGNATURE_WRONG', what);
        assert.ok(noAuth.signs <= 1 && noAuth.agentSigns <= (source === 'agent' ? 1 : 0), what);
        assert.equal(noAuth.admitted, false, what);
      }
    }
  }
  assert.equal(router.outcomes.some((o) => o.principal !== undefined), false, 'nobody was ever admitted through the relay');
});

test('transcript mode against a relay that also strips the request: the client refuses (not confirmed), the require router refuses', async () => {
  const router = await realRouter('allow');
  // a relay that strips transcript from HELLO gets an XOR-mode CHALLENGE from an 'allow' router: refused by the client
  const stripping = await startRelay(router.url, 'tls-exporter', 'strip');
  const a = await attempt('agent', router, stripping, { transcript: true, channelBinding: 'tls-exporter', routerKeys: [routerKey.publicKeyHex] });
  assert.equal(a.clientCode, 'TRANSCRIPT_NOT_CONFIRMED');
  assert.equal(a.agentSigns, 0);
  assert.equal(a.admitted, false);
  const strict = await realRouter('require');
  const stripping2 = await startRelay(strict.url, 'tls-exporter', 'strip');
  const b = await attempt('seed', strict, stripping2, { transcript: true, channelBinding: 'tls-exporter', routerKeys: [routerKey.publicKeyHex] });
  assert.equal(b.routerCode, 'AUTH_TRANSCRIPT_REQUIRED');
  assert.equal(b.signs, 0);
});
