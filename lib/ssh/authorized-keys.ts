/**
 * OpenSSH's authorized_keys lines, read exactly as sshd reads them
 * (sshd(8) "AUTHORIZED_KEYS FILE FORMAT"; auth2-pubkeyfile.c, sshkey_read,
 * sshkey_advance_past_options; options in key-options.ts), checked against a
 * real sshd by test/sshd-differential.test.ts:
 *
 *     [options] keytype base64-key [comment]
 *
 * - a line ends at `\n`, and at a NUL byte (sshd handles C strings); blank
 *   lines and lines whose first non-blank character is `#` are ignored;
 *   only space and tab separate fields;
 * - the key type is the exact name (`ssh-ed25519`) or sshd's short name in
 *   any case (`ED25519`), and must be the type of the key in the blob; the
 *   base64 is strict (padding, no stray characters; `\r` inside is skipped,
 *   so CRLF files work);
 * - a line sshd would not use (bad options, bad key, unterminated quote) is
 *   skipped and reported with its reason; it never makes the other lines
 *   unusable. A byte-order mark is not special (sshd skips such a line).
 *
 * Library additions, invisible to sshd (which would skip such lines): the
 * caller's extra options (`wamp-authid="…"`, …) and `[options] <64 hex
 * digits> [comment]` lines (a raw Ed25519 key, for WAMP-only lists).
 *
 * One pass per line, linear in its input; no regex that can backtrack over
 * user text.
 */
import { ED25519_TYPE, ed25519Blob, ed25519KeyOfBlob, parsePublicKeyBlob, type PublicKeyInfo } from './public-key.js';
import { NO_OPTIONS, parseKeyOptions, type KeyOptions } from './key-options.js';
import { quoted } from '../escape.js';

/** The options of every line that has none (shared, frozen). */
const NONE = { ok: true as const, options: NO_OPTIONS, end: 0 };

export type { KeyOptions } from './key-options.js';

/** One authorized_keys line sshd would use: its options, key type, key and comment. */
export interface AuthorizedKeyLine {
  /** 1-based line number */
  line: number;
  /** the key type as written (`ssh-ed25519`, …), `hex` for hex lines */
  type: string;
  /** the key blob (SSH wire format); for hex lines, the Ed25519 blob */
  blob?: Uint8Array;
  /** an Ed25519 key's 32 raw bytes (from an `ssh-ed25519` blob or a hex line) */
  rawEd25519?: Uint8Array;
  /** other key types: the parsed key */
  key?: PublicKeyInfo;
  /** the options field as written, or '' */
  optionsText: string;
  /** sshd's options, parsed (cert-authority, principals, from, expiry-time, …) and the extra ones admitted */
  options: KeyOptions;
  /** the comment, verbatim (without a CRLF file's final `\r`), '' when none */
  comment: string;
}

/** A line sshd would skip, with the reason. */
export interface SkippedLine {
  /** 1-based line number */
  line: number;
  /** the key type, when it got that far ('' otherwise) */
  type: string;
  reason: string;
}

/** An authorized_keys text: the lines sshd would use and those it would skip. */
export interface ParsedAuthorizedKeys {
  lines: AuthorizedKeyLine[];
  skipped: SkippedLine[];
}

/** How an authorized_keys text is read (extra option names admitted besides sshd's). */
export interface AuthorizedKeysParseOptions {
  /** option names (lower case) admitted besides sshd's, as `name="value"` */
  extraOptions?: readonly string[];
}

const isBlank = (c: string | undefined) => c === ' ' || c === '\t';

function skipBlanks(s: string, i: number): number {
  while (i < s.length && isBlank(s[i])) i++;
  return i;
}
function wordEnd(s: string, i: number): number {
  while (i < s.length && !isBlank(s[i])) i++;
  return i;
}

