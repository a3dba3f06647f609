/**
 * The options field of an authorized_keys line, with sshd's semantics
 * (auth-options.c sshauthopt_parse, misc.c parse_absolute_time, and
 * auth_authorise_keyopts for a plain key), checked against a real sshd by
 * test/sshd-differential.test.ts:
 *
 * - names are case-insensitive and matched as sshd matches them (a flag is
 *   a prefix match that must be followed by `,`, a space, a tab or the end);
 *   an unknown option, a second `from=`, `command=` or `principals=`, a
 *   malformed value or a missing quote makes the line invalid (sshd skips
 *   it; other lines still count);
 * - `expiry-time`: YYYYMMDD[HHMM[SS]] in local time, or UTC with a `Z`/`UTC`
 *   suffix (any case); seconds up to 61; dates normalised as mktime does;
 *   several: the earliest wins;
 * - `environment`, `permitopen`, `permitlisten`, `tunnel` validated as sshd
 *   does (service names for ports are read from /etc/services, as sshd's
 *   getservbyname does on a usual system);
 * - `authorisePlainKey`: what sshd checks before accepting a plain key from
 *   such a line: not `cert-authority`, not expired, no `principals=`, and
 *   `from=` allowing the peer (no peer address: refused).
 *
 * Extra options (the caller's own, e.g. `wamp-authid`) can be admitted:
 * `name="value"`, each at most once. sshd itself refuses a line with them.
 */
import { readFileSync } from 'node:fs';
import { fromAllows } from './match.js';
import { quoted } from '../escape.js';

/** sshd's options of one line, parsed. */
export interface KeyOptions {
  restrict: boolean;
  certAuthority: boolean;
  /** `port-forwarding` / `no-port-forwarding`, … as last written (undefined: not written) */
  portForwarding?: boolean;
  agentForwarding?: boolean;
  x11Forwarding?: boolean;
  pty?: boolean;
  userRc?: boolean;
  /** `touch-required` / `no-touch-required` */
  touchRequired?: boolean;
  /** `verify-required` / `no-verify-required` */
  verifyRequired?: boolean;
  command?: string;
  /** `principals="…"` (only meaningful with cert-authority; sshd refuses a plain key with it) */
  principals?: string;
  /** `from="…"`: sshd's pattern list for the peer */
  from?: string;
  /** `expiry-time`: the earliest, as Unix seconds; the key is refused once the clock is past it */
  validBefore?: number;
  environment: string[];
  permitOpen: string[];
  permitListen: string[];
  /** `tunnel="n"` or `"any"` */
  tunnel?: number | 'any';
  /** the caller's extra options (lower-cased names) */
  extra: Record<string, string>;
}

/** The options of a line without any (frozen: shared by all such lines). */
export const NO_OPTIONS: KeyOptions = Object.freeze({
  restrict: false,
  certAuthority: false,
  environment: Object.freeze([]) as unknown as string[],
  permitOpen: Object.freeze([]) as unknown as string[],
  permitListen: Object.freeze([]) as unknown as string[],
  extra: Object.freeze({}) as Record<string, string>,
});

/** The options of one line as sshd parses them, or why sshd refuses the line. */
export type OptionsResult = { ok: true; options: KeyOptions; end: number } | { ok: false; reason: string };

const isBlank = (c: string | undefined) => c === ' ' || c === '\t';

function startsWithCI(s: string, at: number, word: string): boolean {
  if (s.length - at < word.length) return false;
  for (let i = 0; i < word.length; i++) {
    let c = s.charCodeAt(at + i);
    if (c >= 0x41 && c <= 0x5a) c += 0x20;
    if (c !== word.charCodeAt(i)) return false;
  }
  return true;
}

/** opt_dequote: a `"…"` value where only `\"` is an escape; [value, index after the closing quote] or an error. */
function dequote(s: string, at: number): [string, number] | string {
  if (s[at] !== '"') return 'missing start quote';
  let i = at + 1;
  let v = '';
  while (i < s.length && s[i] !== '"') {
    if (s[i] === '\\' && s[i + 1] === '"') i++;
    v += s[i];
    i++;
  }
  if (i >= s.length) return 'missing end quote';
  return [v, i + 1];
}

