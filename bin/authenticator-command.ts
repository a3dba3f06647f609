/**
 * `authenticator`: a crossbar dynamic authenticator for cryptosign, answered
 * from an authorized-keys file that is followed on disk. Joins the router
 * with its own cryptosign key, registers the procedure, and runs until
 * SIGINT/SIGTERM (then leaves, exit 0) or the session ends (exit 1: a
 * supervisor restarts it). Logs one line per decision on stderr; keys appear
 * only as public fingerprints, nothing secret is logged.
 */
import { parseHex } from '../lib/index.js';
import { checkBindingType } from '../lib/handshake.js';
import { AuthorizedKeysFile, RevokedKeysFile } from '../lib/router.js';
import { runCrossbarAuthenticator, type Decision } from '../lib/crossbar.js';
import { ed25519Blob, fingerprintOfBlob, readBoundedFile } from '../lib/ssh.js';
import { escapeText, quoted } from '../lib/router.js';
import type { CliIo } from './cli-io.js';
import { CliFailure, UsageError } from './cli-errors.js';
import { checkKeyArgs, openKey, type KeyArgs } from './key-options.js';

export interface AuthenticatorArgs extends KeyArgs {
  url?: string | undefined;
  realm?: string | undefined;
  procedure?: string | undefined;
  'authorized-keys'?: string | undefined;
  'default-role'?: string | undefined;
  authid?: string | undefined;
  'channel-binding'?: string | undefined;
  'router-key'?: string[] | undefined;
  ca?: string | undefined;
  'revoked-keys'?: string | undefined;
}

function keyName(pubkey: unknown): string {
  if (typeof pubkey !== 'string' || !/^[0-9a-fA-F]{64}$/.test(pubkey)) return '(no valid pubkey)';
  return fingerprintOfBlob(ed25519Blob(parseHex(pubkey, 'public key')));
}

/** one line per decision: what was asked, and the answer (public data only) */
export function decisionLine(d: Decision): string {
  // everything here came from the wire or the principals file: escaped and bounded, one decision one line
  const q = (v: unknown) => (v === undefined || v === null ? 'null' : typeof v === 'string' ? quoted(v) : `(${typeof v})`);
  const asked = `realm=${q(d.realm)} authid=${q(d.authid)} key=${keyName(d.pubkey)} peer=${d.peer === undefined ? '-' : escapeText(d.peer, 80)}`;
  return d.ok ? `allow ${asked} -> authid=${q(d.principal)} role=${q(d.role)}` : `deny ${asked}: ${escapeText(d.reason, 500)} [${d.code}]`;
}

export async function authenticatorCommand(args: AuthenticatorArgs, io: CliIo): Promise<void> {
  const c = 'authenticator';
  const log = (line: string) => io.stderr(`cryptosign-keys authenticator: ${line}\n`);
  for (const [opt, v] of [['--url URL', args.url], ['--realm REALM', args.realm], ['--procedure URI', args.procedure], ['--authorized-keys FILE', args['authorized-keys']]] as const) {
    if (v === undefined) throw new UsageError(`give ${opt}`, c);
  }
  if (!/^wss?:\/\//i.test(args.url as string)) throw new UsageError(`--url must be a ws:// or wss:// URL, got "${args.url}"`, c);
  if (args.ca !== undefined && !/^wss:/i.test(args.url as string)) throw new UsageError('--ca goes with a wss:// URL', c);
  checkKeyArgs(args, c);
  const channelBinding = args['channel-binding'] === undefined ? undefined : checkBindingType(args['channel-binding']);
  const ca = args.ca === undefined ? undefined : readBoundedFile(args.ca, 'CA file', { maxBytes: 1024 * 1024 }).toString('utf8');
  const file = new AuthorizedKeysFile(args['authorized-keys'] as string, {
    onReload: (k) => log(`reloaded ${args['authorized-keys']}: ${k.size} principals`),
    onError: (e) => log(`${e.message} [${e.code}]; refusing every login until the file is fixed`),
  });
  const revoked = args['revoked-keys'] === undefined ? undefined : new RevokedKeysFile(args['revoked-keys']);
  const key = await openKey(args, c, io);
  try {
    const session = await runCrossbarAuthenticator(key, {
      url: args.url as string,
      realm: args.realm as string,
      procedure: args.procedure as string,
      principals: file,
      ...(args.authid !== undefined ? { authid: args.authid } : {}),
      ...(args['default-role'] !== undefined ? { defaultRole: args['default-role'] } : {}),
      ...(channelBinding ? { channelBinding } : {}),
      ...(args['router-key'] ? { routerKeys: args['router-key'] } : {}),
      ...(ca !== undefined ? { tls: { ca } } : {}),
      onDecision: (d) => log(decisionLine(d)),
      ...(revoked ? { revokedKeys: () => revoked.current() } : {}),
    });
    log(`registered ${args.procedure} on ${args.url} (realm ${args.realm}) as ${session.authid === undefined ? '?' : quoted(session.authid)}; ${file.current().size} principals from ${args['authorized-keys']}`);
    let stopping = false;
    const stop = () => {
      if (stopping) return;
      stopping = true;
      log('leaving');
      void session.leave();
    };
    const unsubscribe = io.onStop(stop);
    const end = await session.closed;
    unsubscribe();
    if (!stopping) throw new CliFailure('WAMP_CONNECTION_FAILED', `session ended: ${end.reason}`);
  } finally {
    await key.close();
  }
}
