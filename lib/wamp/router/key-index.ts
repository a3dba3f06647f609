/**
 * A compact index of an authorized_keys file's bytes, for large files: per
 * principal line only its 32-byte key, line number and byte range are kept
 * (in typed arrays: no object per line, nothing for the garbage collector);
 * a key's lines are parsed by the one line parser (ssh/authorized-keys.ts)
 * when that key first logs in, so every decision is the parser's own.
 *
 * The common line `ssh-ed25519 <68 base64 characters>[ comment]` is
 * recognised on the bytes (its base64 decoded straight into the index);
 * every other line (options, hex lines, other key types, anything odd) goes
 * through the line parser at once, which decides whether it is a principal,
 * skipped (with its reason, reported eagerly as before) or another key
 * (cert-authority, not Ed25519). test/key-index.test.ts checks that both
 * ways give the same list as parseAuthorizedKeys on a generated corpus.
 *
 * Lookups are O(1): open addressing over a seeded hash of the key.
 */
import { randomBytes } from 'node:crypto';
import type { AuthorizedKeyLine } from '../../ssh/authorized-keys.js';
import {
  AuthorizedKeys,
  classifyListLine,
  parseListLine,
  principalFrom,
  type Principal,
  type PrincipalLines,
  type SkippedKey,
} from './principals.js';

/** `ssh-ed25519` */
const TYPE = Buffer.from('ssh-ed25519', 'latin1');
/** the base64 of an Ed25519 blob's first 18 bytes (string "ssh-ed25519", the length of the key) */
const B64_PREFIX = Buffer.from('AAAAC3NzaC1lZDI1NTE5AAAA', 'latin1');
/** base64 character → value, 255 when not in the alphabet (sshd's b64_pton alphabet, no padding here) */
const B64 = new Uint8Array(256).fill(255);
for (let i = 0; i < 64; i++) B64['ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'.charCodeAt(i)] = i;

const isBlank = (c: number) => c === 32 || c === 9;

/**
 * The fast form: `ssh-ed25519`, blanks, 68 base64 characters holding an
 * Ed25519 blob, then the end of the line or a blank. Writes the key's 32
 * bytes at `out[at…]`; false (nothing decided) for any other line.
 */
function readFastLine(buf: Uint8Array, pos: number, end: number, out: Uint8Array, at: number): boolean {
  if (end - pos < 80) return false;
  for (let i = 0; i < 11; i++) if (buf[pos + i] !== TYPE[i]) return false;
  let p = pos + 11;
  if (!isBlank(buf[p] as number)) return false;
  while (p < end && isBlank(buf[p] as number)) p++;
  if (end - p < 68 || (p + 68 < end && !isBlank(buf[p + 68] as number))) return false;
  for (let i = 0; i < 24; i++) if (buf[p + i] !== B64_PREFIX[i]) return false;
  // groups 6..16: 44 characters → 33 bytes; the first is the key's length (32), then the key
  let o = at - 1;
  for (let g = p + 24; g < p + 68; g += 4) {
    const a = B64[buf[g] as number] as number;
    const b = B64[buf[g + 1] as number] as number;
    const c = B64[buf[g + 2] as number] as number;
    const d = B64[buf[g + 3] as number] as number;
    if ((a | b | c | d) === 255) return false;
    const v = (a << 18) | (b << 12) | (c << 6) | d;
    if (o === at - 1) {
      if (v >>> 16 !== 32) return false;
    } else out[o] = v >>> 16;
    out[o + 1] = (v >>> 8) & 255;
    out[o + 2] = v & 255;
    o += 3;
  }
  return true;
}

/** Builds the index line by line; `step` works until a deadline so a caller can yield between steps. */
export class KeyIndexBuilder {
  readonly #buf: Buffer;
  #pos = 0;
  #lineNo = 0;
  // one entry per principal line, in file order
  #count = 0;
  readonly #keys: Uint8Array;
  readonly #lineNos: Uint32Array;
  readonly #starts: Uint32Array;
  readonly #ends: Uint32Array;
  /** the next entry with the same key (-1: none), and the last one of a key's chain (kept on its first entry) */
  readonly #next: Int32Array;
  readonly #tail: Int32Array;
  /** open addressing: entry + 1 of each distinct key's first line, 0 when empty; never more than half full */
  readonly #table: Int32Array;
  readonly #seed = randomBytes(4).readUInt32LE(0);
  readonly #skipped: SkippedKey[] = [];
  /** lines sshd reads that are not principals: [line number, start, end] */
  readonly #others: number[] = [];

