/**
 * The client side of the WAMP-cryptosign handshake, for any WAMP client:
 *
 * - `cryptosignClient(key, options)`: one call that gives everything a
 *   connection needs: authmethods, authextra (announcing channel binding
 *   up front, carrying a fresh router challenge in every HELLO), the
 *   challenge handler, and for wss the hook that captures the TLS socket
 *   (an https.Agent, and a `ws` WebSocket class that uses it), with
 *   ready-made option sets for autobahn-js (22.x, 26.x) and wampy.
 * - `cryptosignAuthextra`, `autobahnOnChallenge`, `wampyOnChallenge`: the
 *   parts alone, for callers that compute the channel id themselves.
 *
 * Before anything is signed, a challenge handler checks that the router used
 * the channel binding we announced, that a channel id exists when binding was
 * announced, and (with router authentication) that the router's signature over
 * our challenge verifies under a trusted key. A refusal rejects the handler's
 * promise with a coded error; the WAMP client then aborts the handshake.
 */
import { randomBytes } from 'node:crypto';
import { Agent as HttpsAgent, type AgentOptions } from 'node:https';
import { createRequire } from 'node:module';
import type { Duplex } from 'node:stream';
import type { TLSSocket } from 'node:tls';
import { ChannelBindingError, CryptosignKeysError, InputError } from '../../errors.js';
import { toHex } from '../../crypto/hex.js';
import type { SigningKey } from '../../keys/signing-key.js';
import { checkBindingType, tlsChannelId, transcriptChannelId, type ChannelBindingType } from '../channel-binding.js';
import { parseChallenge, parseChannelId, signChallenge } from '../challenge.js';
import { signTranscript, transcriptTextProblem, TRANSCRIPT_VERSION, type TranscriptFields } from '../transcript.js';
import { RouterKeys, verifyRouterSignature, verifyRouterTranscript, type TrustedRouterKeys } from './router-trust.js';
import { autobahnOptions, openAutobahn, type AutobahnLoginOptions, type AutobahnModule, type AutobahnOpened, type AutobahnOpenOptions } from './autobahn.js';
import { wireText } from './handshake-failure.js';
import { connectWampy, type WampyConnectOptions, type WampyLike, type WampyLoginOptions, type WebSocketClass } from './wampy.js';

/** Options for `cryptosignAuthextra`. */
export interface AuthextraOptions {
  /** the TLS channel id; when given, `channel_binding: 'tls-unique'` is announced */
  channelId?: Uint8Array | string;
  /** the binding to announce (default: 'tls-unique' when channelId is given, else none) */
  channelBinding?: ChannelBindingType | null;
}

/**
 * HELLO `authextra` for cryptosign: the public key, the announced channel binding and, with router
 * authentication, our challenge to the router.
 */
export interface CryptosignAuthextra {
  pubkey: string;
  channel_binding: ChannelBindingType | null;
  /** router authentication: our fresh challenge (hex), when asked for */
  challenge?: string;
  [extra: string]: unknown;
}

function announcedBinding(options: { channelBinding?: ChannelBindingType | null; channelId?: unknown }): ChannelBindingType | null {
  if (options.channelBinding !== undefined && options.channelBinding !== null) return checkBindingType(options.channelBinding);
  if (options.channelBinding === null) return null;
  return options.channelId !== undefined ? 'tls-unique' : null;
}

/** HELLO authextra: the public key and the announced channel binding. */
export function cryptosignAuthextra(key: SigningKey, options: AuthextraOptions = {}): CryptosignAuthextra {
  if (options.channelId !== undefined && typeof options.channelId !== 'function') parseChannelId(options.channelId);
  return { pubkey: key.publicKeyHex, channel_binding: announcedBinding(options) };
}

/**
 * Options for `autobahnOnChallenge` and `wampyOnChallenge`: the binding to check and the router
 * keys to trust.
 */
