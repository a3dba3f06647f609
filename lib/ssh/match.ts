/**
 * OpenSSH's pattern and address matching, with the same answers as sshd
 * (match.c, addrmatch.c, and glibc's getaddrinfo(AI_NUMERICHOST) underneath),
 * for `from=` in authorized_keys and for certificate principals.
 *
 * - matchPattern: `*` and `?` wildcards, byte-wise on UTF-8, case-sensitive.
 * - matchPatternList: a comma list of patterns, `!` negates; 1 (a positive
 *   match and no negated one), -1 (a negated pattern matched), 0 (none).
 *   A sub-pattern of 1023 bytes or more makes the whole list "no match".
 * - addrMatchList: a comma list of addresses, CIDR blocks and wildcards for an
 *   IP address; 1 / -1 / 0 as above, and -2 when the list is invalid: an
 *   empty entry (`a,,b`, `a,`, `!`), a prefix length too long for its family
 *   (`1.2.3.4/33`), or a network with host bits set (`127.0.0.1/8`).
 * - matchHostAndIp: sshd's `from=` rule: 1 allows; 0 denies; -1 the list is
 *   invalid (sshd denies too).
 *
 * Address forms are glibc's numeric forms, as sshd accepts them (checked
 * against a real sshd by test/sshd-differential.test.ts): IPv4 in 1 to 4
 * parts, each decimal, octal (leading 0) or hex (0x), the last part filling
 * the remaining bytes (`127.1`, `2130706433`, `0x7f.1`, `127.0.0.01`);
 * IPv6 as inet_pton reads it (`0:0::1`, `::ffff:127.0.0.1`) with an optional
 * numeric `%scope` (a scope other than 0 never matches a peer). IPv4-mapped
 * patterns are IPv6 and never match an IPv4 peer; a mapped peer address is
 * matched as the IPv4 address it carries, as sshd does.
 *
 * Linear work: the wildcard matcher is iterative (no backtracking regex).
 */

/** 1: matched; -1: a negated entry matched; 0: nothing matched. */
export type ListMatch = 1 | 0 | -1;

const enc = new TextEncoder();

/** sshd's match_pattern: does `s` match `pattern` (`*` any run, `?` any one byte)? Case-sensitive. */
export function matchPattern(s: string, pattern: string): boolean {
  return matchBytes(enc.encode(s), enc.encode(pattern));
}

function matchBytes(s: Uint8Array, p: Uint8Array): boolean {
  let si = 0;
  let pi = 0;
  let starP = -1;
  let starS = 0;
  const STAR = 0x2a;
  const QUESTION = 0x3f;
  while (si < s.length) {
    if (pi < p.length && p[pi] === STAR) {
      starP = pi++;
      starS = si;
    } else if (pi < p.length && (p[pi] === QUESTION || p[pi] === s[si])) {
      pi++;
      si++;
    } else if (starP !== -1) {
      pi = starP + 1;
      si = ++starS;
    } else return false;
  }
  while (pi < p.length && p[pi] === STAR) pi++;
  return pi === p.length;
}

const COMMA = 0x2c;
const BANG = 0x21;
/** match_pattern_list copies each sub-pattern into a 1024-byte buffer; a longer one ends the whole list as "no match". */
const MAX_SUBPATTERN_BYTES = 1023;

function asciiLower(b: Uint8Array): Uint8Array {
  const out = new Uint8Array(b.length);
  for (let i = 0; i < b.length; i++) {
    const c = b[i] as number;
    out[i] = c >= 0x41 && c <= 0x5a ? c + 0x20 : c;
  }
  return out;
}

/**
 * sshd's match_pattern_list: `list` is comma-separated patterns, each
 * optionally negated with `!`. With `lowercase`, each pattern is lower-cased
 * (ASCII) before matching (the string is not).
 */
export function matchPatternList(s: string, list: string, lowercase: boolean): ListMatch {
  const str = enc.encode(s);
  const pat = enc.encode(list);
  let gotPositive = false;
  let i = 0;
  while (i < pat.length) {
    let negated = false;
    if (pat[i] === BANG) {
      negated = true;
      i++;
    }
    const start = i;
    while (i < pat.length && pat[i] !== COMMA && i - start < MAX_SUBPATTERN_BYTES) i++;
    if (i - start >= MAX_SUBPATTERN_BYTES) return 0;
    let sub: Uint8Array = pat.subarray(start, i);
    if (i < pat.length && pat[i] === COMMA) i++;
    if (lowercase) sub = asciiLower(sub);
    if (matchBytes(str, sub)) {
      if (negated) return -1;
      gotPositive = true;
    }
  }
  return gotPositive ? 1 : 0;
}

