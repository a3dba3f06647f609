/**
 * The authorized_keys corpus of the sshd differential test: cases that each
 * use their own key (`{KEY}` is replaced by `ssh-ed25519 AAAA…`), so one
 * file holds them all and every case is decided on its own. Each case gives
 * the line(s) as sshd reads them; `wamp` options are added for the library
 * only (sshd would refuse a line with them).
 *
 * Covered: from= address forms (IPv4 in every inet_aton form, IPv6,
 * IPv4-mapped, scopes), wildcards, negations, CIDR (valid, host bits, /33,
 * /129), empty entries, quoting; expiry-time in local time and UTC (z, Z,
 * UTC), seconds 60/61, invalid dates, duplicates (earliest wins); every
 * option sshd knows, unknown options, duplicates of single-valued options;
 * several lines for one key; BOM, CRLF, control characters, NUL, tabs,
 * comments, base64 oddities.
 */

export interface CorpusCase {
  name: string;
  /** the line(s) sshd reads; {KEY} is the case's key */
  lines: string[];
  /** options the library's copy gets in front (wamp-*), comma-joined with the line's options */
  wamp?: string;
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');
function localDigits(d: Date): string {
  return `${d.getFullYear()}${pad(d.getMonth() + 1)}${pad(d.getDate())}${pad(d.getHours())}${pad(d.getMinutes())}${pad(d.getSeconds())}`;
}
function utcDigits(d: Date): string {
  return `${d.getUTCFullYear()}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}${pad(d.getUTCSeconds())}`;
}

/** from= patterns (each used as from="P" and as from="!P,*") */
const FROM_PATTERNS = [
  // IPv4, every form glibc reads
  '127.0.0.1', '127.1', '127.0.1', '2130706433', '127.0.0.01', '127.000.000.001', '0x7f.1', '0X7F.0.0.1', '0x7f000001', '017700000001',
  '0177.0.0.1', '127.0.0.0x1', '127.0.0.1.', '127.0.0.256', '127.0.0.08', '127.0.0.1a', ' 127.0.0.1', '127.0.0.1 ', '127.0.0.2', '10.0.0.1',
  '0', '4294967296', '127.16777215',
  // IPv6
  '::1', '0:0:0:0:0:0:0:1', '::0:1', '0:0::1', '0000::1', '::0001', '::1%0', '::1%00', '::1%1', '::1%lo', '[::1]', '::1::', ':::1', '::2',
  '::ffff:127.0.0.1', '::FFFF:127.0.0.1', '::ffff:7f00:1', '::127.0.0.1', '::7f00:1', '0:0:0:0:0:0:0:0:1', '::',
  '0000:0000:0000:0000:0000:0000:0000:0001%0000000000000000000000000',
  // wildcards
  '*', '?', '127.*', '127.0.0.?', '127.0.0.*1', '*.*.*.*', '::*', '*:*', '*1', '127.0.0.1*', '*.0.0.1', '::?', '?:?', 'localhost', 'LOCALHOST',
  '127.0.0.[1]', '127.0.0.\\1',
  // CIDR
  '127.0.0.0/8', '127.0.0.1/32', '127.0.0.1/8', '127.0.0.1/33', '127.0.0.0/33', '0.0.0.0/0', '127.0.0.0/ 8', '127.0.0.0/+8', '127.0.0.0/-8',
  '127.0.0.0/08', '127.0.0.0/8x', '127.0.0.0/', '/8', '127.1/32', '127/8', '2130706432/8', '10.0.0.0/8', '127.0.0.0/129', '127.0.0.0/128',
  '128.0.0.0/1', '0.0.0.0/1', '127.0.0.0/0x8', '::1/128', '::/0', '::/1', '::1/127', '::1/129', '::1/64', '::/127', '::ffff:127.0.0.0/104',
  '::ffff:0:0/96', '0::0/0', '::1%0/128', '::1%1/128', '127.0.0.0/8/8', '127.0.0.*/8',
  // lists
  '10.0.0.1,127.0.0.1', '127.0.0.1,::1', '::1,127.0.0.1', '10.0.0.0/8,::1', '10.0.0.1,::2', '*,!10.0.0.1', '127.0.0.1, ::1', '::1, 127.0.0.1',
];

const FROM_WHOLE = [
  // negations, empty entries, quoting: exactly as written
  'from="!127.0.0.1"', 'from="!*"', 'from="!10.0.0.1"', 'from="*,!127.0.0.1"', 'from="*,!::1"', 'from="!127.0.0.1/8,*"', 'from="!127.0.0.1/33,*"',
  'from="!::ffff:127.0.0.1,*"', 'from="127.0.0.1,"', 'from=",127.0.0.1"', 'from="a,,b"', 'from="!"', 'from=""', 'from="127.0.0.1,,::1"',
  'from="*,"', 'from="!,*"', 'from="::1,,127.0.0.1"', 'from="*,,"', 'from=","',
  'from=127.0.0.1', 'from="127.0.0.1', 'from="127.0.0.1\\""', 'from="127.0.0.\\"1"', 'FROM="127.0.0.1"', 'From="::1"', 'from ="127.0.0.1"',
  'from= "127.0.0.1"', 'from="127.0.0.1"x', 'from="127.0.0.1"from="::1"',
  `from="${'x'.repeat(1100)},127.0.0.1"`, `from="127.0.0.1,${'x'.repeat(1100)}"`, `from="!127.0.0.1,${'x'.repeat(1100)}"`, `from="*,${'x'.repeat(1030)}"`,
  // duplicates
  'from="10.0.0.1",from="*"', 'from="*",from="*"', 'from="127.0.0.1",from="::1"', 'from="*",restrict,from="*"',
];

const FLAG_OPTIONS = [
  'restrict', 'cert-authority', 'port-forwarding', 'no-port-forwarding', 'agent-forwarding', 'no-agent-forwarding', 'x11-forwarding',
  'no-x11-forwarding', 'touch-required', 'no-touch-required', 'verify-required', 'no-verify-required', 'pty', 'no-pty', 'user-rc', 'no-user-rc',
  'no-restrict', 'no-cert-authority', 'NO-PTY', 'Restrict', 'ptyx', 'pty=', 'pty=""', 'no-', 'no', ',pty', 'pty,,no-pty', 'pty,', 'restrict,pty',
  'cert-authority,restrict', 'foo', 'foo="bar"', 'no-foo', 'x-wamp="1"', 'permit-pty', 'no-pty,no-pty', 'restrict,restrict', ',', ',,',
  'pty,"', 'no-pty\t', 'no-pty,\t',
];

const VALUE_OPTIONS = [
  'command="true"', 'command="echo \\"hi there\\""', 'command="x",command="y"', 'command=""', 'command="a\\\\"', 'COMMAND="true"',
  'principals="root"', 'principals="a",principals="b"', 'principals=""',
  'environment="A=b"', 'environment="A"', 'environment="1A=b"', 'environment="_A=b"', 'environment="A-B=c"', 'environment="=b"',
  'environment="A=b",environment="A=c"', 'environment="A=b",environment="B=c"',
  'permitopen="host:22"', 'permitopen="bad"', 'permitopen="*:*"', 'permitopen="host:*"', 'permitopen="host:0"', 'permitopen="[::1]:22"',
  'permitopen="host:22",permitopen="other:80"', 'permitlisten="8080"', 'permitlisten="localhost:8080"', 'permitlisten="*"', 'permitlisten="x"',
  'tunnel="1"', 'tunnel="any"', 'tunnel="x"', 'tunnel="0"', 'tunnel=""', 'tunnel="1",tunnel="2"',
];

export function corpusCases(now: Date): CorpusCase[] {
  const cases: CorpusCase[] = [];
  const add = (name: string, lines: string[], wamp?: string) => cases.push({ name, lines, ...(wamp ? { wamp } : {}) });
  const opt = (options: string) => (options === '' ? '{KEY}' : `${options} {KEY}`);

  for (const p of FROM_PATTERNS) {
    add(`from "${p}"`, [opt(`from="${p}"`)]);
    add(`from "!${p},*"`, [opt(`from="!${p},*"`)]);
  }
  for (const o of FROM_WHOLE) add(o.length > 80 ? `${o.slice(0, 60)}…` : o, [opt(o)]);

  // expiry-time
  const h = 3600_000;
  const expiries = [
    '20000101', '20991231', '200001010000', '209912312359', '20000101000000', '20991231235959', '20991231Z', '20991231z', '20991231UTC',
    '20991231utc', '20000101Z', '20000101UTC', '20991231235960', '20991231235961', '20991231235962', '20991231236000', '20991231240000',
    '20991331', '20990001', '20990100', '20990132', '20990230', '2099123', '209912311', '2099123123', '20991231235', '209912312359599',
    '2099-1-31', '2099 101', '20991231 ', ' 20991231', '2099123a', 'Z', 'UTC', '20991231ZZ', '20991231GMT', '19700101Z', '19700101000001Z',
    '19691231', '09991231', '+2099123', '', '20991231\\"', '20000101Zulu', '20380119031408Z', '20380119031408', '99991231235959Z',
  ];
  for (const e of expiries) add(`expiry-time "${e}"`, [opt(`expiry-time="${e}"`)]);
  // near now: local time and UTC read differently (the test runs sshd and itself in a zone 5:30 off UTC)
  for (const delta of [-4 * h, -2 * h, 2 * h, 4 * h]) {
    const d = new Date(now.getTime() + delta);
    add(`expiry-time local ${delta / h}h`, [opt(`expiry-time="${localDigits(d)}"`)]);
    add(`expiry-time UTC Z ${delta / h}h`, [opt(`expiry-time="${utcDigits(d)}Z"`)]);
    add(`expiry-time UTC ${delta / h}h`, [opt(`expiry-time="${utcDigits(d)}UTC"`)]);
    add(`expiry-time local HHMM ${delta / h}h`, [opt(`expiry-time="${localDigits(d).slice(0, 12)}"`)]);
    add(`expiry-time UTC as local ${delta / h}h`, [opt(`expiry-time="${utcDigits(d)}"`)]);
  }
  add('expiry-time duplicates: earliest wins (past first)', [opt('expiry-time="20000101",expiry-time="20990101"')]);
  add('expiry-time duplicates: earliest wins (past last)', [opt('expiry-time="20990101",expiry-time="20000101"')]);
  add('expiry-time duplicates: both future', [opt('expiry-time="20990101",expiry-time="20980101"')]);
  add('expiry-time duplicate invalid', [opt('expiry-time="20990101",expiry-time="2099"')]);
  add('expiry-time unquoted', [opt('expiry-time=20990101')]);
  add('expiry-time with from', [opt('expiry-time="20990101",from="127.0.0.1"')]);

  for (const f of FLAG_OPTIONS) add(`option ${f}`, [opt(f)]);
  for (const v of VALUE_OPTIONS) add(`option ${v}`, [opt(v)]);

  // line shapes
  add('plain key', ['{KEY}']);
  add('plain key with comment', ['{KEY} alice@example']);
  add('leading spaces and tabs', [' \t {KEY} c']);
  add('tab between type and base64', ['{KEY_TYPE}\t{KEY_B64} c']);
  add('spaces between type and base64', ['{KEY_TYPE}    {KEY_B64}']);
  add('vertical tab between type and base64', ['{KEY_TYPE}\v{KEY_B64}']);
  add('form feed between type and base64', ['{KEY_TYPE}\f{KEY_B64}']);
  add('CR at the end (CRLF line)', ['{KEY} crlf\r']);
  add('CR right after the key', ['{KEY}\r']);
  add('CR inside the comment', ['{KEY} a\rb']);
  add('CRLF with options', ['from="127.0.0.1" {KEY}\r']);
  add('BOM before the key', ['\uFEFF{KEY}']);
  add('BOM and a space before the key', ['\uFEFF {KEY}']);
  add('BOM before options', ['\uFEFFrestrict {KEY}']);
  add('comment with escape characters', ['{KEY} \x1b[31mred\x1b[0m\x07']);
  add('NUL in the comment', ['{KEY} a\0b']);
  add('NUL right after the key', ['{KEY}\0junk']);
  add('NUL inside an option value', ['from="10.0.0.1\0" {KEY}']);
  add('control character in from', ['from="127.0.0.1\x01" {KEY}']);
  add('uppercase key type', ['{KEY_TYPE_UPPER} {KEY_B64}']);
  add('short key type ED25519', ['ED25519 {KEY_B64}']);
  add('short key type ed25519', ['ed25519 {KEY_B64} c']);
  add('short key type Ed25519 after options', ['from="127.0.0.1" Ed25519 {KEY_B64}']);
  add('security-key type with a plain key', ['sk-ssh-ed25519@openssh.com {KEY_B64}']);
  add('certificate type with a plain key', ['ssh-ed25519-cert-v01@openssh.com {KEY_B64}']);
  add('cert-authority with principals', ['cert-authority,principals="root" {KEY}']);
  add('principals then cert-authority', ['principals="root",cert-authority {KEY}']);
  add('wrong key type', ['ssh-rsa {KEY_B64}']);
  add('unknown key type', ['ssh-foo {KEY_B64}']);
  add('base64 with = appended', ['{KEY}=']);
  add('base64 with junk appended', ['{KEY}x']);
  add('base64 with a character missing', ['{KEY_SHORT}']);
  add('commented out', ['#{KEY}']);
  add('commented out after spaces', ['   # {KEY}']);
  add('options then two spaces', ['restrict  {KEY}']);
  add('options then a tab', ['restrict\t{KEY}']);
  add('type only', ['{KEY_TYPE}']);
  add('quoted value with a space', ['command="echo hi there" {KEY}']);
  add('quote in the middle of an option name', ['res"tri"ct {KEY}']);
  add('options look like a key type', ['ssh-ed25519-cert-v01@openssh.com {KEY}']);
  add('a key in the comment of another line (not this key)', ['{OTHER} {KEY}']);
  add('long comment', [`{KEY} ${'c'.repeat(10000)}`]);
  add('escaped quote outside quotes', ['restrict\\" {KEY}']);

  // several lines for one key: sshd takes the first line that passes
  add('refused line, then a plain line', ['from="10.0.0.1" {KEY}', '{KEY}']);
  add('bad options, then a plain line', ['from="10.0.0.1",from="*" {KEY}', '{KEY}']);
  add('cert-authority, then a plain line', ['cert-authority {KEY}', '{KEY}']);
  add('expired, then valid', ['expiry-time="20000101" {KEY}', 'expiry-time="20990101" {KEY}']);
  add('unknown option, then from', ['foo {KEY}', 'from="127.0.0.1" {KEY}']);
  add('two refused lines', ['from="10.0.0.1" {KEY}', 'expiry-time="20000101" {KEY}']);
  add('the same line twice', ['from="::1" {KEY}', 'from="::1" {KEY}']);
  add('v4 line and v6 line', ['from="127.0.0.1" {KEY}', 'from="::1" {KEY}']);
  add('invalid list, then valid', ['from="127.0.0.1," {KEY}', 'from="127.0.0.1" {KEY}']);
  add('negation, then plain', ['from="!127.0.0.1,*" {KEY}', '{KEY}']);

  // the library's own options: sshd sees the line without them
  add('wamp-authid alone', ['{KEY}'], 'wamp-authid="alice"');
  add('wamp-authid with from', ['from="127.0.0.1" {KEY}'], 'wamp-authid="alice"');
  add('wamp-role with a negation', ['from="!::1,*" {KEY}'], 'wamp-role="user"');
  add('wamp-realm with expiry', ['expiry-time="20000101" {KEY}'], 'wamp-realm="realm1"');
  add('wamp-* with a bad option', ['from="127.0.0.1",from="*" {KEY}'], 'wamp-authid="bob",wamp-role="r"');
  add('wamp-* with restrict', ['restrict {KEY}'], 'wamp-authid="carol",wamp-realm="realm1",wamp-role="admin"');
  add('wamp-authid with cert-authority', ['cert-authority {KEY}'], 'wamp-authid="dave"');
  add('wamp-authid with a valid CIDR', ['from="127.0.0.0/8,::1/128" {KEY}'], 'wamp-authid="erin"');
  add('wamp-authid with an invalid CIDR', ['from="127.0.0.1/8" {KEY}'], 'wamp-authid="frank"');
  return cases;
}
