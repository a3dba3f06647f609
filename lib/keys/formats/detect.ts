/**
 * The one place that tells what key material a file or text holds, by its
 * syntax alone: an OpenSSH or PEM private key, an SSH public key (a `.pub`
 * line or RFC 4716 text), a crossbar/autobahn key file, hex, or 32 raw bytes.
 * What a format means (a seed, a public key to trust, a file given in the
 * wrong place) is the caller's business; the format modules beside this one
 * read each format. Linear in the input: no backtracking across lines.
 */
import { isCrossbarKeyLine } from './crossbar.js';

export type KeyFormat =
  /** `-----BEGIN OPENSSH PRIVATE KEY-----` (formats/openssh.ts) */
  | { format: 'openssh' }
  /** `-----BEGIN PRIVATE KEY-----` or `-----BEGIN ENCRYPTED PRIVATE KEY-----` (formats/pkcs8.ts) */
  | { format: 'pkcs8' }
  /** another PEM private key (`BEGIN RSA PRIVATE KEY`, `BEGIN EC PRIVATE KEY`, …): never Ed25519 */
  | { format: 'pem-private'; type: string }
  /** an SSH public key: a line `ssh-ed25519 AAAA…` (any key type) or `---- BEGIN SSH2 PUBLIC KEY ----` */
  | { format: 'ssh-public'; type: string }
  /** a crossbar/autobahn key file: `tag: value` lines with private-key-ed25519 or public-key-ed25519 (formats/crossbar.ts) */
  | { format: 'crossbar' }
  /** hex digits and nothing else (white space around them aside) (formats/seed.ts) */
  | { format: 'hex'; digits: number }
  /** exactly 32 bytes that are none of the above: a raw seed (formats/seed.ts) */
  | { format: 'raw32' }
  | { format: 'unknown' };

// [ \t] not \s: \s also eats newlines, and /m tries every line start (quadratic on blank lines)
const SSH_PUBLIC_LINE = /^[ \t]*((?:ssh|ecdsa-sha2|sk)-[a-z0-9@.-]+)[ \t]+AAAA/m;

export function detectKeyFormat(input: Uint8Array | string): KeyFormat {
  const text = typeof input === 'string' ? input : Buffer.from(input.buffer, input.byteOffset, input.byteLength).toString('latin1');
  if (text.includes('-----BEGIN OPENSSH PRIVATE KEY-----')) return { format: 'openssh' };
  if (/-----BEGIN (ENCRYPTED )?PRIVATE KEY-----/.test(text)) return { format: 'pkcs8' };
  const pem = /-----BEGIN ([A-Z0-9 ]+) PRIVATE KEY-----/.exec(text);
  if (pem) return { format: 'pem-private', type: pem[1] as string };
  if (text.split('\n').some(isCrossbarKeyLine)) return { format: 'crossbar' };
  const pub = SSH_PUBLIC_LINE.exec(text);
  if (pub) return { format: 'ssh-public', type: pub[1] as string };
  if (text.includes('---- BEGIN SSH2 PUBLIC KEY ----')) return { format: 'ssh-public', type: 'RFC 4716' };
  const trimmed = text.trim();
  if (trimmed !== '' && /^[0-9a-fA-F]+$/.test(trimmed)) return { format: 'hex', digits: trimmed.length };
  if (typeof input !== 'string' && input.length === 32) return { format: 'raw32' };
  return { format: 'unknown' };
}
