/** `verify`: the router side by hand: checks an AUTHENTICATE signature read from stdin, strictly. */
import { parseChallenge, parseChannelId, verifyChallengeSignature } from '../lib/wamp/challenge.js';
import { readBoundedFile } from '../lib/read-file.js';
import { MAX_AUTHORIZED_KEYS_BYTES } from '../lib/wamp/router/authorized-keys-file.js';
import { bytesOrHex, toHex } from '../lib/crypto/hex.js';
import { parseAuthorizedKeys } from '../lib/wamp/router/principals.js';
import { CliFailure, UsageError } from './cli-errors.js';
import { escapeText, quoted } from '../lib/escape.js';
import { readStdinValue } from './read-stdin.js';
import { readCertificateFile } from '../lib/keys/certificate-source.js';
import { ed25519Blob } from '../lib/ssh/public-key.js';
import { certificatePrincipal } from '../lib/wamp/router/cert-authorities.js';
import { loadRevokedKeysFile } from '../lib/wamp/router/revoked-keys-file.js';

export interface VerifyArgs {
  pubkey?: string | undefined;
  'authorized-keys'?: string | undefined;
  challenge?: string | undefined;
  'channel-id'?: string | undefined;
  authid?: string | undefined;
  realm?: string | undefined;
  'peer-address'?: string | undefined;
  certificate?: string | undefined;
  'revoked-keys'?: string | undefined;
}

export function readList(path: string): string {
  return readBoundedFile(path, 'authorized keys file', { maxBytes: MAX_AUTHORIZED_KEYS_BYTES }).toString('utf8');
}

export async function verifyCommand(args: VerifyArgs, out: (s: string) => void): Promise<void> {
  if (args.challenge === undefined) throw new UsageError('give the challenge the router sent: --challenge HEX', 'verify');
  if (args.pubkey === undefined && args['authorized-keys'] === undefined) {
    throw new UsageError('give the client key: --pubkey HEX or --authorized-keys FILE', 'verify');
  }
  if ((args.authid !== undefined || args.realm !== undefined || args['peer-address'] !== undefined) && args['authorized-keys'] === undefined) {
    throw new UsageError('--authid, --realm and --peer-address go with --authorized-keys', 'verify');
  }
  parseChallenge(args.challenge);
  const channelId = args['channel-id'] === undefined ? undefined : parseChannelId(args['channel-id']);
  const pubkey = args.pubkey === undefined ? undefined : bytesOrHex(args.pubkey, 'public key', 32, 'INVALID_PUBLIC_KEY');
  const listPath = args['authorized-keys'];
  const list = listPath === undefined ? undefined : parseAuthorizedKeys(readList(listPath));
  if (args.certificate !== undefined && list === undefined) throw new UsageError('--certificate goes with --authorized-keys (its cert-authority lines)', 'verify');
  const revoked = args['revoked-keys'] === undefined ? undefined : loadRevokedKeysFile(args['revoked-keys']);
  const certificate = args.certificate === undefined ? undefined : readCertificateFile(args.certificate);
  const signature = await readStdinValue('signature', 'INVALID_SIGNATURE');
  const opts = {
    ...(channelId ? { channelId } : {}),
    ...(args.authid !== undefined ? { authid: args.authid } : {}),
    ...(args.realm !== undefined ? { realm: args.realm } : {}),
    ...(args['peer-address'] !== undefined ? { peerAddress: args['peer-address'] } : {}),
  };

  if (list && certificate) {
    // a certificate login: the router's checks (cert-authority, principals, options, revocation), then the signature
    const p = certificatePrincipal(list, {
      certificate,
      pubkey: pubkey ? toHex(pubkey) : certificate.ed25519 ? toHex(certificate.ed25519) : '',
      authid: args.authid,
      realm: args.realm,
      peerAddress: args['peer-address'],
      revoked,
    });
    const r = list.checkSignature(p, args.challenge, signature, opts);
    if (!r.ok) throw new CliFailure(r.code, r.reason);
    out(`ok ${escapeText(p.name, 1000)} (certificate ${quoted(p.certificate?.keyId ?? '')} serial ${p.certificate?.serial})\n`);
    return;
  }
  const revokedWhy = (key: Uint8Array) => revoked?.revocationOf(ed25519Blob(key));
  if (list && pubkey) {
    if (revokedWhy(pubkey)) throw new CliFailure('KEY_REVOKED', `the key is revoked (${revokedWhy(pubkey)})`);
    const r = list.check(pubkey, args.challenge, signature, opts);
    if (!r.ok) throw new CliFailure(r.code, r.reason);
    out(`ok ${escapeText(r.principal.name, 1000)}\n`);
    return;
  }
  if (list) {
    if (list.principals.length === 0) {
      const first = list.skipped[0];
      const why = first ? ` (line ${first.line} skipped: ${escapeText(first.reason)})` : '';
      throw new CliFailure('AUTH_UNKNOWN_KEY', `${listPath} lists no Ed25519 key${why}`);
    }
    // no pubkey given: the principal whose key made the signature (each key checked strictly)
    for (const p of list.principals) {
      if (!verifyChallengeSignature(list.verifyKeyOf(p), args.challenge, signature, opts)) continue;
      const r = list.check(p.publicKey, args.challenge, signature, { ...opts, authid: args.authid ?? p.name });
      if (!r.ok) throw new CliFailure(r.code, r.reason);
      if (revokedWhy(p.publicKey)) throw new CliFailure('KEY_REVOKED', `the key of ${escapeText(p.name, 200)} is revoked (${revokedWhy(p.publicKey)})`);
      out(`ok ${escapeText(r.principal.name, 1000)}\n`);
      return;
    }
    throw new CliFailure('AUTH_SIGNATURE_WRONG', `signature does not verify for any of the ${list.principals.length} keys in ${listPath}`);
  }
  const key = pubkey as Uint8Array;
  if (revokedWhy(key)) throw new CliFailure('KEY_REVOKED', `the key is revoked (${revokedWhy(key)})`);
  if (!verifyChallengeSignature(key, args.challenge, signature, opts)) {
    throw new CliFailure('AUTH_SIGNATURE_WRONG', 'signature does not verify for this key and challenge');
  }
  out(`ok ${toHex(key)}\n`);
}
