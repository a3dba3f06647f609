/** The usage texts of the CLI and its commands; the version comes from package.json. */
import { readFileSync } from 'node:fs';

/** The package's version, read from its package.json (two levels above dist/bin/). */
export function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: unknown };
  return typeof pkg.version === 'string' ? pkg.version : 'unknown';
}

const KEY_OPTIONS = `Key (exactly one):
  --agent [SELECTOR]       a key in ssh-agent (SSH_AUTH_SOCK or --socket). SELECTOR is the
                           public key hex, the SHA256:… fingerprint, or the comment; without
                           one, the agent must hold exactly one Ed25519 key
                           (a SELECTOR that starts with "-": --agent=SELECTOR)
  --key FILE               an OpenSSH (ssh-keygen -t ed25519) or PEM PKCS#8 private key file
  --seed-file FILE         32 raw bytes, 64 hex digits, or a crossbar key file
                           (private-key-ed25519: …)
  --passphrase-file FILE   passphrase for an encrypted --key (else asked on the terminal)
  --socket PATH            agent socket (default: $SSH_AUTH_SOCK); also \`pageant\` or a
                           Windows pipe
  --timeout MS             how long one agent request may take (default 10000; a signature
                           60000, as an ssh-add -c key waits for a person to confirm)`;

export const HELP: Record<string, string> = {
  cert: `Usage: cryptosign-keys cert --certificate FILE [--json]
       [--authorized-keys FILE [--authid NAME] [--realm REALM] [--peer-address IP] [--revoked-keys FILE]]
       [--known-hosts FILE --url URL]

Shows an OpenSSH certificate (…-cert.pub) as ssh-keygen -L does, its CA
signature verified by this package. With --authorized-keys: what the router
would do with it (cert-authority lines, principals=, the line's options, the
certificate's checks, --revoked-keys as sshd's RevokedKeys): "accepted: authid …"
or a refusal with its code. With --known-hosts and the router's --url: the same
for a router's host certificate, as the client checks it (@cert-authority).
  --json     the fields (and the verdict) as JSON
Exit status: 0 shown or accepted, 1 refused or unreadable, 2 bad usage.`,
  main: `cryptosign-keys VERSION: Ed25519 keys for WAMP-cryptosign from ssh-agent, key files or seeds

Usage: cryptosign-keys <command> [options]

Commands:
  list      list the keys in ssh-agent (like ssh-add -l, with the WAMP public key hex)
  sign      sign a challenge read from stdin; prints the AUTHENTICATE signature hex
  pubkey    print a key's public key hex (for authextra.pubkey or the router's list)
  verify    check a signature read from stdin (the router side)
  verify-router  check a router's answer to our challenge (router authentication)
  authenticator  a crossbar dynamic authenticator answering from an authorized_keys file
  cert      show an OpenSSH certificate and what a router (or client) would accept
  demo      run the whole flow on a private throwaway ssh-agent and key

Options: --help (also after a command), --version; --json on every command that prints data
Exit status: 0 success, 1 failure, 2 bad usage or no ssh-agent to be reached (as ssh-add -l).
Errors go to stderr, on one line ending in [CODE]; on a terminal, a notice shows while a key
decrypts or the agent waits for a confirmation (ssh-add -c).`,
  list: `Usage: cryptosign-keys list [--json | -L] [--socket PATH] [--timeout MS]

Lists the keys in ssh-agent, one line each, as ssh-add -l does
(bits, SHA256 fingerprint, comment, (TYPE)), followed by the public key hex
for the Ed25519 keys cryptosign can use.
  --json     a JSON array with every field
  -L         public key lines, as ssh-add -L does
Exits 1 when the agent holds no keys (as ssh-add -l does); with --json an
empty agent is the answer [] and exit status 0. Exits 2 when no agent can be
reached (SSH_AUTH_SOCK unset, the socket gone).`,
  sign: `Usage: cryptosign-keys sign (--agent [SELECTOR] | --key FILE | --seed-file FILE) [--channel-id HEX] [--json]

Reads the router's challenge (64 hex digits) from stdin and prints the
signature AUTHENTICATE carries (192 hex digits) and a newline.
  --channel-id HEX   the 32-byte TLS channel id (tls-unique channel binding)
  --json             {"signature", "publicKeyHex", "fingerprint"}

${KEY_OPTIONS}`,
  pubkey: `Usage: cryptosign-keys pubkey (--agent [SELECTOR] | --key FILE | --seed-file FILE) [--ssh | --json]

Prints the key's Ed25519 public key as 64 hex digits, for authextra.pubkey.
An encrypted OpenSSH key file needs no passphrase: its public key is in the
clear (as for ssh-keygen -l); with --passphrase-file it is decrypted and checked.
  --ssh    print an OpenSSH public key line instead (for authorized_keys)
  --json   {"publicKeyHex", "fingerprint", "comment", "ssh"}

${KEY_OPTIONS}`,
  verify: `Usage: cryptosign-keys verify (--pubkey HEX | --authorized-keys FILE) --challenge HEX [--channel-id HEX]
                              [--authid NAME] [--realm REALM] [--peer-address IP] [--json]
                              [--certificate FILE] [--revoked-keys FILE]

Reads a signature (192 hex digits, as AUTHENTICATE carries it) from stdin and
checks it against the challenge, with libsodium's strict rules. Prints "ok"
and the principal (wamp-authid, else the comment of the authorized_keys line,
else the public key hex) and exits 0; exits 1 with the reason's [CODE] when it
is refused.
  --pubkey HEX            the client's public key (authextra.pubkey)
  --authorized-keys FILE  OpenSSH authorized_keys, or lines "<pubkey hex> <principal>";
                          with --pubkey, the key must be listed in it
  --challenge HEX         the challenge the router sent
  --channel-id HEX        the TLS channel id, when channel binding is used
  --authid NAME           the authid the client asked for (the key must be listed under it)
  --realm REALM           the realm the client joins (a principal with wamp-realm needs it)
  --peer-address IP       the client's address, for from="…" options
  --certificate FILE      the client's OpenSSH certificate (…-cert.pub, HELLO authextra.certificate):
                          checked against the cert-authority lines of --authorized-keys
  --revoked-keys FILE     sshd's RevokedKeys: a KRL (ssh-keygen -k) or public keys
  --json                  {"ok": true, "principal", "publicKeyHex"}`,
  'verify-router': `Usage: cryptosign-keys verify-router (--router-key HEX ... | --router-keys FILE) --challenge HEX
                                     [--channel-id HEX] [--pubkey HEX] [--json]

Router authentication by hand: reads the router's answer from stdin, either
CHALLENGE.extra as one line of JSON ({"pubkey": …, "signature": …}) or, with
--pubkey, the signature hex alone, and checks that a trusted router key signed
the challenge you sent in HELLO authextra (XOR the channel id when bound),
with libsodium's strict rules. Prints "ok" and the router key and exits 0;
exits 1 with [ROUTER_NOT_AUTHENTICATED], [ROUTER_KEY_UNTRUSTED] or
[ROUTER_SIGNATURE_WRONG].
  --router-key HEX     a trusted router public key (repeatable)
  --router-keys FILE   trusted keys: crossbar key.pub (public-key-ed25519: …),
                       authorized_keys lines, or hex keys one per line
  --challenge HEX      the challenge you sent (HELLO authextra.challenge)
  --channel-id HEX     the TLS channel id, when channel binding is used
  --pubkey HEX         the router key, when stdin is the signature alone
  --json               {"ok": true, "routerKey"}`,
  authenticator: `Usage: cryptosign-keys authenticator --url URL --realm REALM --procedure URI
                                     --authorized-keys FILE [--default-role ROLE]
                                     (--agent [SELECTOR] | --key FILE | --seed-file FILE) [--authid NAME]
                                     [--channel-binding tls-unique|tls-exporter] [--router-key HEX ...] [--ca FILE]

A crossbar dynamic authenticator for cryptosign. Joins the router at URL (realm
REALM, logging in with cryptosign with the key given), registers URI, and answers
crossbar's calls (realm, authid, details) from FILE: the principal whose key is
details.authextra.pubkey, with its wamp-role (else --default-role), wamp-realm,
expiry-time and from= honoured; otherwise an error, and crossbar refuses the
login. FILE is re-read when it changes; if it breaks, every login is refused
until it is fixed. One log line per decision on stderr (public fingerprints
only). Runs until SIGINT/SIGTERM (exit 0); exits 1 when the session ends.
  --url URL                 ws:// or wss:// address of the router
  --realm REALM             the realm to register in (crossbar: "authenticator-realm")
  --procedure URI           the procedure (crossbar: "authenticator")
  --authorized-keys FILE    the principals (see README: line format)
  --default-role ROLE       role for lines without wamp-role (else they are refused)
  --authid NAME             the authid of this authenticator's own login
  --channel-binding TYPE    bind its own login to the TLS channel (wss only)
  --router-key HEX          require the router to prove this key (repeatable)
  --ca FILE                 CA certificate(s) to trust for wss
  --revoked-keys FILE       sshd's RevokedKeys: a KRL (ssh-keygen -k) or public keys, re-read when it changes

${KEY_OPTIONS}`,
  demo: `Usage: cryptosign-keys demo [--agent [SELECTOR] | --key FILE | --seed-file FILE]

Runs the whole cryptosign flow and prints what happens: without a key option
it starts a private, throwaway ssh-agent with a fresh Ed25519 key (made by
ssh-keygen), lists it, signs a random challenge through the agent, verifies
the signature as a router would, and cleans up.

${KEY_OPTIONS}`,
};
