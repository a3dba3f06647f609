/** `list`: the keys in ssh-agent, as ssh-add -l / -L print them, plus the WAMP public key hex; or JSON. */
import { listAgentKeys, toHex } from '../lib/index.js';
import { fingerprintLine, publicKeyLine } from '../lib/ssh.js';
import type { CliIo } from './cli-io.js';
import { CliFailure, UsageError } from './cli-errors.js';
import { agentSocket, parseTimeout } from './key-option-spec.js';
import { certificateOfBlob, certificateTime, certificateSummary } from '../lib/ssh.js';

export interface ListArgs {
  json?: boolean | undefined;
  L?: boolean | undefined;
  socket?: string | undefined;
  timeout?: string | undefined;
}

function certificateJson(blob: Uint8Array): { certificate?: object } {
  const c = certificateOfBlob(blob);
  if (!c) return {};
  return {
    certificate: {
      certType: c.certType,
      keyId: c.keyId,
      serial: c.serial.toString(),
      principals: c.principals,
      validAfter: certificateTime(c.validAfter),
      validBefore: certificateTime(c.validBefore),
      ca: c.caKey.fingerprint,
      ...(c.ed25519 ? { publicKeyHex: toHex(c.ed25519) } : {}),
    },
  };
}

export async function listCommand(args: ListArgs, io: CliIo): Promise<void> {

  if (args.json && args.L) throw new UsageError('choose --json or -L, not both', 'list');
  const timeoutMs = parseTimeout(args.timeout, 'list');
  const keys = await listAgentKeys({
    socketPath: agentSocket(args.socket, io),
    ...(timeoutMs !== undefined ? { timeoutMs } : {}),
  });
  if (args.json) {
    io.stdout(
      JSON.stringify(
        keys.map((k) => ({
          type: k.type,
          label: k.label,
          bits: k.bits,
          fingerprint: k.fingerprint,
          comment: k.comment,
          usable: k.usable,
          ...(k.publicKeyHex ? { publicKeyHex: k.publicKeyHex } : {}),
          ...(k.reason ? { reason: k.reason } : {}),
          publicKey: Buffer.from(k.blob).toString('base64'),
          ...certificateJson(k.blob),
        })),
        null,
        2,
      ) + '\n',
    );
    return;
  }
  if (keys.length === 0) throw new CliFailure('AGENT_KEY_NOT_FOUND', 'The agent has no identities (if it is locked, `ssh-add -X` unlocks it).');
  for (const k of keys) {
    if (args.L) io.stdout(publicKeyLine(k, k.comment) + '\n');
    else {
      io.stdout(fingerprintLine(k, k.comment) + (k.ed25519 ? ' ' + toHex(k.ed25519) : '') + '\n');
      const cert = certificateOfBlob(k.blob);
      if (cert) io.stdout(`    ${certificateSummary(cert)}\n`);
    }
  }
}
