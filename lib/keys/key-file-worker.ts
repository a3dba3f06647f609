/**
 * Runs in a worker thread for openKeyFile(): parses (and for an encrypted
 * file, runs the KDF and decrypts) a key file off the main event loop, and
 * hands back the private KeyObject, or the coded error. Used for encrypted
 * PKCS#8 files, and for OpenSSH files where WebAssembly is off; an encrypted
 * OpenSSH file otherwise has its bcrypt_pbkdf chains computed in parallel
 * (crypto/bcrypt-pbkdf-workers.ts).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { CryptosignKeysError } from '../errors.js';
import { parseKeyFileData } from './openssh-key-file.js';
import { keyObjectOf } from './signing-key.js';

const { data, where, passphrase } = workerData as { data: Uint8Array; where: string; passphrase?: string | Uint8Array };
try {
  const key = parseKeyFileData(data, where, passphrase);
  parentPort?.postMessage({ ok: true, key: keyObjectOf(key), comment: key.comment });
} catch (e) {
  parentPort?.postMessage(
    e instanceof CryptosignKeysError ? { ok: false, code: e.code, message: e.message } : { ok: false, code: 'KEY_FILE_FORMAT', message: `${where}: ${(e as Error).message}` },
  );
} finally {
  data.fill(0);
}
