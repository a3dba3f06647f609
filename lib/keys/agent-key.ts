/**
 * Keys held in ssh-agent: listing them (every type, marked usable or not)
 * and signing through the agent. Every signature the agent returns is
 * checked against the public key before it is handed out.
 */
import { AgentClient, type AgentClientOptions } from '../agent/client.js';
import { ShowsPublicParts } from './signing-key.js';
import { AgentError } from '../errors.js';
import { publicKeyProblem } from '../crypto/ed25519.js';
import { toHex } from '../crypto/hex.js';
import { ED25519_TYPE, parsePublicKeyBlob, type PublicKeyInfo } from '../ssh/public-key.js';
import { checkSignable, checkTranscriptSignable, type SigningKey } from './signing-key.js';

/**
 * One key the agent holds, as `listAgentKeys` reports it (any type; only plain Ed25519 keys are
 * `usable`).
 */
export interface AgentKeyInfo extends PublicKeyInfo {
  comment: string;
  /** true for plain Ed25519 keys: the only ones cryptosign can use */
  usable: boolean;
  /** why a key is not usable */
  reason?: string;
  /** for usable keys: the public key hex that WAMP authextra.pubkey carries */
  publicKeyHex?: string;
}

/** Where the agent is (see `AgentClientOptions`), or a client to share. */
export interface AgentKeyOptions extends AgentClientOptions {
  /** an existing client to use (it is not closed with the key); default: a new one */
  client?: AgentClient;
}

function describe(id: { blob: Uint8Array; comment: string }): AgentKeyInfo {
  let info: PublicKeyInfo;
  try {
    info = parsePublicKeyBlob(id.blob);
  } catch {
    throw new AgentError('AGENT_MALFORMED_REPLY', 'malformed reply from ssh-agent: a key blob that is not a public key');
  }
  if (info.ed25519) {
    const problem = publicKeyProblem(info.ed25519);
    if (problem) return { ...info, comment: id.comment, usable: false, reason: `an Ed25519 key libsodium refuses (${problem})` };
    return { ...info, comment: id.comment, usable: true, publicKeyHex: toHex(info.ed25519) };
  }
  const reason = info.label.endsWith('-CERT')
    ? 'a certificate; cryptosign uses the plain Ed25519 key'
    : info.label === 'ED25519-SK'
      ? 'a FIDO (sk-) key signs a different message format than cryptosign'
      : 'not Ed25519';
  return { ...info, comment: id.comment, usable: false, reason };
}

/**
 * Every key the agent holds, in the agent's order (what `ssh-add -l` lists), with whether
 * cryptosign can use it.
 */
export async function listAgentKeys(options: AgentKeyOptions = {}): Promise<AgentKeyInfo[]> {
  const client = options.client ?? new AgentClient(options);
  try {
    return (await client.listIdentities()).map(describe);
  } finally {
    if (!options.client) await client.close();
  }
}

/** Does `selector` (public key hex, SHA256 fingerprint, `ssh-ed25519 AAAA…` line, or comment) name this key? */
export function matchesSelector(key: AgentKeyInfo, selector: string): boolean {
  const s = selector.trim();
  if (/^[0-9a-fA-F]{64}$/.test(s)) return key.publicKeyHex === s.toLowerCase();
  if (s.startsWith('SHA256:')) return key.fingerprint === s;
  const line = /^(\S+)\s+(AAAA[A-Za-z0-9+/=]+)(\s|$)/.exec(s);
  if (line) return Buffer.from(key.blob).toString('base64') === line[2];
  return key.comment === selector;
}

function summary(k: AgentKeyInfo): string {
  return `${k.fingerprint} ${k.comment || '(no comment)'} (${k.label})`;
}

/**
 * Opens a key held in the agent. Without a selector, the agent must hold
 * exactly one Ed25519 key.
 */
