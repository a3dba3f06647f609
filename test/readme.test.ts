/**
 * The README's TypeScript blocks compile: each is its own ES module under
 * strict TypeScript (node16 resolution), importing the package by its name
 * (the package's self-reference through its `exports`), with the few names a
 * fragment leaves to the reader declared. A README that drifts from the API
 * fails here. And the five-line example at the top runs, as a user would run
 * it (their ssh-agent, a CA their system trusts), against a loopback router.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve as resolvePath } from 'node:path';
import { test } from 'node:test';
import { startThrowawayAgent } from '../lib/agent/throwaway.js';
import { openAgentKey } from '../lib/keys/agent-key.js';
import { fromSeed } from '../lib/keys/seed-key.js';
import { parseAuthorizedKeys } from '../lib/wamp/router/principals.js';
import { ROOT } from './helpers/paths.js';
import { startTestRouter, type TestRouter } from './helpers/test-router.js';
import { makeTestCert } from './helpers/tls.js';
import { runProcess } from './helpers/run-process.js';

// what the fragments leave to the reader (from the surrounding protocol code)
const FREE_NAMES: [string, string][] = [
  ['challengeHex', 'declare const challengeHex: string;'],
  ['channelId', 'declare const channelId: string;'],
  ['passphrase', 'declare const passphrase: string;'],
  ['helloDetails', "declare const helloDetails: import('cryptosign-keys/router').HelloDetails;"],
  ['realm', 'declare const realm: string;'],
  ['socket', 'declare const socket: unknown;'],
  ['peerAddress', 'declare const peerAddress: string;'],
  ['signature', 'declare const signature: string;'],
  ['session', 'declare const session: number;'],
  ['send', 'declare function send(message: unknown[]): void;'],
];

/** declarations for the free names a block uses and does not declare itself */
function prelude(code: string): string {
  return FREE_NAMES.filter(([name]) => new RegExp(`\\b${name}\\b`).test(code) && !new RegExp(`\\b(const|let|var|function)\\s+${name}\\b`).test(code))
    .map(([, decl]) => decl)
    .join('\n');
}

test('every ```ts block in the README compiles under strict TypeScript, importing cryptosign-keys by name', () => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const blocks = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1] as string);
  assert.ok(blocks.length >= 3, `found ${blocks.length} ts blocks`);
  // inside the package, so that 'cryptosign-keys' resolves to this package (dist/ must be built)
  // unique: two runs at once (CI runs Node 22 and 24 side by side) must not share it
  const dir = mkdtempSync(join(ROOT, 'dist', 'readme-check-'));
  const files = blocks.map((code, i) => {
    const file = join(dir, `block${i + 1}.mts`);
    writeFileSync(file, `${code}\n${prelude(code)}\nexport {};\n`);
    return file;
  });
  // and the README's first example as examples/ keeps it (run end to end by examples.test.ts)
  files.push(join(dir, 'first-login.mts'));
  writeFileSync(files.at(-1)!, `${readFileSync(join(ROOT, 'examples', 'first-login.ts'), 'utf8')}\nexport {};\n`);
  const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  const r = spawnSync(process.execPath, [tsc, '--noEmit', '--strict', '--module', 'node16', '--moduleResolution', 'node16', '--target', 'es2022', '--types', 'node', '--skipLibCheck', ...files], {
    encoding: 'utf8',
    cwd: ROOT,
  });
  rmSync(dir, { recursive: true, force: true });
  assert.equal(r.status, 0, `README blocks do not compile:\n${r.stdout}${r.stderr}`);
});

