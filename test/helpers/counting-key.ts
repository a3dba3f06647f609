/** Counters of what a key or an agent is asked to sign: they prove a refusal signed nothing. */
import { AgentClient } from '../../lib/agent/client.js';
import type { SigningKey } from '../../lib/keys/signing-key.js';

/** An AgentClient that counts its sign requests (`signs`): a refusal must never reach the agent. */
export class CountingAgentClient extends AgentClient {
  signs = 0;
  override sign(blob: Uint8Array, data: Uint8Array, flags?: number) {
    this.signs++;
    return super.sign(blob, data, flags);
  }
}

/** A SigningKey wrapper that counts what it is asked to sign (`signs`). */

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
