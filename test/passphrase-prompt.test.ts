/**
 * The passphrase prompt on a real terminal: `script` (util-linux) runs the
 * CLI on a pseudo-terminal, stdin still carries the challenge, and we type
 * at the prompt. The passphrase must not be echoed.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { loadKeyFile } from '../lib/keys/openssh-key-file.js';
import { verifyChallengeSignature } from '../lib/wamp/challenge.js';
import { CLI, fixtureCopy, tempDir } from './helpers/paths.js';

const tmp = tempDir();
after(tmp.cleanup);
const PASSPHRASE = 'correct horse battery staple';
const CHALLENGE = '4d'.repeat(32);

/** Runs `sign --key` on a terminal and answers each prompt with the next of `answers`. */
function signOnTerminal(keyPath: string, answers: string[]): Promise<{ code: number | null; screen: string; out: string; err: string }> {
  const dir = tmp.dir;
  writeFileSync(join(dir, 'challenge'), CHALLENGE + '\n');
  const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  const cmd = `${q(process.execPath)} ${q(CLI)} sign --key ${q(keyPath)} < ${q(join(dir, 'challenge'))} > ${q(join(dir, 'out'))} 2> ${q(join(dir, 'err'))}`;
  return new Promise((resolve, reject) => {
    const child = spawn('script', ['-qec', cmd, '/dev/null'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let screen = '';
    let prompts = 0;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`no finish; screen so far: ${JSON.stringify(screen)}`));
    }, 60_000); // a hang guard: node start and at most three KDF runs take a second or two
    child.stdout.on('data', (d: Buffer) => {
      screen += d.toString();
      const seen = screen.split('Enter passphrase for').length - 1;
      while (prompts < seen) {
        const answer = answers[prompts++];
        if (answer !== undefined) setTimeout(() => child.stdin.write(answer + '\r'), 50);
      }
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      const read = (f: string) => {
        try {
          return readFileSync(join(dir, f), 'utf8');
        } catch {
          return '';
        }
      };
      resolve({ code, screen, out: read('out'), err: read('err') });
    });
  });
}

test('an encrypted key asks for its passphrase on the terminal, without echo, and signs', async () => {
  const key = fixtureCopy(tmp.dir, 'ed25519-encrypted');
  const r = await signOnTerminal(key, [PASSPHRASE]);
  assert.equal(r.code, 0, r.err + r.screen);
  assert.match(r.screen, /Enter passphrase for .*ed25519-encrypted: /);
  assert.ok(!r.screen.includes(PASSPHRASE), 'the passphrase is not echoed');
  const pub = loadKeyFile(key, { passphrase: PASSPHRASE }).publicKey;
  assert.ok(verifyChallengeSignature(pub, CHALLENGE, r.out.trim()));
});

test('a wrong passphrase is asked again, three times at most, then PASSPHRASE_WRONG', async () => {
  const key = fixtureCopy(tmp.dir, 'ed25519-encrypted');
  const retry = await signOnTerminal(key, ['wrong-pass-0', PASSPHRASE]);
  assert.equal(retry.code, 0, retry.err);
  assert.match(retry.err, /Bad passphrase, try again\./);
  const fail = await signOnTerminal(key, ['wrong-pass-1', 'wrong-pass-2', 'wrong-pass-3']);
  assert.equal(fail.code, 1);
  assert.equal(fail.out, '');
  assert.match(fail.err, /wrong passphrase for .* \[PASSPHRASE_WRONG\]\n$/);
  assert.equal(fail.screen.split('Enter passphrase for').length - 1, 3);
  for (const s of ['wrong-pass-1', 'wrong-pass-2', 'wrong-pass-3']) assert.ok(!fail.screen.includes(s) && !fail.err.includes(s));
});

test('an empty passphrase (Enter) is asked again, not reported as a broken file', async () => {
  const key = fixtureCopy(tmp.dir, 'ed25519-encrypted');
  const r = await signOnTerminal(key, ['', PASSPHRASE]);
  assert.equal(r.code, 0, r.err + r.screen);
  assert.match(r.err, /Empty passphrase, try again\./);
  assert.throws(() => loadKeyFile(key, { passphrase: '' }), { code: 'PASSPHRASE_REQUIRED' });
});