const FLAGS: readonly [string, boolean, keyof KeyOptions | 'restrict'][] = [
  ['restrict', false, 'restrict'],
  ['cert-authority', false, 'certAuthority'],
  ['port-forwarding', true, 'portForwarding'],
  ['agent-forwarding', true, 'agentForwarding'],
  ['x11-forwarding', true, 'x11Forwarding'],
  ['touch-required', true, 'touchRequired'],
  ['verify-required', true, 'verifyRequired'],
  ['pty', true, 'pty'],
  ['user-rc', true, 'userRc'],
];

/** SSH_AUTHOPT_ENV_MAX */
const MAX_ENVIRONMENT = 1024;
/** NI_MAXHOST */
const MAX_HOST = 1025;
/** SSH_TUNID_MAX */
const MAX_TUNNEL = 0x7fffffff - 2;

/**
 * Parses the options at the start of `s` as sshauthopt_parse does: stops at
 * the first space or tab outside a value. `extra` names (lower case) the
 * caller's own `name="value"` options.
 */
export function parseKeyOptions(s: string, extra: readonly string[] = []): OptionsResult {
  const o: KeyOptions = { restrict: false, certAuthority: false, environment: [], permitOpen: [], permitListen: [], extra: {} };
  let i = 0;
  const fail = (reason: string): OptionsResult => ({ ok: false, reason });
  while (i < s.length && !isBlank(s[i])) {
    let matched = false;
    for (const [name, negatable, field] of FLAGS) {
      let at = i;
      let negate = false;
      if (negatable && startsWithCI(s, at, 'no-')) {
        at += 3;
        negate = true;
      }
      if (!startsWithCI(s, at, name)) continue;
      i = at + name.length;
      matched = true;
      if (field === 'restrict') {
        o.restrict = true;
        o.portForwarding = false;
        o.agentForwarding = false;
        o.x11Forwarding = false;
        o.pty = false;
        o.userRc = false;
      } else (o as unknown as Record<string, boolean>)[field] = !negate;
      break;
    }
    if (!matched) {
      const value = (name: string): string | undefined | false => {
        if (!startsWithCI(s, i, name) || s[i + name.length] !== '=') return undefined;
        const r = dequote(s, i + name.length + 1);
        if (typeof r === 'string') {
          problem = `${name}: ${r}`;
          return false;
        }
        i = r[1];
        return r[0];
      };
      let problem = '';
      let v: string | undefined | false;
      if ((v = value('command')) !== undefined) {
        if (v === false) return fail(problem);
        if (o.command !== undefined) return fail('multiple "command" clauses');
        o.command = v;
      } else if ((v = value('principals')) !== undefined) {
        if (v === false) return fail(problem);
        if (o.principals !== undefined) return fail('multiple "principals" clauses');
        o.principals = v;
      } else if ((v = value('from')) !== undefined) {
        if (v === false) return fail(problem);
        if (o.from !== undefined) return fail('multiple "from" clauses');
        o.from = v;
      } else if ((v = value('expiry-time')) !== undefined) {
        if (v === false) return fail(problem);
        const t = parseAbsoluteTime(v);
        if (t === undefined || t === 0) return fail('invalid expires time');
        if (o.validBefore === undefined || t < o.validBefore) o.validBefore = t;
      } else if ((v = value('environment')) !== undefined) {
        if (v === false) return fail(problem);
        if (o.environment.length > MAX_ENVIRONMENT) return fail('too many environment strings');
        const eq = v.indexOf('=');
        if (eq === -1 || !/^[A-Za-z0-9_]+$/.test(v.slice(0, eq))) return fail('invalid environment string');
        const name = v.slice(0, eq + 1);
        if (!o.environment.some((e) => e.startsWith(name))) o.environment.push(v); // the first one wins
      } else if ((v = value('permitopen')) !== undefined) {
        if (v === false) return fail(problem);
        const bad = permitProblem(v);
        if (bad) return fail(bad);
        o.permitOpen.push(v);
      } else if ((v = value('permitlisten')) !== undefined) {
        if (v === false) return fail(problem);
        const full = v.includes(':') ? v : `*:${v}`;
        const bad = permitProblem(full);
        if (bad) return fail(bad);
        o.permitListen.push(full);
      } else if ((v = value('tunnel')) !== undefined) {
        if (v === false) return fail(problem);
        const t = v.toLowerCase() === 'any' ? 'any' : strtonum(v, 0, MAX_TUNNEL);
        if (t === undefined) return fail('invalid tun device');
        o.tunnel = t;
      } else {
        for (const name of extra) {
          if ((v = value(name)) === undefined) continue;
          if (v === false) return fail(problem);
          if (name in o.extra) return fail(`multiple "${name}" clauses`);
          o.extra[name] = v;
          break;
        }
      }
    }
    if (i >= s.length || isBlank(s[i])) break;
    if (s[i] !== ',') return fail(`unknown key option at ${quoted(s.slice(i, i + 24))}`); // file text: escaped, one line
    i++;
    if (i >= s.length) return fail('unexpected end-of-options');
  }
  return { ok: true, options: o, end: i };
}

