/**
 * The examples run as a user runs them, end to end over real TLS on loopback:
 * examples/ws-router.mjs (the minimal `ws` router: a certificate made by
 * openssl, principals in an authorized_keys file, its router key in its own
 * ssh-agent) and examples/first-login.ts (the README's first example: the
 * user's ssh-agent, a CA their system trusts, login.connectWampy), with only
 * the placeholders filled in (readme.test.ts type-checks it with the README's blocks).
 *
 * Success: the client joins, bound (tls-unique) and with the router proven.
 * Failure (a router key the client does not trust): `[ROUTER_KEY_UNTRUSTED] …`
 * on stderr, nothing on stdout, exit 1, and the router logged no welcome.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { after, before, test } from 'node:test';
import { startThrowawayAgent, type ThrowawayAgent } from '../lib/agent/throwaway.js';
import { openAgentKey } from '../lib/keys/agent-key.js';
import { fromSeed } from '../lib/keys/seed-key.js';
import { ROOT, tempDir } from './helpers/paths.js';
import { runProcess } from './helpers/run-process.js';
import { makeTestCert } from './helpers/tls.js';

const cert = makeTestCert();
const tmp = tempDir();
// a directory of its own inside the package (so 'cryptosign-keys' resolves to it), unique so that
// two runs at once (CI runs Node 22 and 24 side by side) do not share it
const built = mkdtempSync(join(ROOT, 'dist', 'examples-run-'));
let userAgent: ThrowawayAgent;
let routerAgent: ThrowawayAgent;
let router: ChildProcess;
let routerUrl: string;
let routerKeyHex: string;
const routerLog: string[] = [];
let clientJs: string;

before(async () => {
  [userAgent, routerAgent] = await Promise.all([startThrowawayAgent(), startThrowawayAgent()]);
  await userAgent.makeKey('alice', { comment: 'alice@laptop' });
  await routerAgent.makeKey('router', { comment: 'router-node-key' });
  const alice = await openAgentKey(undefined, { socketPath: userAgent.socketPath });
  const principals = join(tmp.dir, 'wamp_authorized_keys');
  writeFileSync(principals, `${alice.publicKeyHex} alice\n`);
  chmodSync(principals, 0o600);
  await alice.close();

  router = spawn(process.execPath, [join(ROOT, 'examples', 'ws-router.mjs')], {
    env: { ...process.env, SSH_AUTH_SOCK: routerAgent.socketPath, TLS_CERT: cert.certPath, TLS_KEY: cert.keyPath, AUTHORIZED_KEYS: principals, ROUTER_AGENT_KEY: 'router-node-key', PORT: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  createInterface({ input: router.stderr! }).on('line', (l) => routerLog.push(l));
  const lines = createInterface({ input: router.stdout! });
  await new Promise<void>((resolve, reject) => {
    router.once('exit', (code) => reject(new Error(`the example router exited (${code}): ${routerLog.join('\n')}`)));
    lines.on('line', (line) => {
      routerUrl = /^listening on (wss:\S+)$/.exec(line)?.[1] ?? routerUrl;
      routerKeyHex = /^router key ([0-9a-f]{64})$/.exec(line)?.[1] ?? routerKeyHex;
      if (routerUrl && routerKeyHex) resolve();
    });
  });

  // the README's first example is TypeScript without annotations, so it runs as it is (readme.test.ts type-checks it)
  rmSync(built, { recursive: true, force: true });
  mkdirSync(built, { recursive: true });
  clientJs = readFileSync(join(ROOT, 'examples', 'first-login.ts'), 'utf8');
});

after(async () => {
  if (router && router.exitCode === null) {
    const exited = new Promise((r) => router.once('exit', r));
    router.kill('SIGTERM');
    await exited;
  }
  await Promise.all([userAgent?.stop(), routerAgent?.stop()]);
  rmSync(built, { recursive: true, force: true });
  cert.cleanup();
  tmp.cleanup();
});

/** Runs the first example with its placeholders filled in; the process ends once it has joined. */
async function runFirstLogin(trustedRouterKey: string, name: string) {
  assert.ok(clientJs.includes('wss://router.example/ws') && clientJs.includes('<router public key hex>'), 'the example still has its placeholders');
  const file = join(built, `${name}.mjs`);
  const code = clientJs.replace('wss://router.example/ws', routerUrl).replace('<router public key hex>', trustedRouterKey);
  writeFileSync(file, `${code}\nconsole.log('joined');\nprocess.exit(0);\n`);
  // the user's environment: their ssh-agent, and a CA their system trusts
  return runProcess(process.execPath, [file], { env: { ...process.env, SSH_AUTH_SOCK: userAgent.socketPath, NODE_EXTRA_CA_CERTS: cert.certPath } });
}

test('examples: the README\'s first example joins the example ws router, bound (tls-unique) and with the router key in ssh-agent proven', async () => {
  const before = routerLog.length;
  const run = await runFirstLogin(routerKeyHex, 'joins');
  assert.equal(run.code, 0, run.stderr);
  assert.equal(run.stdout, 'joined\n');
  assert.equal(run.stderr, '');
  assert.match(routerLog.slice(before).join('\n'), /^127\.0\.0\.1 welcome alice$/m);
});

test('examples: with a router key it does not trust, the first example prints [ROUTER_KEY_UNTRUSTED] on stderr, nothing on stdout, and exits 1', async () => {
  const before = routerLog.length;
  const run = await runFirstLogin(fromSeed('9e'.repeat(32)).publicKeyHex, 'untrusted');
  assert.equal(run.code, 1);
  assert.equal(run.stdout, '');
  assert.match(run.stderr, /^\[ROUTER_KEY_UNTRUSTED\] [^\n]+\n$/);
  assert.doesNotMatch(routerLog.slice(before).join('\n'), /welcome/);
});

test('examples: the example router gives transcript mode (tls-exporter, router key proven) to a client that asks for it, as the README\'s secure connection says', async () => {
  const before = routerLog.length;
  const code = clientJs
    .replace('wss://router.example/ws', routerUrl)
    .replace('<router public key hex>', routerKeyHex)
    .replace("channelBinding: 'tls-unique',", "transcript: true, channelBinding: 'tls-exporter', realm: 'realm1', authid: 'alice',");
  assert.ok(code.includes('transcript: true'), 'the first example still has its channelBinding option');
  const file = join(built, 'transcript.mjs');
  writeFileSync(file, `${code}\nconsole.log('joined');\nprocess.exit(0);\n`);
  const run = await runProcess(process.execPath, [file], { env: { ...process.env, SSH_AUTH_SOCK: userAgent.socketPath, NODE_EXTRA_CA_CERTS: cert.certPath } });
  assert.equal(run.code, 0, run.stderr);
  assert.equal(run.stdout, 'joined\n');
  assert.match(routerLog.slice(before).join('\n'), /^127\.0\.0\.1 welcome alice$/m);
});
