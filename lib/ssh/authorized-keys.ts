/**
 * OpenSSH's authorized_keys line format, read as sshd reads it
 * (sshd(8) "AUTHORIZED_KEYS FILE FORMAT", auth-options.c):
 *
 *     [options] keytype base64-key [comment]
 *
 * Options are comma-separated `name` or `name="value"` (case-insensitive
 * names; inside quotes only `\"` is an escape, as in sshd's opt_dequote).
 * The comment is everything after the key, kept verbatim (runs of spaces
 * included), as `ssh-keygen -l` shows it. Also accepted, for WAMP-only lists:
 * `<64 hex digits> [comment]`.
 *
 * The parser is one pass over each line: linear in its input, no regex that
 * can backtrack over user text.
 */
import { AuthorizedKeysError } from '../errors.js';
import { parsePublicKeyBlob, type PublicKeyInfo } from './public-key.js';

/** Options sshd knows (auth-options.c). `wamp-*` are ours; sshd refuses unknown options, so lines with them are WAMP-only. */
const FLAG_OPTIONS = new Set([
  'agent-forwarding', 'cert-authority', 'no-agent-forwarding', 'no-port-forwarding', 'no-pty', 'no-user-rc',
  'no-x11-forwarding', 'no-touch-required', 'port-forwarding', 'pty', 'restrict', 'user-rc', 'verify-required',
  'x11-forwarding',
]);
const VALUE_OPTIONS = new Set([
  'command', 'environment', 'expiry-time', 'from', 'permitlisten', 'permitopen', 'principals', 'tunnel',
  'wamp-authid', 'wamp-realm', 'wamp-role',
]);

export interface KeyOption {
  name: string;
  /** the dequoted value; undefined for a flag */
  value?: string;
}

export interface AuthorizedKeyLine {
  /** 1-based line number */
  line: number;
  options: KeyOption[];
  /** the options field as written, or '' */
  optionsText: string;
  /** for `ssh-…` lines: the parsed key; for hex lines: undefined */
  key?: PublicKeyInfo;
  /** for hex lines: the 32 raw bytes */
  rawEd25519?: Uint8Array;
  /** the key type as written (`ssh-ed25519`, …), `hex` for hex lines */
  type: string;
  comment: string;
}

function fail(line: number, what: string): never {
  throw new AuthorizedKeysError('AUTHORIZED_KEYS_FORMAT', `line ${line}: ${what}`);
}

const isSpace = (c: string | undefined) => c === ' ' || c === '\t';

/** Reads one white-space-delimited word starting at i; returns [word, index after it]. */
function word(s: string, i: number): [string, number] {
  let j = i;
  while (j < s.length && !isSpace(s[j])) j++;
  return [s.slice(i, j), j];
}

function skipSpace(s: string, i: number): number {
  while (i < s.length && isSpace(s[i])) i++;
  return i;
}

function looksLikeKeyType(w: string): boolean {
  return /^(ssh-|ecdsa-sha2-|sk-)[a-z0-9@.-]+$/.test(w);
}

function isHexKey(w: string): boolean {
  return w.length === 64 && /^[0-9a-fA-F]{64}$/.test(w);
}

/** Parses the options field at the start of `s`; returns the options and the index after the field. */
function parseOptions(s: string, lineNo: number): [KeyOption[], number] {
  const options: KeyOption[] = [];
  let i = 0;
  for (;;) {
    let j = i;
    while (j < s.length && /[A-Za-z0-9-]/.test(s[j] as string)) j++;
    const name = s.slice(i, j).toLowerCase();
    if (name === '') fail(lineNo, `bad options at column ${i + 1}: expected an option name`);
    let value: string | undefined;
    if (s[j] === '=') {
      if (s[j + 1] !== '"') fail(lineNo, `option ${name} needs a quoted value (${name}="…")`);
      j += 2;
      let v = '';
      for (;;) {
        if (j >= s.length) fail(lineNo, `unterminated quote in option ${name}`);
        const c = s[j] as string;
        if (c === '"') break;
        if (c === '\\' && s[j + 1] === '"') {
          v += '"';
          j += 2;
          continue;
        }
        v += c;
        j++;
      }
      j++; // closing quote
      value = v;
    }
    if (!FLAG_OPTIONS.has(name) && !VALUE_OPTIONS.has(name)) fail(lineNo, `unknown option ${name} (sshd refuses it too)`);
    if (VALUE_OPTIONS.has(name) && value === undefined) fail(lineNo, `option ${name} needs a value (${name}="…")`);
    if (FLAG_OPTIONS.has(name) && value !== undefined) fail(lineNo, `option ${name} takes no value`);
    options.push(value === undefined ? { name } : { name, value });
    if (s[j] === ',') {
      i = j + 1;
      continue;
    }
    if (j >= s.length || isSpace(s[j])) return [options, j];
    fail(lineNo, `bad options at column ${j + 1}: expected "," or a space`);
  }
}

