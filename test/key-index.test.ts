/**
 * The compact key index that large files are reloaded into
 * (lib/wamp/router/key-index.ts) gives the same list as the line-by-line
 * parser (parseAuthorizedKeys, proven against a real sshd by
 * sshd-differential): on generated corpora full of near-misses of the fast
 * `ssh-ed25519 <base64>` form, the same principals, skipped lines (with
 * reasons), other lines and the same decision for every key and login; a
 * listed key that is not a valid point is refused at login (checked lazily,
 * once), exactly as on the other path.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after } from 'node:test';
import { test } from 'node:test';
import { publicKeyProblem } from '../lib/crypto/ed25519.js';
import { fromSeed } from '../lib/keys/seed-key.js';
import { ed25519Blob } from '../lib/ssh/public-key.js';
import { WORKER_BYTES, parseAuthorizedKeysInSlices, readAuthorizedKeysFile } from '../lib/wamp/router/authorized-keys-file.js';
import { indexAuthorizedKeys, indexInWorker } from '../lib/wamp/router/key-index.js';
import { parseAuthorizedKeys, type AuthorizedKeys, type Principal } from '../lib/wamp/router/principals.js';
import { fixture, tempDir } from './helpers/paths.js';

const tmp = tempDir();
after(() => tmp.cleanup());

/** a small deterministic PRNG (mulberry32) so a failure can be replayed from its seed */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const keys = Array.from({ length: 12 }, (_, i) => fromSeed(new Uint8Array(32).fill(i + 1)));
const rsaLine = readFileSync(fixture('rsa.pub'), 'utf8').trim();
/** 32 bytes that are not a point on the curve */
const notAPoint = (() => {
  for (let i = 2; ; i++) {
    const k = new Uint8Array(32);
    k[0] = i;
    if (publicKeyProblem(k) === 'it is not a point on the curve') return k;
  }
})();

function corpus(seed: number, n: number): string {
  const r = prng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)] as T;
  const key = () => (r() < 0.05 ? notAPoint : pick(keys).publicKey);
  const b64 = (k: Uint8Array) => Buffer.from(ed25519Blob(k)).toString('base64');
  const comment = () => pick(['', ' alice', ' bob', '\tcarol@host', ' two words', ' trailing\r', ' x\0nul', ' é ü', '  spaced  ', ' alice\r']);
  const options = () => pick(['', 'from="127.0.0.1" ', 'from="10.0.0.1",from="*" ', 'wamp-authid="admin" ', 'wamp-realm="realm1" ',
    'expiry-time="20000101" ', 'expiry-time="20990101" ', 'cert-authority ', 'principals="a" ', 'no-pty,wamp-role="r" ', 'bogus ', 'from="!127.0.0.1,*" ']);
  const mutate = (s: string): string => {
    const i = Math.floor(r() * s.length);
    return pick([
      () => s.slice(0, i) + s.slice(i + 1),
      () => s.slice(0, i) + pick(['=', '!', ' ', '\t', 'A', '/', '\r', '\0', 'é']) + s.slice(i + 1),
      () => s.slice(0, i) + pick(['A', ' ', '\r']) + s.slice(i),
      () => s.toUpperCase(),
    ])();
  };
  const lines: string[] = [];
  for (let i = 0; i < n; i++) {
    const k = key();
    const line = pick([
      () => `ssh-ed25519 ${b64(k)}${comment()}`,
      () => `ssh-ed25519 ${b64(k)}${comment()}`,
      () => `${options()}ssh-ed25519 ${b64(k)}${comment()}`,
      () => `ssh-ed25519\t  ${b64(k)}${comment()}`,
      () => `  ssh-ed25519 ${b64(k)}${comment()}`,
      () => `ED25519 ${b64(k)}${comment()}`,
      () => `${options()}${Buffer.from(k).toString('hex')}${comment()}`,
      () => mutate(`ssh-ed25519 ${b64(k)}${comment()}`),
      () => mutate(`ssh-ed25519 ${b64(k)}${comment()}`),
      // still 68 base64 characters, one of them changed (often in the blob's type or length prefix)
      () => {
        const w = b64(k);
        const i = Math.floor(r() * 28);
        return `ssh-ed25519 ${w.slice(0, i)}${pick(['A', 'B', 'I', 'J', 'g', '/', '+', 'z'])}${w.slice(i + 1)}${comment()}`;
      },
      () => `ssh-ed25519 ${b64(k)}${pick(['\r', '=', 'A', '\0', ''])}`,
      () => `${options()}${rsaLine}`,
      () => pick(['', '# comment', '   ', '\r', '\ufeffssh-ed25519 ' + b64(k)]),
    ])();
    lines.push(line);
  }
  return lines.join('\n') + (r() < 0.5 ? '\n' : '');
}

const plain = (p: Principal) => ({
  name: p.name, comment: p.comment, hex: p.publicKeyHex, line: p.line, options: p.options, role: p.role, realm: p.realm,
  expiresAt: p.expiresAt?.getTime(), from: p.from, fingerprint: p.fingerprint, keyOptions: JSON.stringify(p.keyOptions),
});

