/**
 * Whole logins, per login in milliseconds: wampy with cryptosignClient against
 * the loopback test router whose decision is the library's authenticator.
 * A plain ws login with a seed key is the baseline; then wss (TLS 1.3) with
 * tls-unique channel binding and router authentication, with the client key
 * as a seed and in ssh-agent; then the same in transcript mode
 * (docs/transcript-binding.md), tls-exporter, beside XOR mode with
 * tls-exporter. Each login is a new connection.
 */
import { Wampy } from 'wampy';
import type { SigningKey } from '../lib/keys/signing-key.js';
import { fromSeed } from '../lib/keys/seed-key.js';
import { cryptosignClient, type CryptosignClientOptions } from '../lib/wamp/client/cryptosign-client.js';
import { parseAuthorizedKeys } from '../lib/wamp/router/principals.js';
import { startTestRouter } from '../test/helpers/test-router.js';
import { makeTestCert } from '../test/helpers/tls.js';

async function login(url: string, key: SigningKey, options: CryptosignClientOptions): Promise<void> {
  const client = cryptosignClient(key, options);
  const wampy = new Wampy(url, { realm: 'realm1', authid: 'bench', ...client.wampy(), autoReconnect: false } as never);
  await wampy.connect();
  await wampy.disconnect();
}

/** ms per login for each case, taking turns login by login */
export async function benchLogins(agentKey: SigningKey, logins: number): Promise<Map<string, number>> {
  const cert = makeTestCert();
  const seedKey = fromSeed('42'.repeat(32));
  const routerKey = fromSeed('43'.repeat(32));
  const principals = parseAuthorizedKeys(`${seedKey.publicKeyHex} bench\n${agentKey.publicKeyHex} bench`);
  const ws = await startTestRouter({ principals, routerKey });
  const wss = await startTestRouter({ principals, routerKey, tls: { cert, version: 'TLSv1.3' }, transcript: 'allow' });
  const secure: CryptosignClientOptions = { tls: { ca: cert.cert }, channelBinding: 'tls-unique', routerKeys: [routerKey.publicKeyHex] };
  const exporter: CryptosignClientOptions = { ...secure, channelBinding: 'tls-exporter' };
  const transcript: CryptosignClientOptions = { ...exporter, transcript: true, realm: 'realm1', authid: 'bench' };
  const cases: [string, () => Promise<void>][] = [
    ['plain ws, seed key (baseline)', () => login(ws.url, seedKey, {})],
    ['wss + tls-unique + router auth, seed key', () => login(wss.url, seedKey, secure)],
    ['wss + tls-unique + router auth, agent key', () => login(wss.url, agentKey, secure)],
    ['XOR: wss + tls-exporter + router auth, seed', () => login(wss.url, seedKey, exporter)],
    ['transcript: same, seed key', () => login(wss.url, seedKey, transcript)],
    ['transcript: same, agent key', () => login(wss.url, agentKey, transcript)],
  ];
  const total = new Map<string, number>(cases.map(([n]) => [n, 0]));
  try {
    for (let i = 0; i < logins + 10; i++) {
      for (const [name, run] of cases) {
        const t0 = process.hrtime.bigint();
        await run();
        if (i >= 10) total.set(name, (total.get(name) as number) + Number(process.hrtime.bigint() - t0) / 1e6);
      }
    }
  } finally {
    await ws.stop();
    await wss.stop();
    cert.cleanup();
  }
  return new Map([...total].map(([n, ms]) => [n, ms / logins]));
}
