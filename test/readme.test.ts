/**
 * The README's TypeScript blocks compile: each is its own ES module under
 * strict TypeScript (node16 resolution), importing the package by its name
 * (the package's self-reference through its `exports`), with the few names a
 * fragment leaves to the reader declared. A README that drifts from the API
 * fails here.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { ROOT } from './helpers/paths.js';

// what the fragments leave to the reader (from the surrounding protocol code)
const FREE_NAMES: [string, string][] = [
  ['challengeHex', 'declare const challengeHex: string;'],
  ['channelId', 'declare const channelId: string;'],
  ['passphrase', 'declare const passphrase: string;'],
  ['helloDetails', "declare const helloDetails: import('cryptosign-keys').HelloDetails;"],
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
  const dir = join(ROOT, 'dist', 'readme-check');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const files = blocks.map((code, i) => {
    const file = join(dir, `block${i + 1}.mts`);
    writeFileSync(file, `${code}\n${prelude(code)}\nexport {};\n`);
    return file;
  });
  const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  const r = spawnSync(process.execPath, [tsc, '--noEmit', '--strict', '--module', 'node16', '--moduleResolution', 'node16', '--target', 'es2022', '--types', 'node', '--skipLibCheck', ...files], {
    encoding: 'utf8',
    cwd: ROOT,
  });
  rmSync(dir, { recursive: true, force: true });
  assert.equal(r.status, 0, `README blocks do not compile:\n${r.stdout}${r.stderr}`);
});
