/** `verify`: the router side by hand: checks an AUTHENTICATE signature read from stdin, strictly. */
import { parseHex, toHex, verifyChallengeSignature } from '../lib/index.js';
import { parseChallenge, parseChannelId } from '../lib/handshake.js';
import { loadAuthorizedKeysFile } from '../lib/router.js';
import type { CliIo } from './cli-io.js';
import { CliFailure, UsageError } from './cli-errors.js';
import { escapeText, quoted } from '../lib/router.js';
import { readStdinValue } from './read-stdin.js';
import { ed25519Blob, readCertificateFile } from '../lib/ssh.js';
import { certificatePrincipal, loadRevokedKeysFile } from '../lib/router.js';

export interface VerifyArgs {
  pubkey?: string | undefined;
  'authorized-keys'?: string | undefined;
  challenge?: string | undefined;
  'channel-id'?: string | undefined;
  authid?: string | undefined;
  realm?: string | undefined;
  'peer-address'?: string | undefined;
  json?: boolean | undefined;
  certificate?: string | undefined;
  'revoked-keys'?: string | undefined;
}

/** "ok PRINCIPAL", or with --json {"ok": true, "principal": …, "publicKeyHex": …} */
function ok(args: VerifyArgs, io: CliIo, principal: string, publicKeyHex: string): void {
  io.stdout(args.json ? JSON.stringify({ ok: true, principal, publicKeyHex }, null, 2) + '\n' : `ok ${escapeText(principal, 1000)}\n`);
}

export async function verifyCommand(args: VerifyArgs, io: CliIo): Promise<void> {
  if (args.challenge === undefined) throw new UsageError('give the challenge the router sent: --challenge HEX', 'verify');
  if (args.pubkey === undefined && args['authorized-keys'] === undefined) {
    throw new UsageError('give the client key: --pubkey HEX or --authorized-keys FILE', 'verify');
  }
  if ((args.authid !== undefined || args.realm !== undefined || args['peer-address'] !== undefined) && args['authorized-keys'] === undefined) {
    throw new UsageError('--authid, --realm and --peer-address go with --authorized-keys', 'verify');
  }
  parseChallenge(args.challenge);
  const channelId = args['channel-id'] === undefined ? undefined : parseChannelId(args['channel-id']);
  const pubkey = args.pubkey === undefined ? undefined : parseHex(args.pubkey, 'public key', 32, 'INVALID_PUBLIC_KEY');
  const listPath = args['authorized-keys'];
  const list = listPath === undefined ? undefined : loadAuthorizedKeysFile(listPath);
  const signature = await readStdinValue(io, 'signature', 'INVALID_SIGNATURE');
  if (args.certificate !== undefined && list === undefined) throw new UsageError('--certificate goes with --authorized-keys (its cert-authority lines)', 'verify');
  const revoked = args['revoked-keys'] === undefined ? undefined : loadRevokedKeysFile(args['revoked-keys']);
  const certificate = args.certificate === undefined ? undefined : readCertificateFile(args.certificate);
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
    if (args.json) ok(args, io, p.name, toHex(p.publicKey));
    else io.stdout(`ok ${escapeText(p.name, 1000)} (certificate ${quoted(p.certificate?.keyId ?? '')} serial ${p.certificate?.serial})\n`);
    return;
  }
  const revokedWhy = (key: Uint8Array) => revoked?.revocationOf(ed25519Blob(key));
  if (list && pubkey) {
    if (revokedWhy(pubkey)) throw new CliFailure('KEY_REVOKED', `the key is revoked (${revokedWhy(pubkey)})`);
    const r = list.check(pubkey, args.challenge, signature, opts);
    if (!r.ok) throw new CliFailure(r.code, r.reason);
    ok(args, io, r.principal.name, toHex(pubkey));
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
      ok(args, io, r.principal.name, toHex(p.publicKey));
      return;
    }
    throw new CliFailure('AUTH_SIGNATURE_WRONG', `signature does not verify for any of the ${list.principals.length} keys in ${listPath}`);
  }
  const key = pubkey as Uint8Array;
  if (revokedWhy(key)) throw new CliFailure('KEY_REVOKED', `the key is revoked (${revokedWhy(key)})`);
  if (!verifyChallengeSignature(key, args.challenge, signature, opts)) {
    throw new CliFailure('AUTH_SIGNATURE_WRONG', 'signature does not verify for this key and challenge');
  }
  ok(args, io, toHex(key), toHex(key));
}