export interface ChallengeHandlerOptions {
  /** the TLS channel id, or a function that returns it at challenge time */
  channelId?: Uint8Array | string | (() => Uint8Array | string | undefined);
  /** the binding announced in HELLO (default: 'tls-unique' when channelId is given, else none) */
  channelBinding?: ChannelBindingType | null;
}

interface HandlerState {
  announced: ChannelBindingType | null;
  /** the channel id of the current connection; throws ChannelBindingError when there is none */
  channelId(): Uint8Array | undefined;
  routerKeys?: RouterKeys;
  /** the router challenges sent since the last CHALLENGE; taken (and forgotten) by each CHALLENGE */
  takeChallenges(): string[];
  /** transcript mode (docs/transcript-binding.md): required, with the HELLO realm and authid it binds */
  transcript?: { realm: string; authid: string };
}

/** A value from CHALLENGE inside one of our messages: a string escaped and bounded (one line), anything else by its type. */
const shownWire = (value: unknown) => (typeof value === 'string' ? wireText(value) : value === null ? 'null' : typeof value);

/** The one challenge answer every handler here uses: checks first, then signs. */
async function answer(key: SigningKey, method: unknown, extra: unknown, state: HandlerState): Promise<string> {
  if (method !== 'cryptosign') {
    throw new InputError('INVALID_ARGUMENT', `cannot answer a ${shownWire(method)} challenge with a cryptosign key`);
  }
  const ex = (extra ?? {}) as { challenge?: unknown; channel_binding?: unknown; pubkey?: unknown; signature?: unknown };
  const sent = state.takeChallenges();
  if (state.transcript && (extra as { transcript?: unknown } | null)?.transcript !== TRANSCRIPT_VERSION) {
    throw new ChannelBindingError(
      'TRANSCRIPT_NOT_CONFIRMED',
      'we asked for transcript mode and the router did not confirm it in CHALLENGE.extra (an old router, or a man in the middle downgrading); not signing',
    );
  }
  const used = ex.channel_binding ?? null;
  if (used !== state.announced) {
    throw new ChannelBindingError(
      'CHANNEL_BINDING_MISMATCH',
      `the router used channel binding ${shownWire(used)} but we asked for ${JSON.stringify(state.announced)}; not signing`,
    );
  }
  let channelId: Uint8Array | undefined;
  if (state.announced !== null) {
    try {
      channelId = state.channelId();
    } catch (e) {
      if (e instanceof CryptosignKeysError) {
        throw new ChannelBindingError('CHANNEL_BINDING_UNAVAILABLE', `${state.announced} channel binding was announced but ${e.message}; not signing`);
      }
      throw e;
    }
    if (channelId === undefined) {
      throw new ChannelBindingError('CHANNEL_BINDING_UNAVAILABLE', `${state.announced} channel binding was announced but there is no channel id (not a TLS connection?); not signing`);
    }
  }
  if (state.transcript) return answerTranscript(key, ex, sent, state, state.transcript, channelId as Uint8Array);
  if (state.routerKeys) {
    verifyRouterSignature(state.routerKeys, sent, ex, channelId ? { channelId } : {});
  }
  return signChallenge(key, ex.challenge as string, channelId ? { channelId } : {});
}

/** Transcript mode, after the confirmation and binding checks: the router's signature first, then ours. */
async function answerTranscript(
  key: SigningKey,
  ex: { challenge?: unknown; pubkey?: unknown; signature?: unknown },
  sent: string[],
  state: HandlerState,
  bound: { realm: string; authid: string },
  channelId: Uint8Array,
): Promise<string> {
  const fields: TranscriptFields = {
    channelBinding: state.announced as ChannelBindingType,
    channelId,
    realm: bound.realm,
    authid: bound.authid,
    clientPublicKey: key.publicKey,
    routerChallenge: parseChallenge(ex.challenge),
  };
  if (state.routerKeys) {
    Object.assign(fields, verifyRouterTranscript(state.routerKeys, sent, ex, (clientChallenge, routerPublicKey) => ({ ...fields, clientChallenge, routerPublicKey })));
  }
  return signTranscript(key, 'client', fields);
}

