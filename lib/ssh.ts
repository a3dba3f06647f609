/**
 * `cryptosign-keys/ssh`: the SSH layer underneath — the ssh-agent protocol client, SSH public-key
 * blobs and fingerprints, strict Ed25519 verification, hex helpers, key-file parsing from bytes,
 * and reading local files as this package does (opened once, checked on the descriptor, bounded).
 */
export { AgentClient, DEFAULT_AGENT_TIMEOUT_MS, type AgentClientOptions } from './agent/client.js';
export type { AgentIdentity, AgentSignature } from './agent/protocol.js';
export { matchesSelector, type AgentSigningKey } from './keys/agent-key.js';
export type { LocalSigningKey } from './keys/signing-key.js';
export { parseKeyFileData } from './keys/openssh-key-file.js';
/**
 * Starts the worker threads that derive an encrypted OpenSSH key file's key (bcrypt_pbkdf, its
 * chains side by side) now, so that an `openKeyFile` soon after does not wait for their start-up
 * (~30 ms): for a program that knows it will open one (after asking for its passphrase, say).
 * Idle, they hold nothing secret, do not keep the process alive, and stop after a few seconds.
 */
export { prestartBcryptWorkers as prestartKeyFileWorkers } from './crypto/bcrypt-pbkdf-workers.js';
export {
  parsePublicKeyBlob,
  fingerprintOfBlob,
  fingerprintLine,
  publicKeyLine,
  ed25519Blob,
  type PublicKeyInfo,
} from './ssh/public-key.js';
export { VerifyKey, verifyEd25519Strict, publicKeyProblem } from './crypto/ed25519.js';
export { verifyBackend, setVerifyBackend } from './crypto/verify-backend.js';
export { parseHex, toHex } from './crypto/hex.js';
/**
 * Reads a file that holds a secret (key, seed, passphrase): opened once, refused unless it is a
 * regular file that group and others can neither read nor write (OpenSSH's rule, checked on the
 * open descriptor), at most 1 MiB. Throws KeyFileError (KEY_FILE_NOT_FOUND, KEY_FILE_UNREADABLE,
 * KEY_FILE_PERMISSIONS, KEY_FILE_FORMAT for a public key given in its place).
 */
export { readPrivateFile, MAX_PRIVATE_FILE_BYTES, type PrivateFileOptions } from './keys/private-file.js';
/**
 * Reads a local file with a size bound: opened once (a FIFO never hangs the open), checked on the
 * open descriptor to be a regular file (and, with `secret`, private to its owner). Throws KeyFileError.
 */
export { readBoundedFile, type ReadFileOptions } from './read-file.js';
/** authorized_keys lines exactly as sshd reads them (bad lines skipped with their reason) */
export {
  parseAuthorizedKeysText,
  parseAuthorizedKeyLine,
  strictBase64,
  type AuthorizedKeyLine,
  type SkippedLine,
  type ParsedAuthorizedKeys,
  type AuthorizedKeysParseOptions,
} from './ssh/authorized-keys.js';
/** sshd's authorized_keys options: parsing (auth-options.c), expiry-time (parse_absolute_time), the plain-key checks */
export { parseKeyOptions, parseAbsoluteTime, plainKeyRefusal, NO_OPTIONS, type KeyOptions, type OptionsResult } from './ssh/key-options.js';
/** OpenSSH's pattern lists and address matching (match.c, addrmatch.c) */
export {
  matchPattern,
  matchPatternList,
  addrMatchList,
  matchHostAndIp,
  fromAllows,
  parseNumericAddress,
  formatAddress,
  peerAddress,
  type ListMatch,
  type NumericAddress,
} from './ssh/match.js';
/** OpenSSH certificates parsed and verified by this package (never sshpk), sshd's checks, `ssh-keygen -L`'s view. */
export {
  parseCertificate,
  certificateOfBlob,
  parseCertificateLine,
  certificateFromBase64,
  toCertificate,
  checkCertificate,
  requireCertificate,
  describeCertificate,
  certificateTime,
  matchCidrList,
  DEFAULT_CA_SIGNATURE_ALGORITHMS,
  type SshCertificate,
  type CertificateType,
  type CertificateOption,
  type CertificateCheck,
  type CertificateResult,
} from './ssh/certificate.js';
/** SSH signature blobs (Ed25519 strict, ECDSA, RSA) verified for a CA key blob. */
export { SshVerifyKey, signatureAlgorithmsFor } from './ssh/signature.js';
/** OpenSSH KRLs and plain revoked-keys files (sshd's RevokedKeys). */
export { RevokedKeys, isKrl } from './ssh/krl.js';
/** known_hosts: plain, hashed, [host]:port, @cert-authority, @revoked. */
export { KnownHosts, parseKnownHosts, knownHostsName, lineMatchesHost, type KnownHostLine, type KnownHostsResult, type HostCheckOptions } from './ssh/known-hosts.js';
/** Where a key's certificate is found: the agent, `<keyfile>-cert.pub`, an explicit file. */
export { agentCertificates, certificateBesideKeyFile, readCertificateFile, chooseCertificate, certificateSummary } from './keys/certificate-source.js';
