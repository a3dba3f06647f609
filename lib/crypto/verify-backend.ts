/**
 * Which library checks the Ed25519 equation for ed25519.ts: libsodium (the
 * optional peer dependency sodium-native, loaded on first use) or OpenSSL.
 * Kept apart from ed25519.ts so that choosing loads neither node:crypto nor
 * the addon (the CLI chooses at start-up).
 */
import { createRequire } from 'node:module';

export interface Sodium {
  crypto_sign_verify_detached(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean;
}
let sodium: Sodium | null | undefined;
let backendChoice: 'auto' | 'openssl' = 'auto';
/** libsodium's verifier when sodium-native is installed and not switched off, else null (OpenSSL). */
export function loadSodium(): Sodium | null {
  if (backendChoice === 'openssl') return null;
  if (sodium === undefined) {
    try {
      sodium = createRequire(import.meta.url)('sodium-native') as Sodium;
    } catch {
      sodium = null; // not installed (or no prebuilt binary here): OpenSSL it is
    }
  }
  return sodium;
}

/** Which library checks the Ed25519 equation: 'libsodium' (sodium-native installed) or 'openssl'. */
export function verifyBackend(): 'libsodium' | 'openssl' {
  return loadSodium() ? 'libsodium' : 'openssl';
}

/**
 * Force OpenSSL for the Ed25519 equation, or go back to the automatic choice (libsodium when
 * sodium-native is installed). The decisions are the same; a short-lived process (the CLI) saves
 * loading the native addon, which costs more than it saves on a few signatures. Also for tests.
 */
export function setVerifyBackend(choice: 'auto' | 'openssl'): void {
  backendChoice = choice;
}