/** A parsed numeric address: family, network-order bytes, IPv6 scope id. */
export interface NumericAddress {
  family: 4 | 6;
  bytes: Uint8Array;
  scopeId: number;
}

function isDigit(c: string | undefined): boolean {
  return c !== undefined && c >= '0' && c <= '9';
}
function hexValue(c: string | undefined): number {
  if (c === undefined) return -1;
  if (c >= '0' && c <= '9') return c.charCodeAt(0) - 48;
  if (c >= 'a' && c <= 'f') return c.charCodeAt(0) - 87;
  if (c >= 'A' && c <= 'F') return c.charCodeAt(0) - 55;
  return -1;
}

const MAX_U32 = 0xffffffff;

/** glibc's inet_aton (exact: nothing may follow): `a.b.c.d`, `a.b.c`, `a.b`, `a`; decimal, 0-octal, 0x-hex parts. */
export function parseIPv4Numeric(text: string): Uint8Array | undefined {
  const parts: number[] = [];
  let i = 0;
  for (;;) {
    let base = 10;
    let digits = false;
    if (text[i] === '0') {
      i++;
      if (text[i] === 'x' || text[i] === 'X') {
        base = 16;
        i++;
      } else {
        base = 8;
        digits = true;
      }
    }
    let value = 0;
    for (;;) {
      const c = text[i];
      let d: number;
      if (isDigit(c)) {
        d = (c as string).charCodeAt(0) - 48;
        if (base === 8 && d > 7) return undefined;
      } else if (base === 16 && hexValue(c) >= 0) {
        d = hexValue(c);
      } else break;
      value = value * base + d;
      if (value > MAX_U32) return undefined;
      digits = true;
      i++;
    }
    if (!digits) return undefined;
    if (text[i] === '.') {
      if (parts.length >= 3 || value > 0xff) return undefined;
      parts.push(value);
      i++;
      continue;
    }
    if (i !== text.length) return undefined;
    parts.push(value);
    break;
  }
  const last = parts[parts.length - 1] as number;
  const maxLast = [MAX_U32, 0xffffff, 0xffff, 0xff][parts.length - 1] as number;
  if (last > maxLast) return undefined;
  let n = last;
  for (let k = 0; k < parts.length - 1; k++) n += (parts[k] as number) * 2 ** (8 * (3 - k));
  return new Uint8Array([(n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff]);
}

/** inet_pton's dotted quad (the tail of an IPv6 address): 4 decimal parts of 1-3 digits, no leading zero. */
function parseDottedQuad(text: string): Uint8Array | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  const out = new Uint8Array(4);
  for (let k = 0; k < 4; k++) {
    const p = parts[k] as string;
    if (p.length === 0 || p.length > 3 || ![...p].every(isDigit)) return undefined;
    if (p.length > 1 && p[0] === '0') return undefined; // inet_pton4 refuses leading zeros
    const v = Number(p);
    if (v > 255) return undefined;
    out[k] = v;
  }
  return out;
}

