/**
 * OpenSSH's pattern and address matching (lib/ssh/match.ts): wildcard
 * patterns and `!` lists as match.c answers, address lists as addrmatch.c
 * answers, and address forms exactly as glibc's getaddrinfo(AI_NUMERICHOST)
 * reads them (checked against the real glibc through /usr/bin/python3; the
 * whole `from=` rule is checked against a real sshd in sshd-differential).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { test } from 'node:test';
import { addrMatchList, formatAddress, fromAllows, matchHostAndIp, matchPattern, matchPatternList, parseNumericAddress } from '../lib/ssh/match.js';

test('matchPattern: * and ?, case-sensitive, byte-wise', () => {
  assert.equal(matchPattern('127.0.0.1', '127.0.0.*'), true);
  assert.equal(matchPattern('127.0.0.1', '127.?.0.1'), true);
  assert.equal(matchPattern('127.0.0.1', '127.?.0.?1'), false);
  assert.equal(matchPattern('', '*'), true);
  assert.equal(matchPattern('', ''), true);
  assert.equal(matchPattern('a', ''), false);
  assert.equal(matchPattern('Host', 'host'), false);
  assert.equal(matchPattern('aXbXc', '*X*X*'), true);
  assert.equal(matchPattern('é', '??'), true, '? is one byte, as in C');
  assert.equal(matchPattern('a'.repeat(5000), `${'*a'.repeat(50)}b`), false, 'no exponential backtracking');
});

test('matchPatternList: negation wins, 1/-1/0, lower-casing the patterns only, the 1023-byte sub-pattern limit', () => {
  assert.equal(matchPatternList('alice', 'bob,alice', false), 1);
  assert.equal(matchPatternList('alice', '!alice,*', false), -1);
  assert.equal(matchPatternList('alice', '*,!alice', false), -1);
  assert.equal(matchPatternList('alice', 'bob', false), 0);
  assert.equal(matchPatternList('alice', 'ALICE', true), 1);
  assert.equal(matchPatternList('ALICE', 'alice', true), 0);
  assert.equal(matchPatternList('alice', 'alice,', false), 1);
  assert.equal(matchPatternList('', '!', false), -1, 'an empty negated pattern matches the empty string');
  assert.equal(matchPatternList('alice', `alice,${'x'.repeat(1023)}`, false), 0, 'a sub-pattern of 1023 bytes ends the list as no match');
  assert.equal(matchPatternList('alice', `alice,${'x'.repeat(1022)}`, false), 1);
});

test('address forms: exactly what glibc getaddrinfo(AI_NUMERICHOST) accepts', () => {
  const forms = [
    '127.1', '2130706433', '127.0.0.01', '127.000.000.001', '0x7f.1', '0X7F.1', '0x7f000001', '017700000001', '127.0.0.1.',
    '127.0.0.1 ', ' 127.0.0.1', '127.0.0.256', '127.0.0.1a', '1.2.3.4.5', '0:0:0:0:0:0:0:1', '::0:1', '0:0::1', '::ffff:127.0.0.1',
    '::127.0.0.1', '::1%1', '::1%0', '::1%00', '::1%4294967296', '127.0.0.1%0', '', '0x', '08', '127.0.0.08', '127.0.0.0x1',
    '4294967296', '1.16777216', '127.16777215', '::FFFF:7f00:1', '[::1]', '+1', '0', '00', '0x.1', '1.0x', '00x1',
    '0x0000000001', '0000000000000000000000001', '1..2', '.1', '0xffffffff', '037777777777', '040000000000', '1.0xffffff',
    '1.0x1000000', '255.255.65535', '256.1', '0377.1', '0400.1', '1e1', ':::1', '::1::', '1::2::3', '::ffff:1.2.3',
    '::ffff:0x7f.1', '::ffff:01.2.3.4', '0:0:0:0:0:0:0:0:1', '00000::1', '0000::1', '::1:', '1:2:3:4:5:6:7::', '::', '1::',
    '1:2:3:4:5:6::7:8', '::1:2:3:4:5:6:7', '1:2:3:4:5:6:1.2.3.4', '1:2:3:4:5:6:7:1.2.3.4', '::0.0.0.1', 'fe80::', '0:0:1:0:0:0:1:0',
  ];
  const py = [
    'import socket,sys,json',
    'out=[]',
    'for f in json.load(sys.stdin):',
    '  try:',
    '    r=socket.getaddrinfo(f,None,0,socket.SOCK_DGRAM,0,socket.AI_NUMERICHOST)[0]',
    '    out.append([4 if r[0]==socket.AF_INET else 6, r[4][0], r[4][3] if len(r[4])>3 else 0])',
    '  except (socket.gaierror, UnicodeError): out.append(None)',
    'print(json.dumps(out))',
  ].join('\n');
  const glibc = JSON.parse(execFileSync('/usr/bin/python3', ['-c', py], { input: JSON.stringify(forms) }).toString()) as unknown[];
  forms.forEach((form, i) => {
    const a = parseNumericAddress(form);
    assert.deepEqual(a ? [a.family, formatAddress(a), a.scopeId] : null, glibc[i], `form ${JSON.stringify(form)}`);
  });
});

test('addrMatchList: CIDR, negation in any numeric form, and invalid lists (-2)', () => {
  assert.equal(addrMatchList('127.0.0.1', '127.0.0.0/8'), 1);
  assert.equal(addrMatchList('127.0.0.1', '!127.1,*'), -1);
  assert.equal(addrMatchList('127.0.0.1', '!2130706433,*'), -1);
  assert.equal(addrMatchList('127.0.0.1', '!127.0.0.01,*'), -1);
  assert.equal(addrMatchList('::1', '!0:0::1,*'), -1);
  assert.equal(addrMatchList('127.0.0.1', '127.0.0.1/8'), -2, 'host bits set');
  assert.equal(addrMatchList('127.0.0.1', '127.0.0.1/33'), -2, 'too long for IPv4');
  assert.equal(addrMatchList('127.0.0.1', '127.0.0.1/129'), 0, 'not a CIDR at all: a wildcard that does not match');
  assert.equal(addrMatchList('127.0.0.1', '127.0.0.1,'), -2);
  assert.equal(addrMatchList('127.0.0.1', ',127.0.0.1'), -2);
  assert.equal(addrMatchList('127.0.0.1', 'a,,b'), -2);
  assert.equal(addrMatchList('127.0.0.1', '!'), -2);
  assert.equal(addrMatchList('127.0.0.1', '::ffff:127.0.0.1'), 0, 'a mapped pattern is IPv6');
  assert.equal(addrMatchList('::1', '::1%1'), 0, 'another scope');
  assert.equal(addrMatchList('::1', '::1%0'), 1);
  assert.equal(addrMatchList('10.1.2.3', '10.0.0.0/ 8'), 0, 'a prefix length starts with a digit (else: a wildcard)');
  assert.equal(addrMatchList('10.1.2.3', '10.0.0.0/08'), 1);
});

test('matchHostAndIp and fromAllows: sshd from= answers', () => {
  assert.equal(matchHostAndIp('127.0.0.1', '127.0.0.1', '127.0.0.*'), 1);
  assert.equal(matchHostAndIp('127.0.0.1', '127.0.0.1', '!127.0.0.*,*'), 0);
  assert.equal(matchHostAndIp('127.0.0.1', '127.0.0.1', '127.0.0.1,,'), -1);
  assert.equal(fromAllows('127.0.0.1', '::ffff:127.0.0.1'), true, 'a mapped peer is its IPv4 address');
  assert.equal(fromAllows('::1', '0:0::1'), true, 'the peer text is made canonical first');
  assert.equal(fromAllows('*', 'not-an-address'), false);
  assert.equal(fromAllows('10.0.0.1,from-anywhere', '127.0.0.1'), false);
});