test('the five-line example at the top of the README runs: agent key, wss with tls-unique and router authentication, against a loopback router', async () => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const example = readme.match(/```ts\n([\s\S]*?)```/)![1] as string;
  assert.ok(example.includes('wss://router.example/ws') && example.includes('<router public key hex>'), 'the example still has its placeholders');
  const agent = await startThrowawayAgent();
  const cert = makeTestCert();
  const routerKey = fromSeed('5a'.repeat(32));
  const dir = mkdtempSync(join(ROOT, 'dist', 'readme-run-'));
  let router: TestRouter | undefined;
  try {
    await agent.makeKey('alice', { comment: 'alice' });
    const key = await openAgentKey(undefined, { socketPath: agent.socketPath });
    const principal = `${key.publicKeyHex} alice`;
    await key.close();
    router = await startTestRouter({ principals: parseAuthorizedKeys(principal), routerKey, tls: { cert, version: 'TLSv1.3' } });
    // only the placeholders are filled in; the process ends once the example has joined
    const code = example.replace('wss://router.example/ws', router.url).replace('<router public key hex>', routerKey.publicKeyHex) + "\nconsole.log('joined');\nprocess.exit(0);\n";
    writeFileSync(join(dir, 'example.mts'), code);
    const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
    const built = spawnSync(process.execPath, [tsc, '--strict', '--module', 'node16', '--moduleResolution', 'node16', '--target', 'es2022', '--types', 'node', '--skipLibCheck', join(dir, 'example.mts')], { encoding: 'utf8' });
    assert.equal(built.status, 0, built.stdout + built.stderr);
    // the user's environment: their ssh-agent, and a CA their system trusts
    const run = await runProcess(process.execPath, [join(dir, 'example.mjs')], {
      env: { ...process.env, SSH_AUTH_SOCK: agent.socketPath, NODE_EXTRA_CA_CERTS: cert.certPath },
    });
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout.trim(), 'joined');
    assert.equal(router.outcomes.at(-1)?.principal, 'alice');
    assert.equal(router.challenges.at(-1)?.channel_binding, 'tls-unique');
    assert.equal(router.challenges.at(-1)?.pubkey, routerKey.publicKeyHex, 'the router proved its key');
  } finally {
    await router?.stop();
    await agent.stop();
    cert.cleanup();
    rmSync(dir, { recursive: true, force: true });
  }
});

test("the README's first example is examples/first-login.ts, which examples.test.ts runs end to end (success and a coded failure)", () => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const first = readme.match(/```ts\n([\s\S]*?)```/)![1] as string;
  assert.equal(first.trim(), readFileSync(join(ROOT, 'examples', 'first-login.ts'), 'utf8').trim());
  assert.ok(first.trim().split('\n').filter((l) => l.trim() !== '').length <= 7, 'five lines of code and two imports');
});

test('README, CONTRIBUTING and docs/ link nowhere outside the repository', () => {
  const pages = ['README.md', 'CONTRIBUTING.md', ...readdirSync(join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];
  const outside: string[] = [];
  for (const page of pages) {
    let text: string;
    try {
      text = readFileSync(join(ROOT, page), 'utf8');
    } catch {
      continue;
    }
    for (const m of text.matchAll(/\]\(([^)\s]+)\)/g)) {
      const target = (m[1] as string).split('#')[0] as string;
      if (target === '' || /^[a-z]+:/i.test(target)) continue; // an anchor, or a URL (checked by review)
      const resolved = relative(ROOT, resolvePath(dirname(join(ROOT, page)), target));
      if (resolved.startsWith('..') || isAbsolute(resolved)) outside.push(`${page}: ${m[1]}`);
    }
    if (/\.\.\/shared\b/.test(text)) outside.push(`${page}: names ../shared`);
  }
  assert.deepEqual(outside, []);
});

test("every file the README links to is in the published package (package.json files), so its links work from node_modules and on the registry", () => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const files = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { files: string[] }).files.filter((f) => !f.startsWith('!'));
  const shipped = (path: string) => files.some((f) => f === path || path.startsWith(`${f}/`) || (f.endsWith('/*.md') && dirname(path) === f.slice(0, -5) && path.endsWith('.md')));
  const missing: string[] = [];
  for (const m of readme.matchAll(/\]\(([^)\s]+)\)/g)) {
    const target = (m[1] as string).split('#')[0] as string;
    if (target === '' || /^[a-z]+:/i.test(target)) continue;
    if (!shipped(target)) missing.push(target);
  }
  assert.deepEqual(missing, []);
});