/** glibc's inet_pton(AF_INET6): hex groups of 1-4 digits, one `::`, an optional trailing dotted quad. */
export function parseIPv6(text: string): Uint8Array | undefined {
  const out = new Uint8Array(16);
  if (text.length === 0) return undefined;
  let i = 0;
  if (text[0] === ':') {
    if (text[1] !== ':') return undefined;
    i = 1;
  }
  const groups: number[] = [];
  let gap = -1;
  let curStart = i;
  let sawDigit = false;
  let value = 0;
  let digitsInGroup = 0;
  let v4: Uint8Array | undefined;
  while (i < text.length) {
    const c = text[i] as string;
    const h = hexValue(c);
    if (h >= 0) {
      if (++digitsInGroup > 4) return undefined;
      value = (value << 4) | h;
      sawDigit = true;
      i++;
      continue;
    }
    if (c === ':') {
      i++;
      if (!sawDigit) {
        if (gap !== -1) return undefined;
        gap = groups.length;
        curStart = i;
        continue;
      }
      if (i >= text.length) return undefined; // a trailing single ':'
      if (groups.length >= 8) return undefined;
      groups.push(value);
      sawDigit = false;
      value = 0;
      digitsInGroup = 0;
      curStart = i;
      continue;
    }
    if (c === '.' && groups.length <= 6) {
      v4 = parseDottedQuad(text.slice(curStart));
      if (!v4) return undefined;
      sawDigit = false;
      break;
    }
    return undefined;
  }
  if (sawDigit) {
    if (groups.length >= 8) return undefined;
    groups.push(value);
  }
  const words = [...groups];
  let total = words.length + (v4 ? 2 : 0);
  if (total > 8) return undefined;
  if (v4) words.push((v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!);
  if (gap !== -1) {
    if (total === 8) return undefined; // `::` must stand for at least one group
    const fill = new Array<number>(8 - total).fill(0);
    words.splice(gap, 0, ...fill);
    total = 8;
  }
  if (total !== 8) return undefined;
  words.forEach((w, k) => {
    out[2 * k] = w >> 8;
    out[2 * k + 1] = w & 0xff;
  });
  return out;
}

/**
 * The address as sshd's addr_pton reads it (getaddrinfo with AI_NUMERICHOST on
 * glibc), or undefined. Interface names as IPv6 scopes are not resolved
 * (undefined): such a pattern can match no peer sshd sees without a scope.
 */
export function parseNumericAddress(text: string): NumericAddress | undefined {
  const v4 = parseIPv4Numeric(text);
  if (v4) return { family: 4, bytes: v4, scopeId: 0 };
  let addr = text;
  let scopeId = 0;
  const pct = text.indexOf('%');
  if (pct !== -1) {
    addr = text.slice(0, pct);
    const scope = text.slice(pct + 1);
    if (scope === '' || ![...scope].every(isDigit)) return undefined;
    const n = Number(scope);
    if (!Number.isSafeInteger(n) || n > MAX_U32) return undefined;
    scopeId = n;
  }
  const v6 = parseIPv6(addr);
  return v6 ? { family: 6, bytes: v6, scopeId } : undefined;
}

/** The IPv4 address inside an IPv4-mapped IPv6 address (::ffff:a.b.c.d), as sshd's ipv64_normalise_mapped. */
function unmapped(a: NumericAddress): NumericAddress {
  if (a.family !== 6) return a;
  for (let k = 0; k < 10; k++) if (a.bytes[k] !== 0) return a;
  if (a.bytes[10] !== 0xff || a.bytes[11] !== 0xff) return a;
  return { family: 4, bytes: a.bytes.slice(12), scopeId: 0 };
}

/** inet_ntop's text for an address (what sshd shows and matches wildcards against). */
export function formatAddress(a: NumericAddress): string {
  const b = a.bytes;
  if (a.family === 4) return `${b[0]}.${b[1]}.${b[2]}.${b[3]}`;
  const words: number[] = [];
  for (let k = 0; k < 8; k++) words.push((b[2 * k]! << 8) | b[2 * k + 1]!);
  // the longest run of two or more zero words (the first of equal runs) becomes ::
  let bestStart = -1;
  let bestLen = 0;
  for (let k = 0; k < 8; ) {
    if (words[k] !== 0) {
      k++;
      continue;
    }
    let e = k;
    while (e < 8 && words[e] === 0) e++;
    if (e - k > bestLen) {
      bestStart = k;
      bestLen = e - k;
    }
    k = e;
  }
  if (bestLen < 2) bestStart = -1;
  let s = '';
  for (let k = 0; k < 8; k++) {
    if (bestStart !== -1 && k >= bestStart && k < bestStart + bestLen) {
      if (k === bestStart) s += ':';
      continue;
    }
    if (k !== 0) s += ':';
    if (k === 6 && bestStart === 0 && (bestLen === 6 || (bestLen === 5 && words[5] === 0xffff))) {
      s += `${b[12]}.${b[13]}.${b[14]}.${b[15]}`;
      break;
    }
    s += words[k]!.toString(16);
  }
  if (bestStart !== -1 && bestStart + bestLen === 8) s += ':';
  return s;
}

/** A peer address as sshd sees it: parsed, IPv4-mapped made IPv4, and its canonical text; undefined when not an address. */
export function peerAddress(text: string): { address: NumericAddress; text: string } | undefined {
  const parsed = parseNumericAddress(text);
  if (!parsed) return undefined;
  const address = unmapped(parsed);
  return { address, text: formatAddress(address) };
}

/** The longest an entry may be to be read as an address or CIDR block (sshd copies it into 64 bytes). */
const MAX_CIDR_ENTRY_BYTES = 63;

/** addr_pton_cidr: 0 with the network, -1 not an address (a wildcard then), -2 an invalid network. */
export function parseCidr(entry: string): { r: 0; net: NumericAddress; bits: number } | { r: -1 | -2 } {
  if (enc.encode(entry).length > MAX_CIDR_ENTRY_BYTES) return { r: -1 };
  const slash = entry.indexOf('/');
  let bits: number | undefined;
  let addrText = entry;
  if (slash !== -1) {
    addrText = entry.slice(0, slash);
    const len = entry.slice(slash + 1);
    bits = parseMaskLength(len);
    if (bits === undefined || bits > 128) return { r: -1 };
  }
  const net = parseNumericAddress(addrText);
  if (!net) return { r: -1 };
  const max = net.family === 4 ? 32 : 128;
  const n = bits ?? max;
  if (n > max) return { r: -2 };
  if (!hostBitsZero(net.bytes, n)) return { r: -2 };
  return { r: 0, net, bits: n };
}

/**
 * The prefix length as addr_pton_cidr reads it: it must start with a digit
 * (so no white space or sign), decimal, nothing after; undefined otherwise.
 */
function parseMaskLength(text: string): number | undefined {
  if (!isDigit(text[0])) return undefined;
  let v = 0;
  for (let k = 0; k < text.length; k++) {
    if (!isDigit(text[k])) return undefined;
    v = Math.min(v * 10 + (text.charCodeAt(k) - 48), 1e6); // anything this large is "too long"
  }
  return v;
}

function hostBitsZero(bytes: Uint8Array, bits: number): boolean {
  for (let k = 0; k < bytes.length; k++) {
    const keep = Math.max(0, Math.min(8, bits - 8 * k));
    const mask = keep === 8 ? 0 : 0xff >> keep;
    if (((bytes[k] as number) & mask) !== 0) return false;
  }
  return true;
}

export function inNetwork(a: NumericAddress, net: NumericAddress, bits: number): boolean {
  if (a.family !== net.family) return false;
  for (let k = 0; k < a.bytes.length; k++) {
    const keep = Math.max(0, Math.min(8, bits - 8 * k));
    const mask = (0xff00 >> keep) & 0xff;
    if ((((a.bytes[k] as number) & mask) as number) !== (net.bytes[k] as number)) return false;
  }
  // sshd keeps the peer's scope id when masking: a network with another scope never matches
  return a.family === 4 || a.scopeId === net.scopeId;
}

/**
 * sshd's addr_match_list for the address `addr` (already as sshd would print
 * it): 1 matched, -1 a negated entry matched, 0 no match, -2 the list is
 * invalid. An address that does not parse matches nothing (0).
 */
export function addrMatchList(addr: string, list: string): ListMatch | -2 {
  const parsed = parseNumericAddress(addr);
  if (!parsed) return 0;
  const a = parsed;
  let ret: ListMatch = 0;
  for (const raw of list.split(',')) {
    const neg = raw.startsWith('!');
    const entry = neg ? raw.slice(1) : raw;
    if (entry === '') return -2;
    const c = parseCidr(entry);
    if (c.r === -2) return -2;
    const hit = c.r === 0 ? inNetwork(a, c.net, c.bits) : matchPattern(addr, entry);
    if (hit) {
      if (neg) return -1;
      ret = 1;
    }
  }
  return ret;
}

/**
 * sshd's match_host_and_ip, as for `from=`: 1 allowed; 0 refused (a negated
 * entry matched, or nothing matched); -1 the list is invalid (sshd refuses
 * the key then). `host` is the peer's name (sshd with UseDNS no uses the
 * address text), `ip` its address as sshd prints it.
 */
export function matchHostAndIp(host: string, ip: string, list: string): 1 | 0 | -1 {
  const mip = addrMatchList(ip, list);
  if (mip === -2) return -1;
  if (mip === -1) return 0;
  const mhost = matchPatternList(asciiLowerString(host), list, true);
  if (mhost === -1) return 0;
  if (mhost === 0 && mip === 0) return 0;
  return 1;
}

function asciiLowerString(s: string): string {
  return s.replace(/[A-Z]/g, (c) => c.toLowerCase());
}

/**
 * `from=` for a peer address as a router gets it (Node's socket.remoteAddress,
 * crossbar's transport peer): true only when sshd would let this address use
 * the key. The address is first read and printed as sshd does (IPv4-mapped →
 * IPv4); an address that does not parse is refused.
 */
export function fromAllows(list: string, address: string): boolean {
  const peer = peerAddress(address);
  if (!peer) return false;
  return matchHostAndIp(peer.text, peer.text, list) === 1;
}
