import { listAgentKeys } from '../lib/keys/agent-key.js';
import { toHex } from '../lib/crypto/hex.js';
import { fingerprintLine, publicKeyLine } from '../lib/ssh/public-key.js';
import { CliFailure, UsageError } from './cli-errors.js';
import { certificateTime, parseCertificate, type SshCertificate } from '../lib/ssh/certificate.js';
import { certificateSummary } from '../lib/keys/certificate-source.js';
import { parseTimeout } from './key-option-spec.js';

export interface ListArgs {
  json?: boolean | undefined;
  L?: boolean | undefined;
  socket?: string | undefined;
  timeout?: string | undefined;
}

/** A certificate identity, parsed and verified by this package (undefined for plain keys and certificates it cannot verify). */
function certificateOf(blob: Uint8Array): SshCertificate | undefined {
  try {
    return parseCertificate(blob);
  } catch {
    return undefined;
  }
}

function certificateJson(blob: Uint8Array): { certificate?: object } {
  const c = certificateOf(blob);
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

export async function listCommand(args: ListArgs, out: (s: string) => void): Promise<void> {
  if (args.json && args.L) throw new UsageError('choose --json or -L, not both', 'list');
  const timeoutMs = parseTimeout(args.timeout, 'list');
  const keys = await listAgentKeys({
    ...(args.socket !== undefined ? { socketPath: args.socket } : {}),
    ...(timeoutMs !== undefined ? { timeoutMs } : {}),
  });
  if (args.json) {
    out(
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
    if (args.L) out(publicKeyLine(k, k.comment) + '\n');
    else {
      out(fingerprintLine(k, k.comment) + (k.ed25519 ? ' ' + toHex(k.ed25519) : '') + '\n');
      const cert = certificateOf(k.blob);
      if (cert) out(`    ${certificateSummary(cert)}\n`);
    }
  }
}
