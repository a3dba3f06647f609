/**
 * Inputs built to be slow for a backtracking parser: long runs of blank
 * lines, white space, colons, quotes. Every parser must stay linear. No
 * time is asserted (timing belongs to bench/): each case runs under a hang
 * guard, node:test's timeout, ~500x what a linear parser takes here and far
 * below what a quadratic one took before (200k blank lines in a key file:
 * 43 s).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseKeyFileData } from '../lib/keys/openssh-key-file.js';
import { fromCrossbarKeyText } from '../lib/keys/seed-key.js';
import { parseAuthorizedKeys } from '../lib/wamp/router/principals.js';
import { RouterKeys } from '../lib/wamp/client/router-trust.js';
import { detectKeyFormat } from '../lib/keys/formats/detect.js';

/** node:test's timeout per case: a hang guard, not a measurement */
const HANG_GUARD_MS = 10_000;
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
  test(`linear: ${name}`, { timeout: HANG_GUARD_MS }, () => {
    try {
      run();
    } catch (e) {
      assert.ok((e as { code?: string }).code, `only coded errors: ${String(e)}`);
    }
  });
}