/** OpenBSD strtonum over the whole text: optional white space and sign, decimal digits, in [min, max]. */
function strtonum(text: string, min: number, max: number): number | undefined {
  const m = /^[ \t\n\v\f\r]*([+-]?)(\d+)$/.exec(text);
  if (!m) return undefined;
  const digits = (m[2] as string).replace(/^0+(?=\d)/, '');
  if (digits.length > 12) return undefined;
  const n = (m[1] === '-' ? -1 : 1) * Number(digits);
  return n < min || n > max ? undefined : n === 0 ? 0 : n;
}

let services: Set<string> | undefined;
/** TCP service names, as getservbyname(…, "tcp") finds them in /etc/services. */
function isTcpService(name: string): boolean {
  if (!services) {
    services = new Set();
    try {
      for (const line of readFileSync('/etc/services', 'latin1').split('\n')) {
        const words = line.replace(/#.*/, '').trim().split(/[ \t]+/);
        if (words.length < 2 || !/\/tcp$/.test(words[1] as string)) continue;
        services.add(words[0] as string);
        for (const alias of words.slice(2)) services.add(alias);
      }
    } catch {
      // no services database: numeric ports only
    }
  }
  return services.has(name);
}

/** a2port: a number 1..65535, or a TCP service name. */
function portValid(p: string): boolean {
  const n = strtonum(p, 0, 65535);
  if (n !== undefined) return n > 0;
  return isTcpService(p);
}

/** handle_permit's check of `host:port` (`[v6]:port`; `/` also separates); a reason, or undefined when valid. */
function permitProblem(value: string): string | undefined {
  let host: string;
  let rest: string | undefined;
  let s: number;
  if (value.startsWith('[')) {
    const close = value.indexOf(']');
    if (close === -1) return 'invalid permission hostname';
    s = close + 1;
  } else {
    const a = value.search(/[:/]/);
    s = a === -1 ? value.length : a;
  }
  if (s >= value.length) {
    host = value;
    rest = undefined;
  } else if (value[s] === ':' || value[s] === '/') {
    host = value.slice(0, s);
    rest = value.slice(s + 1);
  } else return 'invalid permission hostname';
  if (Buffer.byteLength(host) >= MAX_HOST) return 'invalid permission hostname';
  if (rest === undefined || (rest !== '*' && !portValid(rest))) return 'invalid permission port';
  return undefined;
}

/** glibc strptime's get_number: white space, then up to `n` digits while the value stays ≤ to (as glibc reads). */
function getNumber(s: string, at: number, from: number, to: number, n: number): [number, number] | undefined {
  let i = at;
  while (i < s.length && ' \t\n\v\f\r'.includes(s[i] as string)) i++;
  if (!(s[i]! >= '0' && s[i]! <= '9')) return undefined;
  let val = 0;
  let left = n;
  do {
    val = val * 10 + (s.charCodeAt(i++) - 48);
  } while (--left > 0 && val * 10 <= to && s[i]! >= '0' && s[i]! <= '9');
  if (val < from || val > to) return undefined;
  return [val, i];
}

/**
 * misc.c parse_absolute_time: YYYYMMDD, YYYYMMDDHHMM or YYYYMMDDHHMMSS, local
 * time (mktime with tm_isdst = 0, as sshd) or UTC with a `Z` or `UTC` suffix
 * (any case); Unix seconds, or undefined when sshd would refuse it.
 */
export function parseAbsoluteTime(value: string): number | undefined {
  const s = Buffer.from(value, 'utf8').toString('latin1'); // sshd counts bytes
  let l = s.length;
  let utc = false;
  if (l > 1 && s[l - 1]!.toLowerCase() === 'z') {
    utc = true;
    l--;
  } else if (l > 3 && s.slice(l - 3).toLowerCase() === 'utc') {
    utc = true;
    l -= 3;
  }
  let buf: string;
  if (l === 8) buf = `${s.slice(0, 4)}-${s.slice(4, 6)}-${s.slice(6, 8)}`;
  else if (l === 12) buf = `${s.slice(0, 4)}-${s.slice(4, 6)}-${s.slice(6, 8)}T${s.slice(8, 10)}:${s.slice(10, 12)}`;
  else if (l === 14) buf = `${s.slice(0, 4)}-${s.slice(4, 6)}-${s.slice(6, 8)}T${s.slice(8, 10)}:${s.slice(10, 12)}:${s.slice(12, 14)}`;
  else return undefined;
  // the format: %Y-%m-%d[T%H:%M[:%S]]
  const fmt: (string | [number, number, number])[] = [[0, 9999, 4], '-', [1, 12, 2], '-', [1, 31, 2]];
  if (l >= 12) fmt.push('T', [0, 23, 2], ':', [0, 59, 2]);
  if (l === 14) fmt.push(':', [0, 61, 2]);
  const vals: number[] = [];
  let i = 0;
  for (const f of fmt) {
    if (typeof f === 'string') {
      if (buf[i] !== f) return undefined;
      i++;
      continue;
    }
    const r = getNumber(buf, i, f[0], f[1], f[2]);
    if (!r) return undefined;
    vals.push(r[0]);
    i = r[1];
  }
  if (i !== buf.length) return undefined;
  const [y, mo, d, h = 0, mi = 0, sec = 0] = vals as [number, number, number, number?, number?, number?];
  const asUtc = new Date(0);
  asUtc.setUTCFullYear(y, mo - 1, d);
  asUtc.setUTCHours(h, mi, sec, 0);
  let ms = asUtc.getTime();
  if (!utc) ms += standardOffsetMinutes(y) * 60_000;
  const t = Math.floor(ms / 1000);
  return t < 0 ? undefined : t;
}

/** The local zone's standard (not daylight-saving) offset in a year, in minutes west of UTC, as mktime uses with tm_isdst = 0. */
function standardOffsetMinutes(year: number): number {
  const jan = new Date(0);
  jan.setFullYear(year, 0, 1);
  const jul = new Date(0);
  jul.setFullYear(year, 6, 1);
  return Math.max(jan.getTimezoneOffset(), jul.getTimezoneOffset());
}

/** Why sshd would not accept a plain key from a line with these options at this peer and time; undefined when it would. */
export function plainKeyRefusal(o: KeyOptions, peer: { address?: string | undefined; now: Date }): { code: 'cert-authority' | 'expired' | 'principals' | 'from'; reason: string } | undefined {
  if (o.certAuthority) return { code: 'cert-authority', reason: 'a cert-authority line is for certificates, never a plain key' };
  // !(a >= b): a clock that is not a time (an Invalid Date from the caller) refuses, never lets an expired key in
  if (o.validBefore !== undefined && !(o.validBefore >= Math.floor(peer.now.getTime() / 1000))) {
    return { code: 'expired', reason: `expired at ${new Date(o.validBefore * 1000).toISOString()}` };
  }
  if (o.principals !== undefined) return { code: 'principals', reason: 'principals= on a key that is not a cert-authority' };
  if (o.from !== undefined) {
    if (typeof peer.address !== 'string') return { code: 'from', reason: 'from= and no peer address to check' }; // an array or number from a caller never matches by coercion
    if (!fromAllows(o.from, peer.address)) return { code: 'from', reason: `may not be used from ${peer.address}` };
  }
  return undefined;
}
