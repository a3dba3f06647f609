import { readFileSync } from 'node:fs';
import { parseChallenge, parseChannelId } from '../lib/wamp/challenge.js';
import { KeyFileError } from '../lib/errors.js';
import { bytesOrHex, toHex } from '../lib/crypto/hex.js';
import { parseAuthorizedKeys, verifyChallengeSignature } from '../lib/wamp/principals.js';
import { CliFailure, UsageError } from './cli-errors.js';
import { readStdinValue } from './read-stdin.js';

export interface VerifyArgs {
  pubkey?: string | undefined;
  'authorized-keys'?: string | undefined;
  challenge?: string | undefined;
  'channel-id'?: string | undefined;
}

function readList(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new KeyFileError('KEY_FILE_NOT_FOUND', `authorized keys file ${path} does not exist`);
    throw new KeyFileError('KEY_FILE_UNREADABLE', `cannot read authorized keys file ${path}: ${code ?? String(e)}`);
  }
}

export async function verifyCommand(args: VerifyArgs, out: (s: string) => void): Promise<void> {
  if (args.challenge === undefined) throw new UsageError('give the challenge the router sent: --challenge HEX', 'verify');
  if (args.pubkey === undefined && args['authorized-keys'] === undefined) {
    throw new UsageError('give the client key: --pubkey HEX or --authorized-keys FILE', 'verify');
  }
  parseChallenge(args.challenge);
  const channelId = args['channel-id'] === undefined ? undefined : parseChannelId(args['channel-id']);
  const pubkey = args.pubkey === undefined ? undefined : bytesOrHex(args.pubkey, 'public key', 32, 'INVALID_PUBLIC_KEY');
  const list = args['authorized-keys'] === undefined ? undefined : parseAuthorizedKeys(readList(args['authorized-keys']));
  const signature = await readStdinValue('signature');
  const opts = channelId ? { channelId } : {};

  let candidates: { name: string; publicKey: Uint8Array }[];
  if (list && pubkey) {
    const p = list.lookup(pubkey);
    if (!p) throw new CliFailure(`public key ${toHex(pubkey)} is not in ${args['authorized-keys']}`);
    candidates = [p];
  } else if (list) {
    candidates = [...list.principals];
    if (candidates.length === 0) throw new CliFailure(`${args['authorized-keys']} lists no Ed25519 key`);
  } else {
    candidates = [{ name: toHex(pubkey as Uint8Array), publicKey: pubkey as Uint8Array }];
  }
  for (const c of candidates) {
    if (verifyChallengeSignature(c.publicKey, args.challenge, signature, opts)) {
      out(`ok ${c.name || toHex(c.publicKey)}\n`);
      return;
    }
  }
  throw new CliFailure(
    candidates.length === 1
      ? 'signature does not verify for this key and challenge'
      : `signature does not verify for any of the ${candidates.length} keys in ${args['authorized-keys']}`,
  );
}
