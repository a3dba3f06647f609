/** A SigningKey wrapper that counts what it is asked to sign: proves a refusal signed nothing. */
import type { SigningKey } from '../../lib/keys/signing-key.js';

export function counting(key: SigningKey): SigningKey & { signs: number } {
  const k = {
    source: key.source,
    publicKey: key.publicKey,
    publicKeyHex: key.publicKeyHex,
    comment: key.comment,
    fingerprint: key.fingerprint,
    signs: 0,
    sign(data: Uint8Array) {
      k.signs++;
      return key.sign(data);
    },
    // both named paths are counted: 32-byte challenges and transcript messages
    signTranscript(message: Uint8Array) {
      k.signs++;
      return key.signTranscript!(message);
    },
    close: () => key.close(),
  };
  return k;
}