/** Key type names sshd reads in authorized_keys (exact, case-sensitive), by key family. */
const KEY_NAMES = new Map<string, string>([
  ['ssh-ed25519', 'ed25519'],
  ['ssh-ed25519-cert-v01@openssh.com', 'ed25519-cert'],
  ['sk-ssh-ed25519@openssh.com', 'ed25519-sk'],
  ['sk-ssh-ed25519-cert-v01@openssh.com', 'ed25519-sk-cert'],
  ['ssh-rsa', 'rsa'],
  ['rsa-sha2-256', 'rsa'],
  ['rsa-sha2-512', 'rsa'],
  ['ssh-rsa-cert-v01@openssh.com', 'rsa-cert'],
  ['rsa-sha2-256-cert-v01@openssh.com', 'rsa-cert'],
  ['rsa-sha2-512-cert-v01@openssh.com', 'rsa-cert'],
  ['ssh-dss', 'dsa'],
  ['ssh-dss-cert-v01@openssh.com', 'dsa-cert'],
  ['ecdsa-sha2-nistp256', 'ecdsa'],
  ['ecdsa-sha2-nistp384', 'ecdsa'],
  ['ecdsa-sha2-nistp521', 'ecdsa'],
  ['ecdsa-sha2-nistp256-cert-v01@openssh.com', 'ecdsa-cert'],
  ['ecdsa-sha2-nistp384-cert-v01@openssh.com', 'ecdsa-cert'],
  ['ecdsa-sha2-nistp521-cert-v01@openssh.com', 'ecdsa-cert'],
  ['sk-ecdsa-sha2-nistp256@openssh.com', 'ecdsa-sk'],
  ['sk-ecdsa-sha2-nistp256-cert-v01@openssh.com', 'ecdsa-sk-cert'],
]);
function familyOfName(word: string): string | undefined {
  return KEY_NAMES.get(word);
}


/** b64_pton as sshd uses it: white space skipped, strict padding, zero slop bits; undefined when invalid. */
export function strictBase64(word: string): Uint8Array | undefined {
  let s = word;
  if (/[\n\v\f\r]/.test(s)) s = s.replace(/[\n\v\f\r]/g, '');
  const n = s.length;
  if (n % 4 !== 0) return undefined;
  let pad = 0;
  if (n > 0 && s[n - 1] === '=') pad = s[n - 2] === '=' ? 2 : 1;
  for (let i = 0; i < n - pad; i++) {
    const c = s.charCodeAt(i);
    const ok = (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 43 || c === 47;
    if (!ok) return undefined;
  }
  const bytes = Buffer.from(s, 'base64'); // small: a view of Node's shared pool, no ArrayBuffer of its own
  // the bits after the last full byte must be zero (b64_pton refuses otherwise)
  if (pad > 0) {
    const last = s.charCodeAt(n - pad - 1);
    const v = last >= 65 && last <= 90 ? last - 65 : last >= 97 && last <= 122 ? last - 71 : last >= 48 && last <= 57 ? last + 4 : last === 43 ? 62 : 63;
    if ((pad === 2 && (v & 0x0f) !== 0) || (pad === 1 && (v & 0x03) !== 0)) return undefined;
  }
  return bytes;
}

interface ReadKey {
  type: string;
  blob: Uint8Array;
  rawEd25519?: Uint8Array;
  key?: PublicKeyInfo;
  /** index after the base64 word */
  end: number;
}

/** sshkey_read at `at`: the key, or a reason it is not one. */
function readKey(s: string, at: number): ReadKey | string {
  const typeEnd = wordEnd(s, at);
  if (typeEnd >= s.length) return 'no key type followed by a key';
  // the usual case without a new string
  const type = typeEnd - at === 11 && s.startsWith(ED25519_TYPE, at) ? ED25519_TYPE : s.slice(at, typeEnd);
  const family = familyOfName(type);
  if (family === undefined) return `unknown key type ${quoted(type, 40)}`; // file text: escaped, one line
  const b64Start = skipBlanks(s, typeEnd);
  const b64End = wordEnd(s, b64Start);
  const blob = strictBase64(s.slice(b64Start, b64End));
  if (!blob || blob.length === 0) return `the ${type} key is not base64`;
  const raw = ed25519KeyOfBlob(blob);
  if (raw) {
    if (family !== 'ed25519') return `says ${type} but holds an ssh-ed25519 key`;
    return { type, blob, rawEd25519: raw, end: b64End };
  }
  let key: PublicKeyInfo;
  try {
    key = parsePublicKeyBlob(blob);
  } catch {
    return `the ${type} key is malformed`;
  }
  if (familyOfName(key.type) !== family) return `says ${type} but holds a ${key.type} key`;
  if (family === 'ed25519') return `the ${type} key is malformed`;
  return { type, blob, key, end: b64End };
}

/** sshkey_advance_past_options: the index after the options field, or -1 for an unterminated quote. */
function advancePastOptions(s: string, at: number): number {
  let quoted = false;
  let i = at;
  for (; i < s.length && (quoted || !isBlank(s[i])); i++) {
    if (s[i] === '\\' && s[i + 1] === '"') i++;
    else if (s[i] === '"') quoted = !quoted;
  }
  return i >= s.length && quoted ? -1 : i;
}

function isHexWord(s: string, at: number, end: number): boolean {
  if (end - at !== 64) return false;
  for (let i = at; i < end; i++) {
    const c = s.charCodeAt(i);
    if (!((c >= 48 && c <= 57) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70))) return false;
  }
  return true;
}