/** Parses one non-blank, non-comment line (already without its line ending). */
export function parseAuthorizedKeyLine(raw: string, lineNo: number): AuthorizedKeyLine {
  let i = skipSpace(raw, 0);
  const start = i;
  let [first] = word(raw, i);
  let options: KeyOption[] = [];
  let optionsText = '';
  if (/^[0-9a-fA-F]+$/.test(first) && !isHexKey(first)) {
    fail(lineNo, `expected a key type such as ssh-ed25519, or 64 hex digits (found ${first.length} hex digits)`);
  }
  if (!looksLikeKeyType(first) && !isHexKey(first)) {
    const rest = raw.slice(start);
    let end: number;
    [options, end] = parseOptions(rest, lineNo);
    optionsText = rest.slice(0, end);
    i = skipSpace(raw, start + end);
    [first] = word(raw, i);
    if (first === '') fail(lineNo, 'no key after the options');
    if (!looksLikeKeyType(first) && !isHexKey(first)) {
      fail(lineNo, 'expected a key type such as ssh-ed25519, or 64 hex digits');
    }
  }
  i += first.length;
  if (isHexKey(first)) {
    const comment = raw.slice(skipSpace(raw, i));
    return { line: lineNo, options, optionsText, type: 'hex', rawEd25519: new Uint8Array(Buffer.from(first, 'hex')), comment };
  }
  const type = first;
  const b64Start = skipSpace(raw, i);
  const [b64, after] = word(raw, b64Start);
  if (b64 === '') fail(lineNo, `nothing after the key type ${type}`);
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(b64)) fail(lineNo, `the ${type} key is not base64`);
  let key: PublicKeyInfo;
  try {
    key = parsePublicKeyBlob(new Uint8Array(Buffer.from(b64, 'base64')));
  } catch {
    fail(lineNo, `the ${type} key is malformed`);
  }
  if (key.type !== type) fail(lineNo, `says ${type} but holds a ${key.type} key`);
  const comment = raw.slice(skipSpace(raw, after));
  return { line: lineNo, options, optionsText, type, key, comment };
}

/** Every key line of an authorized_keys text (blank lines and `#` comments skipped). */
export function parseAuthorizedKeyLines(text: string): AuthorizedKeyLine[] {
  const out: AuthorizedKeyLine[] = [];
  let lineNo = 0;
  let pos = 0;
  while (pos <= text.length) {
    let end = text.indexOf('\n', pos);
    if (end === -1) end = text.length;
    lineNo++;
    let raw = text.slice(pos, end);
    if (raw.endsWith('\r')) raw = raw.slice(0, -1);
    pos = end + 1;
    const t = skipSpace(raw, 0);
    if (t === raw.length || raw[t] === '#') continue;
    out.push(parseAuthorizedKeyLine(raw, lineNo));
  }
  return out;
}

/** The value of an option (the last one given wins, as in sshd), or undefined. */
export function optionValue(line: AuthorizedKeyLine, name: string): string | undefined {
  let v: string | undefined;
  for (const o of line.options) if (o.name === name) v = o.value;
  return v;
}

export function hasOption(line: AuthorizedKeyLine, name: string): boolean {
  return line.options.some((o) => o.name === name);
}
