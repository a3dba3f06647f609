/**
 * `verify-router`: router authentication by hand, for clients this package
 * does not wire: checks the router's answer (CHALLENGE.extra pubkey and
 * signature) over the challenge we sent in HELLO, against trusted router keys.
 */
import { RouterKeys, parseChallenge, parseChannelId, verifyRouterSignature } from '../lib/handshake.js';
import { readBoundedFile } from '../lib/ssh.js';
import type { CliIo } from './cli-io.js';
import { CliFailure, UsageError } from './cli-errors.js';
import { readStdinValue } from './read-stdin.js';

/** a key list is a few lines; anything near this is a wrong file */
const MAX_ROUTER_KEYS_BYTES = 1024 * 1024;

export interface VerifyRouterArgs {
  'router-key'?: string[] | undefined;
  'router-keys'?: string | undefined;
  challenge?: string | undefined;
  'channel-id'?: string | undefined;
  pubkey?: string | undefined;
  json?: boolean | undefined;
}

/** stdin: CHALLENGE.extra as JSON, or (with --pubkey) the router's signature hex alone. */
function readAnswer(text: string, pubkey: string | undefined): { pubkey?: unknown; signature?: unknown } {
  if (!text.startsWith('{')) return { pubkey, signature: text };
  let extra: unknown;
  try {
    extra = JSON.parse(text);
  } catch {
    throw new CliFailure('ROUTER_NOT_AUTHENTICATED', 'stdin is not valid JSON (expected CHALLENGE.extra, or the signature hex with --pubkey)');
  }
  const e = (extra ?? {}) as { pubkey?: unknown; signature?: unknown };
  return { pubkey: pubkey ?? e.pubkey, signature: e.signature };
}

export async function verifyRouterCommand(args: VerifyRouterArgs, io: CliIo): Promise<void> {
  if (args.challenge === undefined) throw new UsageError('give the challenge you sent in HELLO authextra: --challenge HEX', 'verify-router');
  const hexKeys = args['router-key'] ?? [];
  if (hexKeys.length === 0 && args['router-keys'] === undefined) {
    throw new UsageError('give the trusted router keys: --router-key HEX (repeatable) or --router-keys FILE', 'verify-router');
  }
  parseChallenge(args.challenge);
  const channelId = args['channel-id'] === undefined ? undefined : parseChannelId(args['channel-id']);
  const trusted = new RouterKeys([...hexKeys, ...(args['router-keys'] === undefined ? [] : [readBoundedFile(args['router-keys'], 'router keys file', { maxBytes: MAX_ROUTER_KEYS_BYTES }).toString('utf8')])]);
  const answer = readAnswer(await readStdinValue(io, 'router answer (CHALLENGE.extra JSON, or signature)', 'ROUTER_NOT_AUTHENTICATED'), args.pubkey);
  const router = verifyRouterSignature(trusted, args.challenge, answer, channelId ? { channelId } : {});
  io.stdout(args.json ? JSON.stringify({ ok: true, routerKey: router }, null, 2) + '\n' : `ok ${router}\n`);
}
