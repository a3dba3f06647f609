import { parseChallenge, parseChannelId, signChallenge } from '../lib/wamp/challenge.js';
import { ed25519Blob, parsePublicKeyBlob, publicKeyLine } from '../lib/ssh/public-key.js';
import type { SigningKey } from '../lib/keys/signing-key.js';
import { checkKeyArgs, openKey, type KeyArgs } from './key-options.js';
import { readStdinValue } from './read-stdin.js';

export interface SignArgs extends KeyArgs {
  'channel-id'?: string | undefined;
}

async function withKey<T>(args: KeyArgs, command: string, use: (key: SigningKey) => Promise<T>): Promise<T> {
  const key = await openKey(args, command);
  try {
    return await use(key);
  } finally {
    await key.close();
  }
}

export async function signCommand(args: SignArgs, out: (s: string) => void): Promise<void> {
  // check every input before touching the key: a bad input must not cost an agent confirmation
  checkKeyArgs(args, 'sign');
  const channelId = args['channel-id'] === undefined ? undefined : parseChannelId(args['channel-id']);
  const challenge = await readStdinValue('challenge', 'INVALID_CHALLENGE');
  parseChallenge(challenge);
  const signature = await withKey(args, 'sign', (key) => signChallenge(key, challenge, channelId ? { channelId } : {}));
  out(signature + '\n');
}

export async function pubkeyCommand(args: KeyArgs & { ssh?: boolean | undefined }, out: (s: string) => void): Promise<void> {
  await withKey(args, 'pubkey', async (key) => {
    if (args.ssh) out(publicKeyLine(parsePublicKeyBlob(ed25519Blob(key.publicKey)), key.comment) + '\n');
    else out(key.publicKeyHex + '\n');
  });
}