export async function openAgentKey(selector?: string, options: AgentKeyOptions = {}): Promise<AgentSigningKey> {
  const ownsClient = !options.client;
  const client = options.client ?? new AgentClient(options);
  try {
    const keys = (await client.listIdentities()).map(describe);
    const candidates = selector === undefined ? keys : keys.filter((k) => matchesSelector(k, selector));
    const usable = candidates.filter((k) => k.usable);
    if (usable.length === 1) return new AgentSigningKey(client, usable[0] as AgentKeyInfo, ownsClient);
    if (usable.length > 1) {
      throw new AgentError(
        'AGENT_KEY_AMBIGUOUS',
        `${usable.length} Ed25519 keys in ssh-agent match${selector === undefined ? '' : ` "${selector}"`}; choose one by its SHA256 fingerprint, public key hex or comment: ${usable.map(summary).join('; ')}`,
      );
    }
    if (candidates.length > 0 && selector !== undefined) {
      const k = candidates[0] as AgentKeyInfo;
      throw new AgentError('AGENT_KEY_NOT_ED25519', `the agent key ${summary(k)} is ${k.reason}; cryptosign needs an Ed25519 key`);
    }
    if (selector !== undefined) {
      throw new AgentError(
        'AGENT_KEY_NOT_FOUND',
        keys.length === 0
          ? `no key in ssh-agent matches "${selector}": it lists no keys (add one with ssh-add; if it is locked, \`ssh-add -X\` unlocks it)`
          : `no key in ssh-agent matches "${selector}" (${keys.length} ${keys.length === 1 ? 'key' : 'keys'} listed)`,
      );
    }
    throw new AgentError(
      'AGENT_KEY_NOT_FOUND',
      keys.length === 0
        ? 'ssh-agent holds no keys (add one with `ssh-add ~/.ssh/id_ed25519`; if it is locked, `ssh-add -X` unlocks it)'
        : `ssh-agent holds no Ed25519 key (${keys.length} ${keys.length === 1 ? 'key' : 'keys'} of other types); cryptosign needs one (ssh-keygen -t ed25519, then ssh-add)`,
    );
  } catch (e) {
    if (ownsClient) await client.close();
    throw e;
  }
}

/**
 * A key held by ssh-agent: the private key never leaves the agent, and each signature it returns
 * is verified before it is used. Made by `openAgentKey` (its constructor is internal).
 */
export class AgentSigningKey extends ShowsPublicParts implements SigningKey {
  readonly source = 'agent' as const;
  readonly publicKey: Uint8Array;
  readonly publicKeyHex: string;
  readonly comment: string;
  readonly fingerprint: string;
  readonly #blob: Uint8Array;
  // private fields: util.inspect, JSON.stringify, Object.keys and structuredClone never see the agent client
  readonly #client: AgentClient;
  readonly #ownsClient: boolean;

  constructor(client: AgentClient, info: AgentKeyInfo, ownsClient: boolean) {
    super();
    this.#client = client;
    this.#ownsClient = ownsClient;
    if (!info.usable || !info.ed25519 || info.type !== ED25519_TYPE) {
      throw new AgentError('AGENT_KEY_NOT_ED25519', `the agent key ${summary(info)} is not an Ed25519 key`);
    }
    this.publicKey = info.ed25519;
    this.publicKeyHex = toHex(info.ed25519);
    this.comment = info.comment;
    this.fingerprint = info.fingerprint;
    this.#blob = info.blob;
  }

  #closed = false;

  async sign(data: Uint8Array): Promise<Uint8Array> {
    // closed means closed, also on a shared client
    if (this.#closed) throw new AgentError('AGENT_CLOSED', 'this agent key was closed and can no longer sign');
    checkSignable('agent', data);
    return this.#agentSign(data);
  }

  /** Signs a transcript-mode message (see checkTranscriptSignable), and nothing else. */
  async signTranscript(message: Uint8Array): Promise<Uint8Array> {
    if (this.#closed) throw new AgentError('AGENT_CLOSED', 'this agent key was closed and can no longer sign');
    checkTranscriptSignable(message);
    return this.#agentSign(message);
  }

  async #agentSign(data: Uint8Array): Promise<Uint8Array> {
    // AgentClient.sign checks an Ed25519 answer: the right type, and verifying (strictly) for this data
    const { signature } = await this.#client.sign(this.#blob, data);
    return signature;
  }

  async close(): Promise<void> {
    this.#closed = true;
    if (this.#ownsClient) await this.#client.close();
  }

}
