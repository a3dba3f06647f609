/**
 * `cryptosign-keys/ssh`: the SSH layer underneath — the ssh-agent protocol client, SSH public-key
 * blobs and fingerprints, strict Ed25519 verification, hex helpers, key-file parsing from bytes.
 */
export { AgentClient, DEFAULT_AGENT_TIMEOUT_MS, type AgentClientOptions } from './agent/client.js';
export type { AgentIdentity, AgentSignature } from './agent/protocol.js';
export { matchesSelector, type AgentSigningKey } from './keys/agent-key.js';
export type { LocalSigningKey } from './keys/signing-key.js';
export { parseKeyFileData } from './keys/openssh-key-file.js';
export {
  parsePublicKeyBlob,
  fingerprintOfBlob,
  fingerprintLine,
  publicKeyLine,
  ed25519Blob,
  type PublicKeyInfo,
} from './ssh/public-key.js';
export { VerifyKey, verifyEd25519Strict, publicKeyProblem } from './crypto/ed25519.js';
export { parseHex, toHex } from './crypto/hex.js';
