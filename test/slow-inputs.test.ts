/**
 * Inputs built to be slow for a backtracking parser: long runs of blank
 * lines, white space, colons, quotes. Every parser must stay linear; the
 * bound below is ~50x what they take here, and what a quadratic one took
 * before (200k blank lines in a key file: 43 s) is far beyond it.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseKeyFileData } from '../lib/keys/openssh-key-file.js';
import { fromCrossbarKeyText } from '../lib/keys/seed-key.js';
import { parseAuthorizedKeys } from '../lib/wamp/router/principals.js';
import { RouterKeys } from '../lib/wamp/client/router-trust.js';
import { detectKeyFormat } from '../lib/keys/formats/detect.js';

const BOUND_MS = 1000;
const CASES: [string, () => unknown][] = [
  ['key file: 200k blank lines', () => parseKeyFileData(Buffer.from('\n'.repeat(200000) + 'x'), 'f')],
  ['key file: 500k " \\n"', () => parseKeyFileData(Buffer.from(' \n'.repeat(500000)), 'f')],
  ['key file: 200k tabs then a public-key-like word', () => parseKeyFileData(Buffer.from('\t'.repeat(200000) + 'ssh-ed25519'), 'f')],
  ['crossbar key text: a 200k-space value', () => fromCrossbarKeyText('private-key-ed25519:' + ' '.repeat(200000) + 'x')],
  ['crossbar key text: 200k colons', () => fromCrossbarKeyText('a:'.repeat(200000))],
  ['authorized keys: 500k spaces', () => parseAuthorizedKeys(' '.repeat(500000) + 'x')],
  ['authorized keys: 100k escaped quotes', () => parseAuthorizedKeys('from="' + '\\"'.repeat(100000) + ' x')],
  ['authorized keys: 500k blank lines', () => parseAuthorizedKeys('\n'.repeat(500000))],
  ['router keys: 200k spaces before a tag', () => new RouterKeys(' '.repeat(200000) + 'public-key-ed25519 :')],
  ['key material: 100k "-----BEGIN " runs', () => detectKeyFormat(('-----BEGIN ' + 'A'.repeat(5)).repeat(100000)).format],
  ['key material: a 500k-character key type', () => detectKeyFormat('ssh-' + 'a'.repeat(500000) + ' x')],
  ['key material: 200k lines of one blank and a key type', () => detectKeyFormat(' \tssh-a\n'.repeat(200000))],
];

for (const [name, run] of CASES) {
  test(`linear: ${name}`, () => {
    const t0 = performance.now();
    try {
      run();
    } catch (e) {
      assert.ok((e as { code?: string }).code, `only coded errors: ${String(e)}`);
    }
    const ms = performance.now() - t0;
    assert.ok(ms < BOUND_MS, `${name} took ${ms.toFixed(0)} ms`);
  });
}