function staticState(options: ChallengeHandlerOptions): HandlerState {
  const announced = announcedBinding(options);
  return {
    announced,
    channelId() {
      const c = typeof options.channelId === 'function' ? options.channelId() : options.channelId;
      return c === undefined ? undefined : parseChannelId(c);
    },
    takeChallenges: () => [],
  };
}

/** What a router sends in CHALLENGE.extra for cryptosign. */
export interface CryptosignChallengeExtra {
  challenge?: string;
  channel_binding?: string | null;
  /** router authentication: the router's key and its signature over our challenge */
  pubkey?: string;
  signature?: string;
  [extra: string]: unknown;
}

/** `onchallenge` for autobahn-js's Connection options. */
export function autobahnOnChallenge(key: SigningKey, options: ChallengeHandlerOptions = {}) {
  const state = staticState(options);
  return (_session: unknown, method: string, extra: CryptosignChallengeExtra): Promise<string> => answer(key, method, extra, state);
}

/** `onChallenge` for wampy's options. */
export function wampyOnChallenge(key: SigningKey, options: ChallengeHandlerOptions = {}) {
  const state = staticState(options);
  return (method: string, extra: CryptosignChallengeExtra): Promise<string> => answer(key, method, extra, state);
}

// ---- the one-call wiring -----------------------------------------------------------------

/** Options for `cryptosignClient`. */
export interface CryptosignClientOptions {
  /** announce and use TLS channel binding (needs wss://); default none */
  channelBinding?: ChannelBindingType | null;
  /** router authentication: the router keys to trust (hex keys, crossbar key.pub text, authorized_keys lines) */
  routerKeys?: TrustedRouterKeys;
  /** TLS options for wss (ca, servername, client certificate, …); certificates are verified unless you say otherwise */
  tls?: AgentOptions;
  /** called with each coded refusal (the WAMP client only sees that the handler failed) */
  onError?: (error: CryptosignKeysError) => void;
  /**
   * transcript mode (docs/transcript-binding.md): ask for it in HELLO and
   * require it: a router that does not confirm it is refused before anything
   * is signed. Needs `channelBinding` and `realm` (and `authid` when HELLO
   * carries one); `autobahn()`/`wampy()` then set realm and authid too.
   */
  transcript?: boolean;
  /** the HELLO realm (transcript mode binds it) */
  realm?: string;
  /** the HELLO authid (transcript mode binds it; none: '') */
  authid?: string;
}

type WsClass = WebSocketClass;

/**
 * What `cryptosignClient` returns: HELLO authextra, the CHALLENGE handlers and the TLS plumbing
 * for one login identity.
 */
