/** `sign` (a challenge from stdin, with any key) and `pubkey` (a key's public key, read without a passphrase where it can be). */
import { readKeyFilePublicKey, signChallenge, type SigningKey } from '../lib/index.js';
import { parseChallenge, parseChannelId } from '../lib/handshake.js';
import { ed25519Blob, parsePublicKeyBlob, publicKeyLine } from '../lib/ssh.js';
import { UsageError } from './cli-errors.js';
import type { CliIo } from './cli-io.js';
import { withNotice } from './notice.js';
import { checkKeyArgs, openKey, type KeyArgs } from './key-options.js';
import { readStdinValue } from './read-stdin.js';

export interface SignArgs extends KeyArgs {
  'channel-id'?: string | undefined;
  json?: boolean | undefined;
}

export interface PubkeyArgs extends KeyArgs {
  ssh?: boolean | undefined;
  json?: boolean | undefined;
}

async function withKey<T>(args: KeyArgs, command: string, io: CliIo, use: (key: SigningKey) => Promise<T>): Promise<T> {
  const key = await openKey(args, command, io);
  try {
    return await use(key);
  } finally {
    await key.close();
  }
}

export async function signCommand(args: SignArgs, io: CliIo): Promise<void> {
  // check every input before touching the key: a bad input must not cost an agent confirmation
  checkKeyArgs(args, 'sign');
  const channelId = args['channel-id'] === undefined ? undefined : parseChannelId(args['channel-id']);
  const challenge = await readStdinValue(io, 'challenge', 'INVALID_CHALLENGE');
  parseChallenge(challenge);
  const [signature, key] = await withKey(args, 'sign', io, async (key) => {
    const sign = () => signChallenge(key, challenge, channelId ? { channelId } : {});
    // an agent key added with ssh-add -c waits for a person: say so on the terminal
    const sig = key.source === 'agent' ? await withNotice(io, `waiting for ssh-agent to sign with ${key.fingerprint} (confirm it if the agent asks)...`, sign) : await sign();
    return [sig, { publicKeyHex: key.publicKeyHex, fingerprint: key.fingerprint }] as const;
  });
  if (args.json) io.stdout(JSON.stringify({ signature, ...key }, null, 2) + '\n');
  else io.stdout(signature + '\n');
}

interface PublicKeyFacts {
  publicKey: Uint8Array;
  publicKeyHex: string;
  fingerprint: string;
  comment: string;
}

/** The public key: from a key file's clear part when no passphrase is given (none asked), else from the opened key. */
async function publicKeyOf(args: PubkeyArgs, io: CliIo): Promise<PublicKeyFacts> {
  checkKeyArgs(args, 'pubkey');
  if (args.key !== undefined && args['passphrase-file'] === undefined) {
    try {
      return readKeyFilePublicKey(args.key);
    } catch (e) {
      // an encrypted PKCS#8 file has no public key in the clear: open it (asking for the passphrase)
      if ((e as { code?: unknown }).code !== 'PASSPHRASE_REQUIRED') throw e;
    }
  }
  return withKey(args, 'pubkey', io, async (key) => ({
    publicKey: key.publicKey,
    publicKeyHex: key.publicKeyHex,
    fingerprint: key.fingerprint,
    comment: key.comment,
  }));
}

export async function pubkeyCommand(args: PubkeyArgs, io: CliIo): Promise<void> {
  if (args.json && args.ssh) throw new UsageError('choose --json or --ssh, not both (the JSON holds the line as "ssh")', 'pubkey');
  const k = await publicKeyOf(args, io);
  const line = publicKeyLine(parsePublicKeyBlob(ed25519Blob(k.publicKey)), k.comment);
  if (args.json) {
    io.stdout(JSON.stringify({ publicKeyHex: k.publicKeyHex, fingerprint: k.fingerprint, comment: k.comment, ssh: line }, null, 2) + '\n');
  } else if (args.ssh) io.stdout(line + '\n');
  else io.stdout(k.publicKeyHex + '\n');
}
