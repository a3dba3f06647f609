/**
 * The CLI: outputs, exit codes, and one-line errors without secrets. Run
 * in-process through main(argv, io) (runMain); the last tests run the real
 * process for what only a process shows: exit status, piped stdin, no terminal.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, test } from 'node:test';
import { fromSeed, signChallenge, verifyChallengeSignature } from '../lib/index.js';
import { startThrowawayAgent, type ThrowawayAgent } from '../lib/testing.js';
import { Readable } from 'node:stream';
import { assertFailure, runCli as runProcess, runMain as runCli } from './helpers/cli.js';
import { readStdinValue } from '../bin/read-stdin.js';
import type { CliIo } from '../bin/cli-io.js';
import { ROOT, fixture, fixtureCopy, tempDir } from './helpers/paths.js';

const RFC_SEED = '9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60';
const RFC_PUB = 'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a';
const PASSPHRASE = 'correct horse battery staple';
const CHALLENGE = '3c'.repeat(32);
const CHANNEL = 'e1'.repeat(32);
let agent: ThrowawayAgent;
const tmp = tempDir();
let agentEnv: NodeJS.ProcessEnv;
const noAgentEnv = { ...process.env };
delete noAgentEnv.SSH_AUTH_SOCK;

before(async () => {
  agent = await startThrowawayAgent();
  await agent.makeKey('cli_ed25519', { comment: 'cli@example' });
  await agent.makeKey('cli_rsa', { type: 'rsa', comment: 'cli-rsa@example' });
  agentEnv = agent.env;
});
after(async () => {
  await agent.stop();
  tmp.cleanup();
});

test('--help on every command exits 0 and documents it; no command is bad usage', async () => {
  for (const cmd of ['list', 'sign', 'pubkey', 'verify', 'verify-router', 'demo']) {
    for (const flag of ['--help', '-h']) {
      const r = await runCli([cmd, flag]);
      assert.equal(r.code, 0);
      assert.match(r.stdout, new RegExp(`^Usage: cryptosign-keys ${cmd}`));
      assert.equal(r.stderr, '');
    }
  }
  const main = await runCli(['--help']);
  assert.equal(main.code, 0);
  assert.match(main.stdout, /Commands:\n\s+list/);
  assert.equal((await runCli(['help', 'sign'])).stdout.startsWith('Usage: cryptosign-keys sign'), true);
  const none = await runCli([]);
  assert.equal(none.code, 2);
  assert.equal(none.stdout, '');
  assert.match(none.stderr, /^cryptosign-keys \S+: Ed25519 keys/);
  assert.match((await runCli(['--version'])).stdout, /^\d+\.\d+\.\d+\n$/);
});

test('bad usage exits 2 with one line and a hint', async () => {
  assertFailure(await runCli(['frobnicate']), 2, /unknown command "frobnicate"\nTry 'cryptosign-keys --help'/);
  assertFailure(await runCli(['sign', '--bogus']), 2, /unknown option '--bogus'\nTry 'cryptosign-keys sign --help'/);
  assertFailure(await runCli(['sign'], { stdin: CHALLENGE }), 2, /choose a key: --agent, --key FILE or --seed-file FILE/);
  assertFailure(await runCli(['sign', '--key', 'a', '--seed-file', 'b']), 2, /choose one key option, not --key and --seed-file/);
  assertFailure(await runCli(['sign', '--seed-file', 'x', '--passphrase-file', 'p']), 2, /--passphrase-file goes with --key/);
  assertFailure(await runCli(['sign', '--seed-file', 'x', '--socket', 's']), 2, /--socket and --timeout go with --agent/);
  assertFailure(await runCli(['list', '--timeout', 'soon']), 2, /--timeout takes a whole number/);
  assertFailure(await runCli(['sign', '--seed-file']), 2, /argument missing/);
  assertFailure(await runCli(['verify', '--pubkey', RFC_PUB]), 2, /--challenge HEX/);
  assertFailure(await runCli(['verify', '--challenge', CHALLENGE]), 2, /--pubkey HEX or --authorized-keys FILE/);
  assertFailure(await runCli(['list', '--json', '-L']), 2, /choose --json or -L, not both/);
  assertFailure(await runCli(['list', 'extra']), 2, /Unexpected argument 'extra'|unexpected argument/i);
});

test('sign with a seed file, a key file, an encrypted key file, and an agent key: the library\'s exact output', async () => {
  const seedFile = fixtureCopy(tmp.dir, 'seed.hex');
  const r1 = await runCli(['sign', '--seed-file', seedFile], { stdin: CHALLENGE + '\n' });
  assert.equal(r1.code, 0, r1.stderr);
  assert.equal(r1.stdout, (await signChallenge(fromSeed(RFC_SEED), CHALLENGE)) + '\n');
  assert.equal(r1.stderr, '');
  const bound = await runCli(['sign', '--seed-file', seedFile, '--channel-id', CHANNEL], { stdin: CHALLENGE });
  assert.equal(bound.stdout, (await signChallenge(fromSeed(RFC_SEED), CHALLENGE, { channelId: CHANNEL })) + '\n');

  const keyFile = fixtureCopy(tmp.dir, 'ed25519');
  const pub = (await runCli(['pubkey', '--key', keyFile])).stdout.trim();
  const r2 = await runCli(['sign', '--key', keyFile], { stdin: `  ${CHALLENGE}  \r\n` });
  assert.equal(r2.code, 0, r2.stderr);
  assert.ok(verifyChallengeSignature(pub, CHALLENGE, r2.stdout.trim()));

  const enc = fixtureCopy(tmp.dir, 'ed25519-encrypted');
  const passFile = fixtureCopy(tmp.dir, 'ed25519-encrypted.passphrase');
  const r3 = await runCli(['sign', '--key', enc, '--passphrase-file', passFile], { stdin: CHALLENGE });
  assert.equal(r3.code, 0, r3.stderr);
  const encPub = (await runCli(['pubkey', '--key', enc, '--passphrase-file', passFile])).stdout.trim();
  assert.ok(verifyChallengeSignature(encPub, CHALLENGE, r3.stdout.trim()));

  const r4 = await runCli(['sign', '--agent'], { stdin: CHALLENGE, env: agentEnv });
  assert.equal(r4.code, 0, r4.stderr);
  const agentPub = (await runCli(['pubkey', '--agent', 'cli@example'], { env: agentEnv })).stdout.trim();
  assert.ok(verifyChallengeSignature(agentPub, CHALLENGE, r4.stdout.trim()));
  const r5 = await runCli(['sign', '--agent', 'cli@example', '--socket', agent.socketPath], { stdin: CHALLENGE, env: noAgentEnv });
  assert.equal(r5.stdout, r4.stdout, 'same key through --socket, same deterministic signature');
  const r6 = await runCli(['sign', `--agent=${agentPub}`, '--channel-id', CHANNEL], { stdin: CHALLENGE, env: agentEnv });
  assert.ok(verifyChallengeSignature(agentPub, CHALLENGE, r6.stdout.trim(), { channelId: CHANNEL }));
});

test('sign: every bad input fails with exit 1, one line, nothing on stdout, no secret', async () => {
  const seedFile = fixtureCopy(tmp.dir, 'seed.hex');
  const secrets = [RFC_SEED, PASSPHRASE];
  const cases: [string[], string | undefined, RegExp, NodeJS.ProcessEnv?][] = [
    [['sign', '--seed-file', seedFile], '', /no challenge on stdin/],
    [['sign', '--seed-file', seedFile], 'abc', /challenge has an odd number of hex digits \(3\) \[INVALID_CHALLENGE\]/],
    [['sign', '--seed-file', seedFile], '3c'.repeat(31), /challenge must be 32 bytes \(64 hex digits\), got 62/],
    [['sign', '--seed-file', seedFile], '3c'.repeat(40), /got 80/],
    [['sign', '--seed-file', seedFile], 'zz'.repeat(32), /challenge is not hex/],
    [['sign', '--seed-file', seedFile], `${CHALLENGE}\n${CHALLENGE}`, /stdin holds 2 lines/],
    [['sign', '--seed-file', seedFile], 'a'.repeat(70000), /more than 65536 bytes/],
    [['sign', '--seed-file', seedFile, '--channel-id', 'e1'], CHALLENGE, /channel id must be 32 bytes .*\[INVALID_CHANNEL_ID\]/],
    [['sign', '--seed-file', join(tmp.dir, 'nope')], CHALLENGE, /seed file .* does not exist \[KEY_FILE_NOT_FOUND\]/],
    [['sign', '--seed-file', fixtureCopy(tmp.dir, 'seed.hex', 0o644)], CHALLENGE, /permissions 0644 .* too open.*\[KEY_FILE_PERMISSIONS\]/],
    [['sign', '--key', fixtureCopy(tmp.dir, 'rsa')], CHALLENGE, /key of type RSA; cryptosign needs an Ed25519 key .*\[KEY_NOT_ED25519\]/],
    [['sign', '--key', fixtureCopy(tmp.dir, 'ed25519.pub')], CHALLENGE, /is a public key/],
    [['sign', '--key', fixtureCopy(tmp.dir, 'ed25519-encrypted'), '--passphrase-file', fixtureCopy(tmp.dir, 'ed25519-pkcs8-encrypted.passphrase')], CHALLENGE, /wrong passphrase .* \[PASSPHRASE_WRONG\]/],
    [['sign', '--key', fixtureCopy(tmp.dir, 'ed25519-encrypted'), '--passphrase-file', fixtureCopy(tmp.dir, 'ed25519-encrypted.passphrase', 0o644)], CHALLENGE, /passphrase file .* too open/],
    [['sign', '--agent', 'nobody@example'], CHALLENGE, /no key in ssh-agent matches "nobody@example" .*\[AGENT_KEY_NOT_FOUND\]/],
    [['sign', '--agent', 'cli-rsa@example'], CHALLENGE, /cryptosign needs an Ed25519 key \[AGENT_KEY_NOT_ED25519\]/],
  ];
  for (const [args, stdin, pattern, env] of cases) {
    const r = await runCli(args, { stdin: stdin ?? '', env: env ?? agentEnv });
    assertFailure(r, 1, pattern, secrets);
  }
});

test('list: ssh-add -l lines plus the public key hex; -L as ssh-add -L; --json; empty agent', async () => {
  const r = await runCli(['list'], { env: agentEnv });
  assert.equal(r.code, 0, r.stderr);
  const sshAdd = (await agent.sshAdd('-l')).trimEnd().split('\n');
  const lines = r.stdout.trimEnd().split('\n');
  assert.equal(lines.length, 2);
  assert.match(lines[0] as string, new RegExp(`^${escape(sshAdd[0] as string)} [0-9a-f]{64}$`));
  assert.equal(lines[1], sshAdd[1], 'a non-Ed25519 key gets no hex');
  const big = await runCli(['list', '-L'], { env: agentEnv });
  assert.equal(big.stdout, await agent.sshAdd('-L'));
  const json = JSON.parse((await runCli(['list', '--json', '--socket', agent.socketPath], { env: noAgentEnv })).stdout) as {
    usable: boolean;
    comment: string;
    publicKeyHex?: string;
    reason?: string;
  }[];
  assert.deepEqual(json.map((k) => [k.comment, k.usable]), [
    ['cli@example', true],
    ['cli-rsa@example', false],
  ]);
  assert.equal(json[0]?.publicKeyHex, lines[0]?.split(' ').at(-1));
  assert.equal(json[1]?.reason, 'not Ed25519');
  const empty = await startThrowawayAgent();
  try {
    assertFailure(await runCli(['list'], { env: empty.env }), 1, /^cryptosign-keys: The agent has no identities \(if it is locked, `ssh-add -X` unlocks it\)\. \[AGENT_KEY_NOT_FOUND\]\n$/);
    const ej = await runCli(['list', '--json'], { env: empty.env });
    assert.equal(ej.code, 0);
    assert.deepEqual(JSON.parse(ej.stdout), []);
  } finally {
    await empty.stop();
  }
});

test('pubkey prints hex, or an authorized_keys line with --ssh', async () => {
  const seedFile = fixtureCopy(tmp.dir, 'seed.hex');
  assert.equal((await runCli(['pubkey', '--seed-file', seedFile])).stdout, RFC_PUB + '\n');
  const line = (await runCli(['pubkey', '--ssh', '--key', fixtureCopy(tmp.dir, 'ed25519')])).stdout;
  assert.equal(line, readFileSync(fixture('ed25519.pub'), 'utf8'));
});

test('verify: ok with the principal, failure exit 1, bad signature input', async () => {
  const sig = await signChallenge(fromSeed(RFC_SEED), CHALLENGE);
  const list = join(tmp.dir, 'authorized');
  writeFileSync(list, readFileSync(fixture('authorized_keys')));
  const ok1 = await runCli(['verify', '--pubkey', RFC_PUB, '--challenge', CHALLENGE], { stdin: sig });
  assert.deepEqual([ok1.code, ok1.stdout], [0, `ok ${RFC_PUB}\n`]);
  const ok2 = await runCli(['verify', '--authorized-keys', list, '--challenge', CHALLENGE], { stdin: sig });
  assert.deepEqual([ok2.code, ok2.stdout], [0, 'ok rfc8032-test1\n']);
  const ok3 = await runCli(['verify', '--authorized-keys', list, '--pubkey', RFC_PUB, '--challenge', CHALLENGE], { stdin: sig });
  assert.equal(ok3.stdout, 'ok rfc8032-test1\n');
  const bound = await signChallenge(fromSeed(RFC_SEED), CHALLENGE, { channelId: CHANNEL });
  const ok4 = await runCli(['verify', '--pubkey', RFC_PUB, '--challenge', CHALLENGE, '--channel-id', CHANNEL], { stdin: bound });
  assert.equal(ok4.code, 0);
  assertFailure(await runCli(['verify', '--pubkey', RFC_PUB, '--challenge', CHALLENGE], { stdin: bound }), 1, /does not verify for this key.* \[AUTH_SIGNATURE_WRONG\]\n$/);
  assertFailure(await runCli(['verify', '--authorized-keys', list, '--challenge', '00'.repeat(32)], { stdin: sig }), 1, /does not verify for any of the 3 keys.* \[AUTH_SIGNATURE_WRONG\]\n$/);
  assertFailure(await runCli(['verify', '--authorized-keys', list, '--pubkey', '3b'.repeat(32), '--challenge', CHALLENGE], { stdin: sig }), 1, /is not in the list \[AUTH_UNKNOWN_KEY\]/);
  assertFailure(await runCli(['verify', '--authorized-keys', list, '--pubkey', RFC_PUB, '--challenge', '00'.repeat(32)], { stdin: sig }), 1, /not this challenge.* \[AUTH_CHALLENGE_MISMATCH\]/);
  assertFailure(await runCli(['verify', '--authorized-keys', list, '--pubkey', RFC_PUB, '--authid', 'mallory', '--challenge', CHALLENGE], { stdin: sig }), 1, /not listed for authid "mallory" \[AUTH_AUTHID_MISMATCH\]/);
  // a forged signature for the identity key: [s]B as R, any s
  const identity = '01' + '00'.repeat(31);
  const forged = '5866666666666666666666666666666666666666666666666666666666666666' + '01' + '00'.repeat(31) + CHALLENGE;
  assertFailure(await runCli(['verify', '--pubkey', identity, '--challenge', CHALLENGE], { stdin: forged }), 1, /small order.* \[INVALID_PUBLIC_KEY\]/);
  assertFailure(await runCli(['verify', '--pubkey', RFC_PUB, '--challenge', CHALLENGE], { stdin: sig + '\n' + sig }), 1, /2 lines; expected one signature in hex \[INVALID_SIGNATURE\]/);
  assertFailure(await runCli(['verify', '--pubkey', RFC_PUB, '--challenge', CHALLENGE], { stdin: '' }), 1, /no signature on stdin.* \[INVALID_SIGNATURE\]/);
  const expiring = join(tmp.dir, 'expiring');
  writeFileSync(expiring, `expiry-time="20200101Z" ${RFC_PUB} old-alice\nfrom="10.0.0.0/8" ${RFC_PUB} net-alice\n`);
  assertFailure(await runCli(['verify', '--authorized-keys', expiring, '--authid', 'old-alice', '--challenge', CHALLENGE], { stdin: sig }), 1, /expired at 2020-01-01T00:00:00\.000Z \[AUTH_KEY_EXPIRED\]/);
  assertFailure(await runCli(['verify', '--authorized-keys', expiring, '--authid', 'net-alice', '--peer-address', '192.168.1.2', '--challenge', CHALLENGE], { stdin: sig }), 1, /may not be used from 192\.168\.1\.2 \[AUTH_ADDRESS_REFUSED\]/);
  const net = await runCli(['verify', '--authorized-keys', expiring, '--authid', 'net-alice', '--peer-address', '10.1.2.3', '--challenge', CHALLENGE], { stdin: sig });
  assert.deepEqual([net.code, net.stdout], [0, 'ok net-alice\n']);
  assertFailure(await runCli(['verify', '--pubkey', RFC_PUB, '--challenge', CHALLENGE], { stdin: sig.slice(0, 128) }), 1, /INVALID_SIGNATURE/);
  assertFailure(await runCli(['verify', '--pubkey', RFC_PUB.slice(1), '--challenge', CHALLENGE], { stdin: sig }), 1, /INVALID_PUBLIC_KEY/);
  assertFailure(await runCli(['verify', '--authorized-keys', join(tmp.dir, 'none'), '--challenge', CHALLENGE], { stdin: sig }), 1, /does not exist/);
  const broken = join(tmp.dir, 'broken');
  writeFileSync(broken, 'ssh-ed25519 !!! x\n');
  // a bad line is skipped as sshd skips it; a file with nothing usable says why
  assertFailure(await runCli(['verify', '--authorized-keys', broken, '--challenge', CHALLENGE], { stdin: sig }), 1, /lists no Ed25519 key \(line 1 skipped: the ssh-ed25519 key is not base64\) \[AUTH_UNKNOWN_KEY\]/);
});

test('demo runs the whole flow on a throwaway agent and cleans up; also with a given key', async () => {
  const r = await runCli(['demo'], { env: noAgentEnv });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /2\. The keys in the agent.*\n\s+256 SHA256:\S+ cryptosign-keys demo \(ED25519\) [0-9a-f]{64}\n/);
  assert.match(r.stdout, /AUTHENTICATE signature \(192 hex digits/);
  assert.match(r.stdout, /ok, authenticated as principal "demo-user"/);
  assert.match(r.stdout, /A tampered signature is refused: yes/);
  const socket = /agent socket: (\S+)/.exec(r.stdout)?.[1] as string;
  assert.throws(() => readFileSync(socket), /ENOENT/, 'the throwaway agent and its directory are gone');
  const withSeed = await runCli(['demo', '--seed-file', fixtureCopy(tmp.dir, 'seed.hex')]);
  assert.equal(withSeed.code, 0, withSeed.stderr);
  assert.match(withSeed.stdout, new RegExp(`pubkey": "${RFC_PUB}"`));
  assert.ok(!withSeed.stdout.includes(RFC_SEED), 'the seed is not printed');
});

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

test('verify-router: router authentication by hand (CHALLENGE.extra JSON or signature alone), every refusal coded', async () => {
  const routerKey = fromSeed(RFC_SEED);
  const ours = 'ab'.repeat(32);
  const signature = await signChallenge(routerKey, ours, { channelId: CHANNEL });
  const extra = JSON.stringify({ challenge: '11'.repeat(32), channel_binding: 'tls-unique', pubkey: RFC_PUB, signature });
  const keyPub = join(tmp.dir, 'router-key.pub');
  writeFileSync(keyPub, `creator: crossbar\npublic-key-ed25519: ${RFC_PUB}\n`);
  const base = ['verify-router', '--challenge', ours, '--channel-id', CHANNEL];
  for (const trust of [['--router-key', RFC_PUB], ['--router-keys', keyPub], ['--router-key', '22'.repeat(32), '--router-key', RFC_PUB]]) {
    const ok = await runCli([...base, ...trust], { stdin: extra });
    assert.deepEqual([ok.code, ok.stdout, ok.stderr], [0, `ok ${RFC_PUB}\n`, '']);
  }
  const alone = await runCli([...base, '--router-key', RFC_PUB, '--pubkey', RFC_PUB], { stdin: signature });
  assert.deepEqual([alone.code, alone.stdout], [0, `ok ${RFC_PUB}\n`]);
  const stranger = fromSeed('b2'.repeat(32)).publicKeyHex;
  assertFailure(await runCli([...base, '--router-key', stranger], { stdin: extra }), 1, /is not one of the 1 trusted router keys \[ROUTER_KEY_UNTRUSTED\]\n$/);
  assertFailure(await runCli(['verify-router', '--challenge', ours, '--router-key', RFC_PUB], { stdin: extra }), 1, /does not verify.* \[ROUTER_SIGNATURE_WRONG\]\n$/);
  assertFailure(await runCli([...base.slice(0, 1), '--challenge', 'cd'.repeat(32), '--channel-id', CHANNEL, '--router-key', RFC_PUB], { stdin: extra }), 1, /\[ROUTER_SIGNATURE_WRONG\]/);
  assertFailure(await runCli([...base, '--router-key', RFC_PUB], { stdin: '{"challenge":"00"}' }), 1, /did not authenticate.* \[ROUTER_NOT_AUTHENTICATED\]/);
  assertFailure(await runCli([...base, '--router-key', RFC_PUB], { stdin: '{not json' }), 1, /not valid JSON.* \[ROUTER_NOT_AUTHENTICATED\]/);
  assertFailure(await runCli([...base, '--router-key', '01' + '00'.repeat(31)], { stdin: extra }), 1, /small order.* \[INVALID_PUBLIC_KEY\]/);
  assertFailure(await runCli(['verify-router', '--challenge', ours], { stdin: extra }), 2, /--router-key HEX/);
  assertFailure(await runCli(['verify-router', '--router-key', RFC_PUB], { stdin: extra }), 2, /--challenge HEX/);
});

test('CLI advice is right: 0x prefix, --timeout bounds, pageant off Windows, a public key given as --key', async () => {
  assertFailure(await runCli(['sign', '--seed-file', 'x'], { stdin: '0x' + CHALLENGE }), 1, /not hex: only the digits 0-9 and a-f \(or A-F\) are allowed \(drop the 0x prefix\) \[INVALID_CHALLENGE\]/);
  assertFailure(await runCli(['list', '--timeout', '0']), 2, /--timeout must be between 1 and 2147483647 ms, got 0/);
  assertFailure(await runCli(['list', '--timeout', '2147483648']), 2, /--timeout must be between 1 and 2147483647 ms/);
  assertFailure(await runCli(['list', '--socket', 'pageant']), 2, /Pageant exists only on Windows.*\[AGENT_CONNECT_FAILED\]/, [], false);
  const pub = fixtureCopy(tmp.dir, 'ed25519.pub', 0o644);
  assertFailure(await runCli(['pubkey', '--key', pub]), 1, /is a public key; give the private key file.*\[KEY_FILE_FORMAT\]/);
});

test('no agent to be reached exits 2, as ssh-add -l does: one line, no usage hint, for list and for --agent keys', async () => {
  const gone = join(tmp.dir, 'gone.sock');
  const cases: [string[], RegExp][] = [
    [['list'], /SSH_AUTH_SOCK is not set .*; a socket path goes in --socket PATH \[AGENT_NOT_CONFIGURED\]\n$/],
    [['list', '--json'], /\[AGENT_NOT_CONFIGURED\]/],
    [['list', '--socket', gone], /does not exist .*\[AGENT_SOCKET_MISSING\]/],
    [['list', '--socket', fixtureCopy(tmp.dir, 'seed.hex')], /is not a socket.*\[AGENT_CONNECT_FAILED\]/],
    [['sign', '--agent'], /SSH_AUTH_SOCK is not set .*\[AGENT_NOT_CONFIGURED\]/],
    [['sign', '--agent', '--socket', gone], /does not exist .*\[AGENT_SOCKET_MISSING\]/],
    [['pubkey', '--agent', 'cli@example'], /\[AGENT_NOT_CONFIGURED\]/],
  ];
  for (const [args, pattern] of cases) {
    assertFailure(await runCli(args, { stdin: CHALLENGE, env: noAgentEnv }), 2, pattern, [], false);
  }
  // an agent that answers but holds nothing is not "unreachable": exit 1, as ssh-add -l
  const empty = await startThrowawayAgent();
  try {
    assertFailure(await runCli(['sign', '--agent'], { stdin: CHALLENGE, env: empty.env }), 1, /ssh-agent holds no keys .*\[AGENT_KEY_NOT_FOUND\]/);
  } finally {
    await empty.stop();
  }
});

test('--json on every command that prints data; none on failure', async () => {
  const seedFile = fixtureCopy(tmp.dir, 'seed.hex');
  const sig = await signChallenge(fromSeed(RFC_SEED), CHALLENGE);
  const fp = fromSeed(RFC_SEED).fingerprint;
  const sign = await runCli(['sign', '--json', '--seed-file', seedFile], { stdin: CHALLENGE });
  assert.deepEqual(JSON.parse(sign.stdout), { signature: sig, publicKeyHex: RFC_PUB, fingerprint: fp });
  const pub = await runCli(['pubkey', '--json', '--key', fixtureCopy(tmp.dir, 'ed25519')]);
  const sshLine = readFileSync(fixture('ed25519.pub'), 'utf8').trim();
  const pubJson = JSON.parse(pub.stdout) as { publicKeyHex: string; fingerprint: string; comment: string; ssh: string };
  assert.equal(pubJson.ssh, sshLine);
  assert.equal(pubJson.comment, sshLine.split(' ')[2]);
  assert.equal(pubJson.fingerprint, execFileSync('ssh-keygen', ['-l', '-f', fixture('ed25519.pub')], { encoding: 'utf8' }).split(' ')[1]);
  assert.equal(Buffer.from(sshLine.split(' ')[1] as string, 'base64').subarray(-32).toString('hex'), pubJson.publicKeyHex);
  const verify = await runCli(['verify', '--json', '--pubkey', RFC_PUB, '--challenge', CHALLENGE], { stdin: sig });
  assert.deepEqual(JSON.parse(verify.stdout), { ok: true, principal: RFC_PUB, publicKeyHex: RFC_PUB });
  const list = join(tmp.dir, 'authorized-json');
  writeFileSync(list, readFileSync(fixture('authorized_keys')));
  const byList = await runCli(['verify', '--json', '--authorized-keys', list, '--challenge', CHALLENGE], { stdin: sig });
  assert.deepEqual(JSON.parse(byList.stdout), { ok: true, principal: 'rfc8032-test1', publicKeyHex: RFC_PUB });
  const routerSig = await signChallenge(fromSeed(RFC_SEED), 'ab'.repeat(32));
  const vr = await runCli(['verify-router', '--json', '--challenge', 'ab'.repeat(32), '--router-key', RFC_PUB], { stdin: JSON.stringify({ pubkey: RFC_PUB, signature: routerSig }) });
  assert.deepEqual(JSON.parse(vr.stdout), { ok: true, routerKey: RFC_PUB });
  assertFailure(await runCli(['verify', '--json', '--pubkey', RFC_PUB, '--challenge', '00'.repeat(32)], { stdin: sig }), 1, /\[AUTH_SIGNATURE_WRONG\]/);
  assertFailure(await runCli(['pubkey', '--json', '--ssh', '--seed-file', seedFile]), 2, /choose --json or --ssh, not both/);
  for (const cmd of ['list', 'sign', 'pubkey', 'verify', 'verify-router']) {
    assert.match((await runCli([cmd, '--help'])).stdout, /--json/, `${cmd} --help documents --json`);
  }
});

test('pubkey --help lists --ssh and --json; pubkey of an encrypted OpenSSH key needs no passphrase (the public key is in the clear)', async () => {
  const help = (await runCli(['pubkey', '--help'])).stdout;
  assert.match(help, /^Usage: cryptosign-keys pubkey .*\[--ssh \| --json\]/);
  assert.match(help, /\n  --ssh /);
  const enc = fixtureCopy(tmp.dir, 'ed25519-encrypted');
  const passphrase = readFileSync(fixture('ed25519-encrypted.passphrase'), 'utf8').trim();
  // the answer ssh-keygen gives with the passphrase
  const expected = execFileSync('ssh-keygen', ['-y', '-P', passphrase, '-f', enc], { encoding: 'utf8' }).trim().split(' ');
  const hex = Buffer.from(expected[1] as string, 'base64').subarray(-32).toString('hex');
  const r = await runCli(['pubkey', '--key', enc], { answers: [] });
  assert.deepEqual([r.code, r.stdout, r.stderr, r.prompts], [0, hex + '\n', '', 0], 'no prompt');
  const line = await runCli(['pubkey', '--ssh', '--key', enc], { answers: [] });
  assert.equal(line.stdout, `${expected[0]} ${expected[1]}\n`, 'the comment is encrypted with the key: the line has none');
  assert.equal(line.prompts, 0);
  // with the passphrase the key is decrypted (and checked), and the comment is known
  const withPass = await runCli(['pubkey', '--ssh', '--key', enc, '--passphrase-file', fixtureCopy(tmp.dir, 'ed25519-encrypted.passphrase')]);
  assert.equal(withPass.stdout, readFileSync(fixture('ed25519-encrypted.pub'), 'utf8'));
  // a wrong file is still refused without a prompt; PKCS#8 has no clear public key: it asks
  assertFailure(await runCli(['pubkey', '--key', fixtureCopy(tmp.dir, 'rsa')], { answers: [] }), 1, /type RSA.*\[KEY_NOT_ED25519\]/);
  const pkcs8 = await runCli(['pubkey', '--key', fixtureCopy(tmp.dir, 'ed25519-pkcs8-encrypted.pem')], {
    answers: [readFileSync(fixture('ed25519-pkcs8-encrypted.passphrase'), 'utf8').trim()],
  });
  assert.deepEqual([pkcs8.code, pkcs8.prompts], [0, 1], pkcs8.stderr);
  assert.match(pkcs8.stdout, /^[0-9a-f]{64}\n$/);
});

test('an encrypted key with no terminal and no --passphrase-file: one sane line naming the fix', async () => {
  const enc = fixtureCopy(tmp.dir, 'ed25519-encrypted');
  const r = await runCli(['sign', '--key', enc], { stdin: CHALLENGE });
  assertFailure(r, 1, /^cryptosign-keys: \S+ed25519-encrypted is encrypted and there is no terminal to ask for its passphrase; give --passphrase-file FILE \[PASSPHRASE_REQUIRED\]\n$/, [PASSPHRASE]);
  assert.equal(r.prompts, 1);
});

test('hints name the CLI options; the library messages they extend name none', async () => {
  const two = await startThrowawayAgent();
  try {
    await two.makeKey('one', { comment: 'same@example' });
    await two.makeKey('two', { comment: 'same@example' });
    await two.makeKey('three', { comment: 'third@example' });
    await two.makeKey('four', { comment: 'two\nlines\u001b[31m' });
    const ambiguous = await runCli(['sign', '--agent'], { stdin: CHALLENGE, env: two.env });
    assertFailure(ambiguous, 1, /4 Ed25519 keys in ssh-agent match; choose one by its SHA256 fingerprint, public key hex or comment: .*; select one with --agent SELECTOR \[AGENT_KEY_AMBIGUOUS\]\n$/);
    assert.match(ambiguous.stderr, /two\?lines\?\[31m/, 'the comment\'s control characters are not printed');
    assertFailure(await runCli(['sign', '--agent', 'same@example'], { stdin: CHALLENGE, env: two.env }), 1, /2 Ed25519 keys in ssh-agent match "same@example".*\[AGENT_KEY_AMBIGUOUS\]/);
    const byComment = await runCli(['sign', '--agent', 'third@example'], { stdin: CHALLENGE, env: two.env });
    assert.equal(byComment.code, 0, byComment.stderr);
    assertFailure(await runCli(['sign', '--agent', 'nobody'], { stdin: CHALLENGE, env: two.env }), 1, /no key in ssh-agent matches "nobody" \(4 keys listed\); see `cryptosign-keys list` \[AGENT_KEY_NOT_FOUND\]/);
  } finally {
    await two.stop();
  }
  assertFailure(await runCli(['sign', '--seed-file', fixtureCopy(tmp.dir, 'ed25519')], { stdin: CHALLENGE }), 1, /is a PEM\/OpenSSH private key file; open it as a private key file, not as a seed; give it with --key FILE \[KEY_FILE_FORMAT\]/);
  assertFailure(await runCli(['sign', '--key', fixtureCopy(tmp.dir, 'crossbar.priv')], { stdin: CHALLENGE }), 1, /crossbar\/autobahn key file; use it as a seed file; give it with --seed-file FILE \[KEY_FILE_FORMAT\]/);
  // the library's own messages: no CLI flag, no CLI command (the CLI adds those)
  const sources: string[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(dir, e.name));
      else if (e.name.endsWith('.ts')) sources.push(join(dir, e.name));
    }
  };
  walk(join(ROOT, 'lib'));
  assert.ok(sources.length > 20);
  for (const file of sources) {
    readFileSync(file, 'utf8')
      .split('\n')
      .forEach((line, i) => {
        if (/^\s*(\/\/|\*|\/\*)/.test(line)) return;
        assert.doesNotMatch(line, /[`'"][^`'"]*(^|[\s(`])--[a-z][a-z-]+|cryptosign-keys (list|sign|pubkey|verify|demo|authenticator)/, `${file}:${i + 1} names a CLI flag or command`);
      });
  }
});

test('trusted router keys given wrong are the caller\'s mistake, with their own codes (not an sshd remark, not ROUTER_KEY_UNTRUSTED)', async () => {
  const ours = 'ab'.repeat(32);
  const extra = JSON.stringify({ pubkey: RFC_PUB, signature: await signChallenge(fromSeed(RFC_SEED), ours) });
  const mistyped = await runCli(['verify-router', '--challenge', ours, '--router-key', RFC_PUB.slice(2)], { stdin: extra });
  assertFailure(mistyped, 1, /trusted router key #1 is not a router key: expected 64 hex digits.* \[ROUTER_KEY_FORMAT\]\n$/);
  assert.doesNotMatch(mistyped.stderr, /sshd|AUTHORIZED_KEYS_FORMAT/);
  const emptyFile = join(tmp.dir, 'no-router-keys');
  writeFileSync(emptyFile, '# nothing yet\n');
  assertFailure(await runCli(['verify-router', '--challenge', ours, '--router-keys', emptyFile], { stdin: extra }), 1, /no trusted router key given: router authentication needs at least one \[ROUTER_KEYS_EMPTY\]\n$/);
});

test('a notice on a terminal while a key decrypts and while the agent waits for confirmation (ssh-add -c); none without a terminal', async () => {
  const enc = fixtureCopy(tmp.dir, 'ed25519-encrypted');
  const pass = fixtureCopy(tmp.dir, 'ed25519-encrypted.passphrase');
  const onTty = await runCli(['sign', '--key', enc, '--passphrase-file', pass], { stdin: CHALLENGE, tty: true, noticeDelayMs: 0 });
  assert.equal(onTty.code, 0, onTty.stderr);
  assert.match(onTty.stderr, /^\r[|/\\-] decrypting \S+ed25519-encrypted\.\.\./);
  assert.ok(onTty.stderr.endsWith('\r\u001b[K'), 'the notice is erased');
  const piped = await runCli(['sign', '--key', enc, '--passphrase-file', pass], { stdin: CHALLENGE, noticeDelayMs: 0 });
  assert.equal(piped.stderr, '');
  assert.equal(piped.stdout, onTty.stdout);

  // a real ssh-agent holding an ssh-add -c key; its askpass confirms only once the notice is on the screen
  const go = join(tmp.dir, 'confirm-now');
  const askpass = join(tmp.dir, 'askpass-wait.sh');
  writeFileSync(askpass, `#!/bin/sh\nwhile [ ! -e '${go}' ]; do sleep 0.02; done\necho yes\n`, { mode: 0o700 });
  const confirming = await startThrowawayAgent({ env: { SSH_ASKPASS: askpass, SSH_ASKPASS_REQUIRE: 'force', DISPLAY: ':0' } });
  try {
    await confirming.makeKey('c', { confirm: true });
    const r = await runCli(['sign', '--agent'], {
      stdin: CHALLENGE,
      env: confirming.env,
      tty: true,
      noticeDelayMs: 0,
      onStderr: (s) => {
        if (s.includes('waiting for ssh-agent to sign')) writeFileSync(go, '');
      },
    });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /^\r[|/\\-] waiting for ssh-agent to sign with SHA256:\S+ \(confirm it if the agent asks\)\.\.\./);
    assert.ok(r.stderr.endsWith('\r\u001b[K'));
    const pub = (await runCli(['pubkey', '--agent'], { env: confirming.env })).stdout.trim();
    assert.ok(verifyChallengeSignature(pub, CHALLENGE, r.stdout.trim()));
  } finally {
    await confirming.stop();
  }
});

test('the real process: exit statuses 0/1/2, stdin from a pipe, --version from package.json, no terminal', async () => {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
  const version = await runProcess(['--version']);
  assert.deepEqual([version.code, version.stdout, version.stderr], [0, pkg.version + '\n', '']);
  assertFailure(await runProcess(['sign', '--bogus']), 2, /unknown option '--bogus'/);
  const seedFile = fixtureCopy(tmp.dir, 'seed.hex');
  const signed = await runProcess(['sign', '--seed-file', seedFile], { stdin: CHALLENGE + '\n' });
  assert.deepEqual([signed.code, signed.stdout, signed.stderr], [0, (await signChallenge(fromSeed(RFC_SEED), CHALLENGE)) + '\n', '']);
  assertFailure(await runProcess(['sign', '--seed-file', seedFile], { stdin: 'abc' }), 1, /\[INVALID_CHALLENGE\]/);
  assertFailure(await runProcess(['list'], { env: noAgentEnv }), 2, /\[AGENT_NOT_CONFIGURED\]/, [], false);
  const enc = fixtureCopy(tmp.dir, 'ed25519-encrypted');
  const r = await runProcess(['sign', '--key', enc], { stdin: CHALLENGE, noTty: true, timeoutMs: 10000 });
  assertFailure(r, 1, /is encrypted and there is no terminal to ask for its passphrase; give --passphrase-file FILE \[PASSPHRASE_REQUIRED\]\n$/, [PASSPHRASE]);
});

test('stdin read at once (a pipe or a file), or partly and the rest through the stream (a non-blocking pipe not yet filled), or all through the stream (a terminal)', async () => {
  const io = (now: ReturnType<NonNullable<CliIo['readStdinNow']>>, rest: string[]): CliIo =>
    ({ stdin: Readable.from(rest.map((r) => Buffer.from(r))), readStdinNow: () => now, stderr: () => undefined }) as unknown as CliIo;
  const hex = CHALLENGE;
  assert.equal(await readStdinValue(io({ data: Buffer.from(hex + '\n'), ended: true }, ['not read']), 'challenge', 'INVALID_CHALLENGE'), hex);
  assert.equal(await readStdinValue(io({ data: Buffer.from(hex.slice(0, 10)), ended: false }, [hex.slice(10, 40), hex.slice(40) + '\n']), 'challenge', 'INVALID_CHALLENGE'), hex);
  assert.equal(await readStdinValue(io(undefined, [hex + '\n']), 'challenge', 'INVALID_CHALLENGE'), hex);
  // the bound holds on every path
  const big = Buffer.alloc(64 * 1024 + 1, 0x35);
  await assert.rejects(readStdinValue(io({ data: big, ended: false }, []), 'challenge', 'INVALID_CHALLENGE'), { code: 'INVALID_CHALLENGE', message: /more than 65536 bytes/ });
  await assert.rejects(readStdinValue(io({ data: big.subarray(0, 10), ended: false }, [big.subarray(10).toString()]), 'challenge', 'INVALID_CHALLENGE'), { code: 'INVALID_CHALLENGE', message: /more than 65536 bytes/ });
});

test('the bundled CLI (npm run build: dist/bin/cryptosign-keys.cjs), built afresh: same answers, and --help/list/sign --agent load only what they use', async () => {
  const out = join(ROOT, 'dist/cli-bundle-test');
  const { bundleCli } = (await import(pathToFileURL(join(ROOT, 'scripts/bundle-cli.mjs')).href)) as { bundleCli: (dir: string) => Promise<void> };
  await bundleCli(out);
  const script = join(out, 'cryptosign-keys.cjs');
  // which builtins and packages the process loaded, written at exit
  const probe = join(tmp.dir, 'probe.cjs');
  writeFileSync(probe, "process.on('exit', () => require('node:fs').writeSync(2, 'LOADED ' + process.moduleLoadList.filter((m) => m.startsWith('NativeModule ')).map((m) => m.slice(13)).join(' ') + ' ' + Object.keys(require.cache).join(' ') + '\\n'));\n");
  const loaded = (r: { stderr: string }) => (/LOADED (.*)\n/.exec(r.stderr)?.[1] ?? '').split(' ');
  const heavy = ['tls', 'https', 'http', 'child_process', 'worker_threads'];
  const run = (args: string[], o: { stdin?: string; env?: NodeJS.ProcessEnv } = {}) => runProcess(args, { ...o, script, nodeArgs: ['-r', probe] });

  const help = await run(['--help']);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /^cryptosign-keys \d+\.\d+\.\d+: /);
  // stdout is written with write(2), not through a stream (a pipe's would be a net.Socket)
  for (const m of [...heavy, 'crypto', 'net']) assert.ok(!loaded(help).includes(m), `--help loads ${m}`);
  const list = await run(['list'], { env: agentEnv });
  assert.equal(list.stdout, (await runCli(['list'], { env: agentEnv })).stdout);
  const signed = await run(['sign', '--agent', 'cli@example'], { stdin: CHALLENGE, env: agentEnv });
  assert.equal(signed.stdout, (await runCli(['sign', '--agent', 'cli@example'], { stdin: CHALLENGE, env: agentEnv })).stdout);
  // each command starts the bundle that holds it alone (--help: the one with no command)
  const bundles = (r: { stderr: string }) => loaded(r).filter((f) => /cryptosign-keys-[a-z-]+\.cjs$/.test(f)).map((f) => basename(f));
  assert.deepEqual(bundles(help), ['cryptosign-keys-main.cjs']);
  assert.deepEqual(bundles(list), ['cryptosign-keys-list.cjs']);
  assert.deepEqual(bundles(signed), ['cryptosign-keys-sign.cjs']);
  for (const r of [list, signed]) {
    assert.equal(r.code, 0, r.stderr);
    for (const m of heavy) assert.ok(!loaded(r).includes(m), `loads ${m}`);
    assert.ok(!loaded(r).some((f) => /node_modules[/\\](sshpk|sodium-native|ssh2|ws)[/\\]/.test(f)), 'no package is loaded');
    assert.ok(!loaded(r).some((f) => f.endsWith('bcrypt-workers.cjs')), 'the KDF worker pool is not loaded');
  }
  // the worker is found beside the bundle; the version comes from package.json; exit statuses hold
  const enc = fixtureCopy(tmp.dir, 'ed25519-encrypted');
  const pub = await run(['pubkey', '--ssh', '--key', enc, '--passphrase-file', fixtureCopy(tmp.dir, 'ed25519-encrypted.passphrase')]);
  assert.equal(pub.stdout, readFileSync(fixture('ed25519-encrypted.pub'), 'utf8'));
  // the entry started the KDF's worker (with --passphrase-file) from the pool's own file, the one the bundle uses
  // (no bundle holds a second pool of its own)
  for (const f of readdirSync(out).filter((f) => /^cryptosign-keys.*\.cjs$/.test(f))) assert.ok(!readFileSync(join(out, f), 'utf8').includes('parentPort.on('), `${f} holds a copy of the worker pool`);
  assert.equal(loaded(pub).filter((f) => f.endsWith('bcrypt-workers.cjs')).length, 1);
  assert.ok(loaded(pub).includes('worker_threads'));
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
  assert.equal((await run(['--version'])).stdout, pkg.version + '\n');
  // every command's bundle runs it (its --help goes through the command's own bundle)
  for (const c of ['verify', 'verify-router', 'authenticator', 'demo']) assert.match((await run([c, '--help'])).stdout, new RegExp(`^Usage: cryptosign-keys ${c} `));
  assertFailure(await runProcess(['__proto__'], { script }), 2, /unknown command "__proto__"/);

  // V8's code cache kept by the entry in $TMPDIR/cryptosign-keys-v8-cache-<uid>, used only
  // when the directory and the file are this user's and nobody else can write to them
  const cacheRoot = join(tmp.dir, 'v8-cache');
  mkdirSync(cacheRoot);
  const cacheEnv = { ...agentEnv, TMPDIR: cacheRoot };
  const cacheDir = join(cacheRoot, `cryptosign-keys-v8-cache-${process.getuid!()}`);
  const expected = list.stdout;
  const listed = async (env: NodeJS.ProcessEnv) => assert.equal((await runProcess(['list'], { script, env })).stdout, expected);
  await listed(cacheEnv);
  {
    assert.equal(statSync(cacheDir).mode & 0o777, 0o700);
    const files = readdirSync(cacheDir);
    assert.equal(files.length, 1);
    assert.match(files[0]!, /^list-[0-9a-f]{8}-[0-9a-f]{16}-\d+-\d+-v[\d.]+\.v8$/);
    const cacheFile = join(cacheDir, files[0]!);
    const first = statSync(cacheFile);
    assert.equal(first.mode & 0o777, 0o600);
    await listed(cacheEnv);
    assert.equal(statSync(cacheFile).ino, first.ino, 'the cache was used, not written again');
    // a cache file others may write to is not used (it is made afresh)
    chmodSync(cacheFile, 0o666);
    await listed(cacheEnv);
    assert.notEqual(statSync(cacheFile).ino, first.ino);
    assert.equal(statSync(cacheFile).mode & 0o777, 0o600);
    // a directory others may write to is not used at all
    chmodSync(cacheDir, 0o777);
    rmSync(cacheFile);
    await listed(cacheEnv);
    assert.deepEqual(readdirSync(cacheDir), []);
    // NODE_DISABLE_COMPILE_CACHE: none
    const off = join(tmp.dir, 'v8-cache-off');
    mkdirSync(off);
    await listed({ ...agentEnv, TMPDIR: off, NODE_DISABLE_COMPILE_CACHE: '1' });
    assert.deepEqual(readdirSync(off), []);
  }
  assertFailure(await runProcess(['list'], { script, env: noAgentEnv }), 2, /\[AGENT_NOT_CONFIGURED\]/, [], false);
  assertFailure(await runProcess(['sign', '--agent', 'nobody'], { script, stdin: CHALLENGE, env: agentEnv }), 1, /see `cryptosign-keys list` \[AGENT_KEY_NOT_FOUND\]/);
});
