/** `verify`: the router side by hand: checks an AUTHENTICATE signature read from stdin, strictly. */
import { parseHex, toHex, verifyChallengeSignature } from '../lib/index.js';
import { parseChallenge, parseChannelId } from '../lib/handshake.js';
import { loadAuthorizedKeysFile } from '../lib/router.js';
import type { CliIo } from './cli-io.js';
import { CliFailure, UsageError } from './cli-errors.js';
import { readStdinValue } from './read-stdin.js';

export interface VerifyArgs {
  pubkey?: string | undefined;
  'authorized-keys'?: string | undefined;
  challenge?: string | undefined;
  'channel-id'?: string | undefined;
  authid?: string | undefined;
  'peer-address'?: string | undefined;
  json?: boolean | undefined;
}

/** "ok PRINCIPAL", or with --json {"ok": true, "principal": …, "publicKeyHex": …} */
function ok(args: VerifyArgs, io: CliIo, principal: string, publicKeyHex: string): void {
  io.stdout(args.json ? JSON.stringify({ ok: true, principal, publicKeyHex }, null, 2) + '\n' : `ok ${principal}\n`);
}

export async function verifyCommand(args: VerifyArgs, io: CliIo): Promise<void> {
  if (args.challenge === undefined) throw new UsageError('give the challenge the router sent: --challenge HEX', 'verify');
  if (args.pubkey === undefined && args['authorized-keys'] === undefined) {
    throw new UsageError('give the client key: --pubkey HEX or --authorized-keys FILE', 'verify');
  }
  if ((args.authid !== undefined || args['peer-address'] !== undefined) && args['authorized-keys'] === undefined) {
    throw new UsageError('--authid and --peer-address go with --authorized-keys', 'verify');
  }
  parseChallenge(args.challenge);
  const channelId = args['channel-id'] === undefined ? undefined : parseChannelId(args['channel-id']);
  const pubkey = args.pubkey === undefined ? undefined : parseHex(args.pubkey, 'public key', 32, 'INVALID_PUBLIC_KEY');
  const listPath = args['authorized-keys'];
  const list = listPath === undefined ? undefined : loadAuthorizedKeysFile(listPath);
  const signature = await readStdinValue(io, 'signature', 'INVALID_SIGNATURE');
  const opts = {
    ...(channelId ? { channelId } : {}),
    ...(args.authid !== undefined ? { authid: args.authid } : {}),
    ...(args['peer-address'] !== undefined ? { peerAddress: args['peer-address'] } : {}),
  };

  if (list && pubkey) {
    const r = list.check(pubkey, args.challenge, signature, opts);
    if (!r.ok) throw new CliFailure(r.code, r.reason);
    ok(args, io, r.principal.name, toHex(pubkey));
    return;
  }
  if (list) {
    if (list.principals.length === 0) throw new CliFailure('AUTH_UNKNOWN_KEY', `${listPath} lists no Ed25519 key`);
    // no pubkey given: the principal whose key made the signature (each key checked strictly)
    for (const p of list.principals) {
      if (!verifyChallengeSignature(list.verifyKeyOf(p), args.challenge, signature, opts)) continue;
      const r = list.check(p.publicKey, args.challenge, signature, { ...opts, authid: args.authid ?? p.name });
      if (!r.ok) throw new CliFailure(r.code, r.reason);
      ok(args, io, r.principal.name, toHex(p.publicKey));
      return;
    }
    throw new CliFailure('AUTH_SIGNATURE_WRONG', `signature does not verify for any of the ${list.principals.length} keys in ${listPath}`);
  }
  const key = pubkey as Uint8Array;
  if (!verifyChallengeSignature(key, args.challenge, signature, opts)) {
    throw new CliFailure('AUTH_SIGNATURE_WRONG', 'signature does not verify for this key and challenge');
  }
  ok(args, io, toHex(key), toHex(key));
}
