/**
 * The router's verify path: strict verification (libsodium's rules) as the
 * authenticator runs it, against a bare node:crypto verify with a cached
 * KeyObject (the floor), taking turns call by call.
 */
import { createPublicKey, randomBytes, verify } from 'node:crypto';
import { setVerifyBackend } from '../lib/crypto/ed25519.js';
import { fromSeed } from '../lib/keys/seed-key.js';
import { signChallenge, verifyChallengeSignature } from '../lib/wamp/challenge.js';
import { parseAuthorizedKeys } from '../lib/wamp/router/principals.js';

/** `interleaved` runs the contenders call by call in turn (drift on a noisy machine hits all alike). */
export async function benchVerify(interleaved: (e: [string, () => Promise<unknown>][], calls: number) => Promise<Map<string, number>>, calls: number) {
  const key = fromSeed(new Uint8Array(randomBytes(32)));
  const challenge = randomBytes(32).toString('hex');
  const signature = await signChallenge(key, challenge);
  const raw = Buffer.from(signature, 'hex');
  const keyObject = createPublicKey({ key: Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), key.publicKey]), format: 'der', type: 'spki' });
  const list = parseAuthorizedKeys(`${key.publicKeyHex} alice\n` + Array.from({ length: 999 }, () => `${fromSeed(new Uint8Array(randomBytes(32))).publicKeyHex} other`).join('\n'));
  const verifyKey = list.verifyKeyOf(list.lookup(key.publicKeyHex)!);
  const loop = (f: () => unknown) => async () => {
    if (!f()) throw new Error('a good signature did not verify');
  };
  return interleaved([
    ['node:crypto verify, cached KeyObject (floor)', loop(() => verify(null, raw.subarray(64), keyObject, raw.subarray(0, 64)))],
    ['strict: AuthorizedKeys.check (1000 keys)', loop(() => list.check(key.publicKeyHex, challenge, signature).ok)],
    ['strict: AuthorizedKeys.check, OpenSSL equation', loop(() => {
      setVerifyBackend('openssl');
      const ok = list.check(key.publicKeyHex, challenge, signature).ok;
      setVerifyBackend('auto');
      return ok;
    })],
    ['strict: verifyChallengeSignature(VerifyKey)', loop(() => verifyChallengeSignature(verifyKey, challenge, signature))],
    ['strict: verifyChallengeSignature(hex key)', loop(() => verifyChallengeSignature(key.publicKeyHex, challenge, signature))],
  ], calls);
}
