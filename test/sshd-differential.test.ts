/**
 * authorized_keys exactly as sshd reads it: a corpus of several hundred lines
 * (test/helpers/authorized-keys-corpus.ts) is decided by a real OpenSSH sshd
 * (private, on loopback, logins from 127.0.0.1 and from ::1) and by the
 * library's principals list for the same peer address and the same clock;
 * every answer must agree. The library's own `wamp-*` options are only in
 * the library's copy. sshd and this process run in a zone 5:30 off UTC, so
 * local-time and UTC expiry forms give different answers.
 */
process.env.TZ = 'Asia/Kolkata';

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, test } from 'node:test';
import { parseAuthorizedKeys } from '../lib/wamp/router/principals.js';
import { toHex } from '../lib/crypto/hex.js';
import { corpusCases, type CorpusCase } from './helpers/authorized-keys-corpus.js';
import { tempDir } from './helpers/paths.js';
import { loginKey, startSshd, type LoginKey, type PrivateSshd } from './helpers/sshd.js';

const tmp = tempDir();
let sshd: PrivateSshd;
before(async () => {
  sshd = await startSshd(tmp.dir);
});
after(async () => {
  await sshd?.stop();
  tmp.cleanup();
});

const seedOf = (label: string) => new Uint8Array(createHash('sha256').update(`sshd-differential ${label}`).digest());
const other = loginKey(tmp.dir, 'other', seedOf('other'));

/** The case's lines with its key filled in. */
function fill(lines: readonly string[], key: LoginKey): string[] {
  const [type, b64] = key.line.split(' ') as [string, string];
  return lines.map((l) =>
    l
      .replaceAll('{KEY}', key.line)
      .replaceAll('{KEY_TYPE_UPPER}', type.toUpperCase())
      .replaceAll('{KEY_TYPE}', type)
      .replaceAll('{KEY_B64}', b64)
      .replaceAll('{KEY_SHORT}', `${type} ${b64.slice(0, -1)}`)
      .replaceAll('{OTHER}', other.line),
  );
}

/** The library's copy of a case line: its wamp-* options in front of the line's own. */
function withWamp(line: string, wamp: string | undefined, key: LoginKey): string {
  if (!wamp) return line;
  return line.startsWith(key.line) ? `${wamp} ${line}` : `${wamp},${line}`;
}

interface Prepared {
  c: CorpusCase;
  key: LoginKey;
}

async function differential(cases: readonly Prepared[], sshdText: string, libraryText: string, now: Date): Promise<{ disagreements: string[]; v4: Map<string, boolean> }> {
  sshd.setAuthorizedKeys(Buffer.from(sshdText, 'utf8'));
  const list = parseAuthorizedKeys(libraryText);
  const keys = cases.map((p) => p.key);
  const v4 = await sshd.decide(keys, '127.0.0.1');
  const v6 = await sshd.decide(keys, '::1');
  const disagreements: string[] = [];
  for (const { c, key } of cases) {
    for (const [address, decided] of [['127.0.0.1', v4], ['::1', v6]] as const) {
      const bySshd = decided.get(key.fingerprint) as boolean;
      const found = list.find(toHex(key.publicKey), { peerAddress: address, realm: 'realm1', now });
      if (found.ok !== bySshd) {
        disagreements.push(`${c.name} from ${address}: sshd ${bySshd ? 'accepts' : 'refuses'}, library ${found.ok ? 'accepts' : `refuses (${found.code}: ${found.reason})`} — ${JSON.stringify(c.lines)}`);
      }
    }
  }
  return { disagreements, v4 };
}

test('a real sshd and the library agree on every line of the corpus, from 127.0.0.1 and from ::1', async () => {
  const now = new Date();
  const cases = corpusCases(now).map((c, i): Prepared => ({ c, key: loginKey(tmp.dir, `k${i}`, seedOf(`${i} ${c.name}`)) }));
  const sshdLines: string[] = [];
  const libraryLines: string[] = [];
  for (const { c, key } of cases) {
    for (const line of fill(c.lines, key)) {
      sshdLines.push(line);
      libraryLines.push(withWamp(line, c.wamp, key));
    }
  }
  assert.ok(sshdLines.length >= 300, `the corpus has ${sshdLines.length} lines`);
  // the last line without a newline, as editors leave it
  const { disagreements, v4 } = await differential(cases, sshdLines.join('\n'), libraryLines.join('\n'), now);
  assert.deepEqual(disagreements, [], `${disagreements.length} disagreements:\n${disagreements.join('\n')}`);

  // sshd's answer to a key offered alone is its answer to a real login: log in with a few keys of each answer
  const sample = [...cases.filter((p) => v4.get(p.key.fingerprint)).slice(0, 3), ...cases.filter((p) => !v4.get(p.key.fingerprint)).slice(0, 3)];
  const logins = await Promise.all(sample.map((p) => sshd.login(p.key, '127.0.0.1')));
  assert.deepEqual(logins, sample.map((p) => v4.get(p.key.fingerprint)));
});

test('whole-file shapes: a BOM at the start of the file, CRLF everywhere, no final newline', async () => {
  const now = new Date();
  const shapes: { name: string; text: (k: LoginKey[]) => string; n: number }[] = [
    { name: 'BOM then a key', n: 2, text: (k) => `\uFEFF${k[0]!.line}\n${k[1]!.line}\n` },
    { name: 'BOM then a comment line', n: 1, text: (k) => `\uFEFF# keys\n${k[0]!.line}\n` },
    { name: 'BOM, space, key', n: 1, text: (k) => `\uFEFF ${k[0]!.line}\n` },
    { name: 'CRLF everywhere', n: 3, text: (k) => `# keys\r\n${k[0]!.line} a\r\nfrom="127.0.0.1" ${k[1]!.line}\r\n\r\n${k[2]!.line}\r\n` },
    { name: 'CR only', n: 2, text: (k) => `${k[0]!.line}\r${k[1]!.line}\r` },
  ];
  const all: string[] = [];
  for (const [si, shape] of shapes.entries()) {
    const keys = Array.from({ length: shape.n }, (_, i) => loginKey(tmp.dir, `s${si}-${i}`, seedOf(`shape ${si} ${i}`)));
    const text = shape.text(keys);
    const cases = keys.map((key, i) => ({ c: { name: `${shape.name} (key ${i + 1})`, lines: [JSON.stringify(text)] }, key }));
    all.push(...(await differential(cases, text, text, now)).disagreements);
  }
  assert.deepEqual(all, [], `${all.length} disagreements:\n${all.join('\n')}`);
});