export interface CryptosignClient {
  readonly key: SigningKey;
  readonly authmethods: ['cryptosign'];
  /** HELLO authextra; with router authentication, every read of `challenge` (each HELLO) is a fresh one */
  readonly authextra: CryptosignAuthextra;
  /** autobahn-js `onchallenge(session, method, extra)` */
  readonly onchallenge: (session: unknown, method: string, extra: unknown) => Promise<string>;
  /** wampy `onChallenge(method, extra)` */
  readonly onChallenge: (method: string, extra: unknown) => Promise<string>;
  /** an https.Agent that keeps the TLS socket of the current connection (any ws-based client: `agent`) */
  readonly agent: HttpsAgent;
  /** a `ws` WebSocket class that connects through `agent`: wampy's `ws` option, autobahn-js 26's global WebSocket on Node 20 */
  readonly WebSocket: WsClass;
  /** the TLS socket of the current connection, once there is one */
  readonly socket: TLSSocket | undefined;
  /** the most recent coded refusal, if any */
  readonly lastError: CryptosignKeysError | undefined;
  /**
   * options to spread into `new autobahn.Connection({ realm, authid, ...client.autobahn(url, autobahn) })`
   * (22.x and 26.x). With the autobahn module, the connection uses this login's WebSocket on every
   * Node version (scoped to the connection); without it, a wss:// URL where a global WebSocket
   * exists (Node >= 22) throws AUTOBAHN_GLOBAL_WEBSOCKET. See lib/wamp/client/autobahn.ts.
   */
  autobahn(url: string, autobahn?: AutobahnModule): AutobahnLoginOptions;
  /** options to spread into `new Wampy(url, { realm, authid, ...client.wampy() })` */
  wampy(): WampyLoginOptions;
  /**
   * `await login.connectWampy(Wampy, url, { realm, authid })`: the connected wampy instance, or a
   * rejection with the coded reason (our refusal, WAMP_ABORTED, WAMP_CONNECTION_FAILED) within the
   * handshake — where wampy's own connect() never settles after a refused challenge.
   */
  connectWampy<W extends WampyLike>(Wampy: new (url: string, options: never) => W, url: string, options: WampyConnectOptions): Promise<W>;
  /**
   * `await login.openAutobahn(autobahn, { url, realm, authid? })`: `{ connection, session, details }`
   * once joined, or a rejection with the coded reason; autobahn-js 22 and 26 on any Node version.
   */
  openAutobahn<C extends object>(autobahn: AutobahnModule<C>, options: AutobahnOpenOptions): Promise<AutobahnOpened<C>>;
}

const isWss = (url: unknown) => typeof url === 'string' && /^wss:/i.test(url);

/** Transcript mode's settings, checked up front: binding, realm, authid, a key that can sign transcripts. */
function transcriptOptions(key: SigningKey, options: CryptosignClientOptions, announced: ChannelBindingType | null): { realm: string; authid: string } | undefined {
  if (options.transcript === undefined || options.transcript === false) return undefined;
  if (options.transcript !== true) throw new InputError('INVALID_ARGUMENT', 'transcript must be true or false');
  if (announced === null) {
    throw new InputError('INVALID_ARGUMENT', 'transcript mode binds the TLS channel: it needs channelBinding (tls-exporter or tls-unique)');
  }
  if (typeof options.realm !== 'string' || options.realm === '') throw new InputError('INVALID_ARGUMENT', 'transcript mode binds the realm: give realm');
  if (options.authid !== undefined && typeof options.authid !== 'string') throw new InputError('INVALID_ARGUMENT', 'authid must be a string');
  // a realm or authid with no transcript is refused here, not at the first CHALLENGE (or as a wrong router signature)
  for (const [what, value] of [['realm', options.realm], ['authid', options.authid ?? '']] as const) {
    const problem = transcriptTextProblem(value);
    if (problem) throw new InputError('INVALID_ARGUMENT', `transcript mode binds the ${what}, and this ${what} ${problem}`);
  }
  if (typeof key.signTranscript !== 'function') {
    throw new InputError('INVALID_ARGUMENT', 'transcript mode needs a key with signTranscript (every key of this package has one)');
  }
  return { realm: options.realm, authid: options.authid ?? '' };
}

let wsModule: WsClass | undefined;
function loadWs(): WsClass {
  // ws is what autobahn-js and wampy use on Node; it comes with them
  wsModule ??= createRequire(import.meta.url)('ws') as WsClass;
  return wsModule;
}

/**
 * Everything a WAMP connection needs to log in with `key`: channel binding
 * taken from the live TLS socket, and router authentication when
 * `routerKeys` is given.
 */