  constructor(bytes: Uint8Array) {
    this.#buf = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
    // a principal line holds at least 64 characters (a hex key) and its newline: sized once, never grown
    // (growing or rehashing a million entries would hold the event loop for a long step)
    const cap = Math.floor(this.#buf.length / 65) + 1;
    this.#keys = new Uint8Array(cap * 32);
    this.#lineNos = new Uint32Array(cap);
    this.#starts = new Uint32Array(cap);
    this.#ends = new Uint32Array(cap);
    this.#next = new Int32Array(cap);
    this.#tail = new Int32Array(cap);
    this.#table = new Int32Array(2 ** Math.ceil(Math.log2(cap * 2 + 2)));
  }

  /** Reads lines until the file ends (true) or, checked every 64 lines, `until()` says stop (false). */
  step(until: () => boolean = () => false): boolean {
    const buf = this.#buf;
    const n = buf.length;
    while (this.#pos < n) {
      let end = buf.indexOf(10, this.#pos);
      if (end === -1) end = n;
      this.#line(this.#pos, end, ++this.#lineNo);
      this.#pos = end + 1;
      if ((this.#lineNo & 63) === 0 && until()) return this.#pos >= n;
    }
    return true;
  }

  #line(start: number, end: number, lineNo: number): void {
    if (readFastLine(this.#buf, start, end, this.#keys, this.#count * 32)) {
      this.#add(lineNo, start, end);
      return;
    }
    const read = classifyListLine(this.#buf.toString('utf8', start, end), lineNo, this.#skipped);
    if (read === undefined) return;
    if (!read.principal) {
      this.#others.push(lineNo, start, end);
      return;
    }
    this.#keys.set(read.line.rawEd25519 as Uint8Array, this.#count * 32);
    this.#add(lineNo, start, end);
  }

  /** Files the entry whose key was just written at slot #count. */
  #add(lineNo: number, start: number, end: number): void {
    const e = this.#count++;
    if (e >= this.#lineNos.length) throw new RangeError('key index: more principal lines than the file can hold'); // cannot happen: see the constructor
    this.#lineNos[e] = lineNo;
    this.#starts[e] = start;
    this.#ends[e] = end;
    this.#next[e] = -1;
    const slot = this.#probe(this.#keys, e * 32);
    const head = (this.#table[slot] as number) - 1;
    if (head < 0) {
      this.#table[slot] = e + 1;
      this.#tail[e] = e;
    } else {
      this.#next[this.#tail[head] as number] = e;
      this.#tail[head] = e;
    }
  }

  /** The table slot holding this key (`key[at…at+32]`), or the empty slot where it goes. */
  #probe(key: Uint8Array, at: number): number {
    return probe(this.#table, this.#keys, hashKey(key, at, this.#seed), key, at);
  }

  /** The list, served from the index. */
  finish(): AuthorizedKeys {
    return fromIndexParts(this.parts());
  }

  /** The finished index as plain data (typed arrays and arrays: a worker thread hands it over without copying). */
  parts(): KeyIndexParts {
    return {
      buf: this.#buf, count: this.#count, keys: this.#keys, lineNos: this.#lineNos, starts: this.#starts, ends: this.#ends,
      next: this.#next, table: this.#table, seed: this.#seed, others: this.#others, skipped: this.#skipped,
    };
  }
}

/** A finished index as plain data (see KeyIndexBuilder.parts). */
export interface KeyIndexParts {
  buf: Uint8Array;
  count: number;
  keys: Uint8Array;
  lineNos: Uint32Array;
  starts: Uint32Array;
  ends: Uint32Array;
  next: Int32Array;
  table: Int32Array;
  seed: number;
  others: readonly number[];
  skipped: readonly SkippedKey[];
}

/** The list served from an index's parts (made here or in a worker thread). */
export function fromIndexParts(p: KeyIndexParts): AuthorizedKeys {
  const buf = Buffer.isBuffer(p.buf) ? p.buf : Buffer.from(p.buf.buffer, p.buf.byteOffset, p.buf.length);
  return AuthorizedKeys.fromIndex(new IndexedLines(buf, p.count, p.keys, p.lineNos, p.starts, p.ends, p.next, p.table, p.seed, p.others), p.skipped);
}

function hashKey(key: Uint8Array, at: number, seed: number): number {
  let h = seed | 0;
  for (let i = at; i < at + 32; i += 4) {
    const w = (key[i] as number) | ((key[i + 1] as number) << 8) | ((key[i + 2] as number) << 16) | ((key[i + 3] as number) << 24);
    h = Math.imul(h ^ w, 0x9e3779b1);
    h ^= h >>> 15;
  }
  return h >>> 0;
}

function sameKey(a: Uint8Array, at: number, b: Uint8Array, bt: number): boolean {
  for (let i = 0; i < 32; i++) if (a[at + i] !== b[bt + i]) return false;
  return true;
}

function probe(table: Int32Array, keys: Uint8Array, hash: number, key: Uint8Array, at: number): number {
  const mask = table.length - 1;
  for (let slot = hash & mask; ; slot = (slot + 1) & mask) {
    const v = table[slot] as number;
    if (v === 0 || sameKey(keys, (v - 1) * 32, key, at)) return slot;
  }
}

class IndexedLines implements PrincipalLines {
  constructor(
    readonly buf: Buffer,
    readonly size: number,
    readonly keys: Uint8Array,
    readonly lineNos: Uint32Array,
    readonly starts: Uint32Array,
    readonly ends: Uint32Array,
    readonly next: Int32Array,
    readonly table: Int32Array,
    readonly seed: number,
    readonly others: readonly number[],
  ) {}

  #principal(e: number): Principal {
    const line = parseListLine(this.buf.toString('utf8', this.starts[e], this.ends[e]), this.lineNos[e] as number);
    // the builder filed this line as a principal; the same parser on the same text says so again
    const l = line as AuthorizedKeyLine;
    return principalFrom(l, l.rawEd25519 as Uint8Array);
  }

  principalsOf(key: Uint8Array): Principal[] | undefined {
    if (key.length !== 32) return undefined;
    const v = this.table[probe(this.table, this.keys, hashKey(key, 0, this.seed), key, 0)] as number;
    if (v === 0) return undefined;
    const out: Principal[] = [];
    for (let e = v - 1; e !== -1; e = this.next[e] as number) out.push(this.#principal(e));
    return out;
  }

  allPrincipals(): Principal[] {
    const out: Principal[] = [];
    for (let e = 0; e < this.size; e++) out.push(this.#principal(e));
    return out;
  }

  otherLines(): AuthorizedKeyLine[] {
    const out: AuthorizedKeyLine[] = [];
    for (let i = 0; i < this.others.length; i += 3) {
      const line = parseListLine(this.buf.toString('utf8', this.others[i + 1], this.others[i + 2]), this.others[i] as number);
      out.push(line as AuthorizedKeyLine);
    }
    return out;
  }
}

/** The whole text at once (tests, tools): the same list as parseAuthorizedKeys, served from the index. */
export function indexAuthorizedKeys(bytes: Uint8Array): AuthorizedKeys {
  const b = new KeyIndexBuilder(bytes);
  b.step();
  return b.finish();
}

/**
 * Builds the index in a worker thread (the main thread only starts it and
 * takes the result): the file's bytes go to the worker and come back with
 * the index, both transferred, never copied (`bytes` is unusable afterwards
 * when it owned its whole buffer). Rejects when the worker cannot run (the
 * caller then builds the index in slices).
 */
export async function indexInWorker(bytes: Uint8Array): Promise<AuthorizedKeys> {
  const { Worker } = await import('node:worker_threads');
  const own = bytes.byteOffset === 0 && bytes.buffer.byteLength === bytes.length && bytes.buffer instanceof ArrayBuffer;
  const data = own ? bytes : new Uint8Array(bytes);
  const worker = new Worker(new URL('./key-index-worker.js', import.meta.url), { workerData: { bytes: data }, transferList: [data.buffer as ArrayBuffer] });
  try {
    const parts = await new Promise<KeyIndexParts>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
      worker.once('exit', (code) => reject(new Error(`the key-index worker exited (${code})`)));
    });
    return fromIndexParts(parts);
  } finally {
    void worker.terminate();
  }
}
