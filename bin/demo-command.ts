/** The whole cryptosign flow, printed step by step, on a throwaway agent unless a key is given. */
import { randomBytes } from 'node:crypto';
import { listAgentKeys, openAgentKey, signChallenge, toHex, type SigningKey } from '../lib/index.js';
import { parseAuthorizedKeys } from '../lib/router.js';
import { fingerprintLine } from '../lib/ssh.js';
import { startThrowawayAgent, type ThrowawayAgent } from '../lib/testing.js';
import type { CliIo } from './cli-io.js';
import { CliFailure } from './cli-errors.js';
import { hasKeyOption, openKey, type KeyArgs } from './key-options.js';

export async function demoCommand(args: KeyArgs, io: CliIo): Promise<void> {
  const out = io.stdout;
  let agent: ThrowawayAgent | undefined;
  let key: SigningKey | undefined;
  try {
    if (hasKeyOption(args)) {
      out('Using the key you gave.\n');
      key = await openKey(args, 'demo', io);
    } else {
      out('1. Starting a private, throwaway ssh-agent and a fresh Ed25519 key (ssh-keygen)…\n');
      agent = await startThrowawayAgent();
      await agent.makeKey('demo_ed25519', { comment: 'cryptosign-keys demo' });
      out(`   agent socket: ${agent.socketPath}\n`);
      out('2. The keys in the agent (cryptosign-keys list):\n');
      for (const k of await listAgentKeys({ socketPath: agent.socketPath })) {
        out(`   ${fingerprintLine(k, k.comment)}${k.publicKeyHex ? ' ' + k.publicKeyHex : ''}\n`);
      }
      key = await openAgentKey(undefined, { socketPath: agent.socketPath });
    }
    out(`   key: ${key.fingerprint} "${key.comment}" (${key.source})\n`);
    out(`3. HELLO authextra: {"pubkey": "${key.publicKeyHex}"}\n`);
    const challenge = toHex(randomBytes(32));
    out(`4. Router CHALLENGE: {"challenge": "${challenge}"}\n`);
    const t0 = process.hrtime.bigint();
    const signature = await signChallenge(key, challenge);
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    out(`5. AUTHENTICATE signature (${signature.length} hex digits, signed in ${ms.toFixed(2)} ms):\n   ${signature}\n`);
    const router = parseAuthorizedKeys(`${key.publicKeyHex} demo-user\n`);
    const principal = router.authenticate(key.publicKeyHex, challenge, signature);
    if (!principal) throw new CliFailure('AUTH_SIGNATURE_WRONG', 'demo: the router could not verify the signature');
    out(`6. Router verifies it: ok, authenticated as principal "${principal.name}"\n`);
    const tampered = (signature[0] === '0' ? '1' : '0') + signature.slice(1);
    out(`7. A tampered signature is refused: ${router.authenticate(key.publicKeyHex, challenge, tampered) ? 'NO (bug!)' : 'yes'}\n`);
  } finally {
    await key?.close();
    if (agent) {
      await agent.stop();
      out('8. Throwaway agent stopped and its key deleted.\n');
    }
  }
}