function commentAfter(s: string, i: number): string {
  const c = s.slice(skipBlanks(s, i));
  return c.endsWith('\r') ? c.slice(0, -1) : c;
}

/**
 * One line as sshd reads it (without its `\n`): the key line, a skip with
 * its reason, or undefined for a blank or comment line.
 */
export function parseAuthorizedKeyLine(raw: string, lineNo: number, options: AuthorizedKeysParseOptions = {}): AuthorizedKeyLine | SkippedLine | undefined {
  const nul = raw.indexOf('\0');
  const s = nul === -1 ? raw : raw.slice(0, nul);
  const start = skipBlanks(s, 0);
  if (start >= s.length || s[start] === '#' || (s[start] === '\r' && start === s.length - 1)) return undefined;
  const extra = options.extraOptions ?? [];
  const skip = (reason: string, type = ''): SkippedLine => ({ line: lineNo, type, reason });

  let key = readKey(s, start);
  const firstFailure = key;
  let optionsText = '';
  let keyAt = start;
  if (typeof key === 'string') {
    // not a key at the start: an options field, then the key
    const optEnd = advancePastOptions(s, start);
    if (optEnd === -1) return skip('invalid options: unterminated quote');
    keyAt = skipBlanks(s, optEnd);
    optionsText = s.slice(start, optEnd);
    key = readKey(s, keyAt);
  }
  if (typeof key === 'string') {
    // the library's own form: [options] <64 hex digits> [comment]
    for (const at of optionsText === '' ? [start] : [start, keyAt]) {
      const end = wordEnd(s, at);
      if (!isHexWord(s, at, end)) continue;
      const text = at === start ? '' : optionsText;
      const parsed = parseKeyOptions(at === start ? '' : s.slice(start), extra);
      if (!parsed.ok) return skip(`bad options: ${parsed.reason}`, 'hex');
      const rawEd25519 = new Uint8Array(Buffer.from(s.slice(at, end), 'hex'));
      const blob = ed25519Blob(rawEd25519);
      return { line: lineNo, type: 'hex', blob, rawEd25519, optionsText: text, options: parsed.options, comment: commentAfter(s, end) };
    }
    // a line that starts with a key type is a broken key, not options: say what is wrong with that key
    return skip(typeof firstFailure === 'string' && familyOfName(s.slice(start, wordEnd(s, start))) ? firstFailure : key);
  }
  // sshd parses the options on the rest of the line: they end at a space or tab, wherever that is
  const parsed = optionsText === '' ? NONE : parseKeyOptions(s.slice(start), extra);
  if (!parsed.ok) return skip(`bad options: ${parsed.reason}`, key.type);
  const out: AuthorizedKeyLine = { line: lineNo, type: key.type, blob: key.blob, optionsText, options: parsed.options, comment: commentAfter(s, key.end) };
  if (key.rawEd25519) out.rawEd25519 = key.rawEd25519;
  if (key.key) out.key = key.key;
  return out;
}

/** Calls `each(raw, lineNo)` for every line of `text` (split at `\n` as sshd's getline). */
export function forEachLine(text: string, each: (raw: string, lineNo: number) => void): void {
  let lineNo = 0;
  let pos = 0;
  while (pos < text.length) {
    let end = text.indexOf('\n', pos);
    if (end === -1) end = text.length;
    each(text.slice(pos, end), ++lineNo);
    pos = end + 1;
  }
}

/** Every line of an authorized_keys text: the key lines, and the lines skipped with why. Never throws for a bad line. */
export function parseAuthorizedKeysText(text: string, options: AuthorizedKeysParseOptions = {}): ParsedAuthorizedKeys {
  const lines: AuthorizedKeyLine[] = [];
  const skipped: SkippedLine[] = [];
  forEachLine(text, (raw, lineNo) => {
    const r = parseAuthorizedKeyLine(raw, lineNo, options);
    if (r === undefined) return;
    if ('options' in r) lines.push(r);
    else skipped.push(r);
  });
  return { lines, skipped };
}