function decisions(list: AuthorizedKeys): string[] {
  const out: string[] = [];
  for (const k of [...keys.map((x) => x.publicKey), notAPoint]) {
    for (const authid of [undefined, 'alice', 'admin', 'bob']) {
      for (const realm of [undefined, 'realm1']) {
        for (const peerAddress of [undefined, '127.0.0.1', '10.0.0.1']) {
          const r = list.find(k, { ...(authid ? { authid } : {}), ...(realm ? { realm } : {}), ...(peerAddress ? { peerAddress } : {}), now: new Date('2050-01-01T00:00:00Z') });
          out.push(r.ok ? `ok ${r.principal.name} ${r.principal.line}` : `${r.code} ${r.reason}`);
        }
      }
    }
  }
  return out;
}

test('the key index and the line parser give the same list and the same decisions (property, 24 generated corpora)', async () => {
  let fast = 0;
  for (let seed = 1; seed <= 24; seed++) {
    const text = corpus(seed, 150);
    const bytes = Buffer.from(text, 'utf8');
    const expected = parseAuthorizedKeys(text);
    // decisions first: the index answers them before anything materialises its principals
    const viaIndex = indexAuthorizedKeys(bytes);
    const viaSlices = await parseAuthorizedKeysInSlices(bytes, 0);
    const want = decisions(expected);
    assert.deepEqual(decisions(viaIndex), want, `seed ${seed}: decisions`);
    assert.deepEqual(decisions(viaSlices), want, `seed ${seed}: decisions (slices)`);
    if (seed % 6 === 0) {
      // the worker thread's index (bytes and index transferred both ways)
      const viaWorker = await indexInWorker(Buffer.from(bytes));
      assert.deepEqual(decisions(viaWorker), want, `seed ${seed}: decisions (worker)`);
      assert.deepEqual(viaWorker.skipped, expected.skipped, `seed ${seed}: skipped (worker)`);
      assert.deepEqual(viaWorker.principals.map(plain), expected.principals.map(plain), `seed ${seed}: principals (worker)`);
    }
    assert.equal(viaIndex.size, expected.principals.length, `seed ${seed}: size`);
    assert.deepEqual(viaIndex.skipped, expected.skipped, `seed ${seed}: skipped`);
    assert.deepEqual(viaIndex.lines.map((l) => [l.line, l.type, l.comment]), expected.lines.map((l) => [l.line, l.type, l.comment]), `seed ${seed}: other lines`);
    assert.deepEqual(viaIndex.principals.map(plain), expected.principals.map(plain), `seed ${seed}: principals`);
    assert.deepEqual(viaIndex.certAuthorities.map((l) => l.line), expected.certAuthorities.map((l) => l.line));
    fast += expected.principals.length;
  }
  assert.ok(fast > 600, `the corpora hold principals (${fast})`);
});

test('a listed key that is not a point is refused at its login (checked lazily, once), on the index as on the parser', () => {
  const alice = keys[0]!;
  const text = `ssh-ed25519 ${Buffer.from(ed25519Blob(notAPoint)).toString('base64')} mallory\nssh-ed25519 ${Buffer.from(ed25519Blob(alice.publicKey)).toString('base64')} alice\n`;
  for (const list of [indexAuthorizedKeys(Buffer.from(text)), parseAuthorizedKeys(text)]) {
    const r = list.find(notAPoint);
    assert.equal(r.ok, false);
    assert.equal(!r.ok && r.code, 'AUTH_UNKNOWN_KEY');
    assert.match(!r.ok ? r.reason : '', /\(line 1\) is refused: it is not a point on the curve$/);
    // refused the same way again (the verdict is cached), and the other key still logs in
    assert.deepEqual(list.find(notAPoint), r);
    assert.equal(list.lookup(alice.publicKeyHex)?.name, 'alice');
    assert.deepEqual(list.skipped, []);
  }
});

test('a file of WORKER_BYTES or more is read (stamp-checked) and indexed in a worker thread, with the same list and decisions', async () => {
  const parts: string[] = [];
  let size = 0;
  for (let seed = 100; size <= WORKER_BYTES; seed++) {
    const c = corpus(seed, 400);
    parts.push(c.endsWith('\n') ? c : `${c}\n`);
    size += Buffer.byteLength(parts[parts.length - 1]!);
  }
  const text = parts.join('');
  const path = join(tmp.dir, 'big_authorized_keys');
  writeFileSync(path, text);
  const expected = parseAuthorizedKeys(text);
  const { keys, indexedIn } = await readAuthorizedKeysFile(path);
  assert.equal(indexedIn, 'worker');
  assert.deepEqual(decisions(keys), decisions(expected));
  assert.equal(keys.size, expected.principals.length);
  assert.deepEqual(keys.skipped, expected.skipped);
  // the same read without the worker (the fallback) agrees too
  const { keys: inSlices, indexedIn: fallback } = await readAuthorizedKeysFile(path, 2, false);
  assert.equal(fallback, 'slices');
  assert.deepEqual(decisions(inSlices), decisions(expected));
});