export function cryptosignClient(key: SigningKey, options: CryptosignClientOptions = {}): CryptosignClient {
  if (!key || typeof key.sign !== 'function' || typeof key.publicKeyHex !== 'string') {
    throw new InputError('INVALID_ARGUMENT', 'cryptosignClient needs a SigningKey');
  }
  const announced = options.channelBinding === undefined || options.channelBinding === null ? null : checkBindingType(options.channelBinding);
  const routerKeys = options.routerKeys === undefined ? undefined : new RouterKeys(options.routerKeys);
  const transcript = transcriptOptions(key, options, announced);
  let socket: TLSSocket | undefined;
  let lastError: CryptosignKeysError | undefined;
  // the challenges sent in HELLOs since the last CHALLENGE: a reconnect never reuses one
  let pending: string[] = [];

  class CapturingAgent extends HttpsAgent {
    override createConnection(...args: unknown[]): Duplex {
      const s = (HttpsAgent.prototype as unknown as { createConnection: (...a: unknown[]) => Duplex }).createConnection.apply(this, args);
      socket = s as TLSSocket;
      return s;
    }
  }
  const agent = new CapturingAgent({ keepAlive: false, ...options.tls });

  const authextra = { pubkey: key.publicKeyHex, channel_binding: announced } as CryptosignAuthextra;
  if (transcript) authextra.transcript = TRANSCRIPT_VERSION;
  // transcript mode: the option sets carry the bound realm and authid, also an absent authid (as undefined, so an authid
  // given to the WAMP client beside them cannot reach HELLO unbound and make the router refuse after our key signed)
  const helloIds = transcript ? { realm: transcript.realm, authid: options.authid } : {};
  if (routerKeys) {
    Object.defineProperty(authextra, 'challenge', {
      enumerable: true,
      get() {
        const c = toHex(randomBytes(32));
        pending.push(c);
        if (pending.length > 8) pending = pending.slice(-8);
        return c;
      },
    });
  }

  const state: HandlerState = {
    announced,
    // transcript mode also refuses a TLS connection whose channel id a relay could share (transcriptTlsProblem)
    channelId: () => (announced === null ? undefined : (transcript ? transcriptChannelId : tlsChannelId)(socket, announced)),
    ...(routerKeys ? { routerKeys } : {}),
    ...(transcript ? { transcript } : {}),
    takeChallenges() {
      const taken = pending;
      pending = [];
      return taken;
    },
  };
  const run = async (method: unknown, extra: unknown): Promise<string> => {
    try {
      return await answer(key, method, extra, state);
    } catch (e) {
      if (e instanceof CryptosignKeysError) {
        lastError = e;
        options.onError?.(e);
      }
      throw e;
    }
  };

  let WebSocketClass: WsClass | undefined;
  const client: CryptosignClient = {
    key,
    authmethods: ['cryptosign'],
    authextra,
    onchallenge: (_session, method, extra) => run(method, extra),
    onChallenge: (method, extra) => run(method, extra),
    agent,
    get WebSocket(): WsClass {
      if (!WebSocketClass) {
        const Ws = loadWs();
        // (url, protocols) as browsers and autobahn-js 26 call it; wampy adds (origin, headers, requestOptions)
        WebSocketClass = class extends (Ws as new (...a: unknown[]) => object) {
          constructor(url: string, protocols?: string | string[], ...rest: unknown[]) {
            const headers = rest[1] as Record<string, string> | undefined;
            super(url, protocols, { ...(isWss(url) ? { agent } : {}), ...(headers ? { headers } : {}) });
          }
        } as unknown as WsClass;
      }
      return WebSocketClass;
    },
    get socket() {
      return socket;
    },
    get lastError() {
      return lastError;
    },
    autobahn(url: string, autobahn?: AutobahnModule) {
      return { ...helloIds, ...autobahnOptions(client, url, autobahn) };
    },
    wampy() {
      return { ...helloIds, ws: client.WebSocket, authmethods: ['cryptosign'], authextra, onChallenge: client.onChallenge };
    },
    connectWampy: (Wampy, url, connectOptions) => connectWampy(client, Wampy, url, connectOptions),
    openAutobahn: (autobahn, openOptions) => openAutobahn(client, autobahn, openOptions),
  };
  return client;
}
