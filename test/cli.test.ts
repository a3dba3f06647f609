/** The real CLI in a child process: outputs, exit codes, and one-line errors without secrets. */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { signChallenge } from '../lib/wamp/challenge.js';
import { fromSeed } from '../lib/keys/seed-key.js';
import { startThrowawayAgent, type ThrowawayAgent } from '../lib/agent/throwaway.js';
import { verifyChallengeSignature } from '../lib/wamp/challenge.js';
import { assertFailure, runCli } from './helpers/cli.js';
import { fixture, fixtureCopy, tempDir } from './helpers/paths.js';

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
    [['sign', '--agent'], CHALLENGE, /SSH_AUTH_SOCK is not set .*\[AGENT_NOT_CONFIGURED\]/, noAgentEnv],
    [['sign', '--agent', '--socket', join(tmp.dir, 'gone.sock')], CHALLENGE, /does not exist .*\[AGENT_SOCKET_MISSING\]/, noAgentEnv],
    [['sign', '--agent', 'nobody@example'], CHALLENGE, /no key in ssh-agent matches "nobody@example" .*\[AGENT_KEY_NOT_FOUND\]/],
    [['sign', '--agent', 'cli-rsa@example'], CHALLENGE, /cryptosign needs an Ed25519 key \[AGENT_KEY_NOT_ED25519\]/],
  ];
  for (const [args, stdin, pattern, env] of cases) {
    const r = await runCli(args, { stdin: stdin ?? '', env: env ?? agentEnv, noTty: true });
    assertFailure(r, 1, pattern, secrets);
  }
});

test('an encrypted key without --passphrase-file and without a terminal: PASSPHRASE_REQUIRED, not a hang', async () => {
  const enc = fixtureCopy(tmp.dir, 'ed25519-encrypted');
  const r = await runCli(['sign', '--key', enc], { stdin: CHALLENGE, noTty: true, timeoutMs: 10000 });
  assertFailure(r, 1, /is encrypted: a passphrase is needed: there is no terminal to ask on; give --passphrase-file|no terminal to ask on; give --passphrase-file \[PASSPHRASE_REQUIRED\]/, [PASSPHRASE]);
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
  assertFailure(await runCli(['list'], { env: noAgentEnv }), 1, /SSH_AUTH_SOCK is not set/);
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
  const r = await runCli(['demo'], { env: noAgentEnv, timeoutMs: 30000 });
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
  assertFailure(await runCli(['list', '--socket', 'pageant']), 1, /Pageant exists only on Windows.*\[AGENT_CONNECT_FAILED\]/);
  const pub = fixtureCopy(tmp.dir, 'ed25519.pub', 0o644);
  assertFailure(await runCli(['pubkey', '--key', pub]), 1, /is a public key; give the private key file.*\[KEY_FILE_FORMAT\]/);
});
