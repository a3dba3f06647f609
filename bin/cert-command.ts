/**
 * `cert`: an OpenSSH certificate as this package reads it (ssh-keygen -L's
 * fields, the CA signature verified here), and — given an authorized_keys
 * file — what the router would do with it: accepted as which authid (line,
 * role, realm), or refused with the code. With --known-hosts and --host, the
 * same for a router's host certificate as a client would check it.
 * Exit 0 when the certificate is accepted (or only shown), 1 when refused.
 */
import { AuthError, CryptosignKeysError } from '../lib/index.js';
import { describeCertificate, readBoundedFile, readCertificateFile, toHex, type SshCertificate } from '../lib/ssh.js';
import { KnownHosts, routerHostOf } from '../lib/handshake.js';
import { certificatePrincipal, loadAuthorizedKeysFile, loadRevokedKeysFile } from '../lib/router.js';
import type { CliIo } from './cli-io.js';
import { CliFailure, UsageError } from './cli-errors.js';

export interface CertArgs {
  certificate?: string | undefined;
  'authorized-keys'?: string | undefined;
  authid?: string | undefined;
  realm?: string | undefined;
  'peer-address'?: string | undefined;
  'revoked-keys'?: string | undefined;
  'known-hosts'?: string | undefined;
  url?: string | undefined;
  json?: boolean | undefined;
}

function verdictForRouter(cert: SshCertificate, args: CertArgs): string {
  const list = loadAuthorizedKeysFile(args['authorized-keys'] as string);
  const revoked = args['revoked-keys'] === undefined ? undefined : loadRevokedKeysFile(args['revoked-keys']);
  try {
    const p = certificatePrincipal(list, {
      certificate: cert,
      pubkey: cert.ed25519 ? toHex(cert.ed25519) : '',
      authid: args.authid,
      realm: args.realm,
      peerAddress: args['peer-address'],
      revoked,
    });
    return `accepted: authid ${JSON.stringify(p.name)} (line ${p.line}${p.role !== undefined ? `, role ${JSON.stringify(p.role)}` : ''}${p.realm !== undefined ? `, realm ${JSON.stringify(p.realm)}` : ''})`;
  } catch (e) {
    if (e instanceof AuthError) throw new CliFailure(e.code, e.message);
    throw e;
  }
}

function verdictForClient(cert: SshCertificate, args: CertArgs): string {
  const text = readBoundedFile(args['known-hosts'] as string, 'known_hosts file', { maxBytes: 16 * 1024 * 1024 }).toString('utf8');
  const host = routerHostOf(args.url as string);
  const r = new KnownHosts(text).check(host.name, host.host, cert);
  if (!r.ok) throw new CliFailure(r.code, r.reason);
  return `accepted for ${host.name}: via ${r.via} (known_hosts line ${r.line})`;
}

export async function certCommand(args: CertArgs, io: CliIo): Promise<void> {
  const out = (s: string) => io.stdout(s);
  const c = 'cert';
  const path = args.certificate;
  if (path === undefined) throw new UsageError('give the certificate: --certificate FILE (…-cert.pub)', c);
  if (args['known-hosts'] !== undefined && args['authorized-keys'] !== undefined) throw new UsageError('check as a router (--authorized-keys) or as a client (--known-hosts), not both', c);
  if (args['known-hosts'] !== undefined && args.url === undefined) throw new UsageError('--known-hosts needs the router --url it would be reached at', c);
  for (const [opt, v] of [['--authid', args.authid], ['--realm', args.realm], ['--peer-address', args['peer-address']], ['--revoked-keys', args['revoked-keys']]] as const) {
    if (v !== undefined && args['authorized-keys'] === undefined) throw new UsageError(`${opt} goes with --authorized-keys`, c);
  }
  let cert: SshCertificate;
  try {
    cert = readCertificateFile(path);
  } catch (e) {
    if (e instanceof CryptosignKeysError) throw new CliFailure(e.code, e.message);
    throw e;
  }
  // the verdict first: on a refusal nothing goes to stdout
  const verdict =
    args['authorized-keys'] !== undefined ? verdictForRouter(cert, args) : args['known-hosts'] !== undefined ? verdictForClient(cert, args) : undefined;
  if (args.json) {
    out(
      JSON.stringify(
        {
          type: cert.type,
          certType: cert.certType,
          keyId: cert.keyId,
          serial: cert.serial.toString(),
          principals: cert.principals,
          validAfter: cert.validAfter.toString(),
          validBefore: cert.validBefore.toString(),
          criticalOptions: cert.criticalOptions.map((o) => ({ name: o.name, ...(o.value !== undefined ? { value: o.value } : {}) })),
          extensions: cert.extensions.map((o) => o.name),
          key: cert.key.fingerprint,
          ...(cert.ed25519 ? { publicKeyHex: toHex(cert.ed25519) } : {}),
          ca: cert.caKey.fingerprint,
          signatureAlgorithm: cert.signatureAlgorithm,
          ...(verdict !== undefined ? { verdict } : {}),
        },
        null,
        2,
      ) + '\n',
    );
    return;
  }
  out(`${path}:\n`);
  for (const line of describeCertificate(cert)) out(`        ${line}\n`);
  if (verdict !== undefined) out(`${verdict}\n`);
}
