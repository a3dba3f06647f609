/**
 * autobahn-js (22.x and 26.x) with a cryptosign login: the option set
 * `login.autobahn(url, autobahn?)` returns, and `openAutobahn`, an open whose
 * promise resolves with the session or rejects with the coded reason.
 *
 * Which WebSocket autobahn-js takes is the trap. 22.x uses the global
 * WebSocket whenever there is one (Node >= 22 has one, undici's), and only
 * otherwise `ws` with our https.Agent; 26.x always uses the global one (none
 * on Node 20). The global WebSocket ignores the `tls` options and never shows
 * its TLS socket, so channel binding cannot be computed.
 *
 * Given the autobahn module, the connection gets its own transport type
 * (`cryptosign-keys-websocket`, registered once on that module: a wrapper
 * around autobahn's own websocket transport) that sets `globalThis.WebSocket`
 * to the login's `ws` class only for the synchronous call that creates the
 * WebSocket, and puts the previous value back before any other code runs. So
 * 22.x and 26.x, on Node 20, 22 and 24, use the login's class for this
 * connection (its reconnects included) and nothing else sees a change.
 *
 * Without the module, `login.autobahn(url)` keeps the plain websocket
 * transport with the https.Agent, which only autobahn-js 22 on a Node without
 * a global WebSocket honours; for a wss:// URL where a global WebSocket
 * other than the login's own exists it throws AUTOBAHN_GLOBAL_WEBSOCKET
 * instead of returning options that would connect unverified by your `tls`
 * options and unbound. (autobahn-js 26 without the module on Node 20 has no
 * WebSocket at all: autobahn reports the connection "unsupported".)
 */
import type { Agent as HttpsAgent } from 'node:https';
import { CryptosignKeysError, InputError } from '../../errors.js';
import type { CryptosignAuthextra } from './cryptosign-client.js';
import { connectionFailed, refusalWatch, routerRefused, wireText, type RefusalSource } from './handshake-failure.js';
import type { WebSocketClass } from './wampy.js';

/** The transport type this file registers on an autobahn module. */
export const AUTOBAHN_TRANSPORT_TYPE = 'cryptosign-keys-websocket';

/** autobahn-js's transport registry (`autobahn.transports`), as far as this file uses it. */
export interface AutobahnTransports {
  register(name: string, factory: new (options: never) => { create(): unknown }): void;
  isRegistered(name: string): boolean;
  get(name: string): new (options: never) => { create(): unknown };
}

/** The autobahn-js module (22.x or 26.x, `import autobahn from 'autobahn'`), as far as this file uses it. */
export interface AutobahnModule<C extends object = object> {
  Connection: new (options: never) => C;
  transports: AutobahnTransports;
}

/** A transport entry of `login.autobahn(url, …).transports`. */
export type AutobahnTransportOptions =
  /** the connection's own transport: the login's `ws` class, whatever the global WebSocket is (with the module) */
  | { type: typeof AUTOBAHN_TRANSPORT_TYPE; url: string; WebSocket: WebSocketClass }
  /** autobahn's websocket transport with the login's https.Agent (without the module; autobahn-js 22 on Node 20) */
  | { type: 'websocket'; url: string; agent?: HttpsAgent };

/**
 * autobahn-js's `onchallenge`: resolves with the signature. The second signature is there only so
 * that @types/autobahn, which expects a when.js promise, accepts it (autobahn-js takes any promise).
 */
export interface AutobahnChallengeHandler {
  (session: unknown, method: string, extra: unknown): Promise<string>;
  (session: any, method: string, extra: any): any;
}

/** What `login.autobahn(url, autobahn?)` returns: spread into `new autobahn.Connection({ realm, authid, ...it })`. */
export interface AutobahnLoginOptions {
  url: string;
  transports: AutobahnTransportOptions[];
  authmethods: string[];
  authextra: CryptosignAuthextra;
  onchallenge: AutobahnChallengeHandler;
}

/** The part of a cryptosignClient the autobahn option set is made of. */
export interface AutobahnLoginParts {
  readonly authmethods: readonly string[];
  readonly authextra: CryptosignAuthextra;
  readonly onchallenge: (session: unknown, method: string, extra: unknown) => Promise<string>;
  readonly agent: HttpsAgent;
  readonly WebSocket: WebSocketClass;
}

const isWss = (url: string) => /^wss:/i.test(url);

/** Runs `create` with globalThis.WebSocket set to `Ws`, and puts back what was there (or nothing) before returning. */
function withGlobalWebSocket<T>(Ws: WebSocketClass, create: () => T): T {
  const g = globalThis as { WebSocket?: unknown };
  const before = Object.getOwnPropertyDescriptor(g, 'WebSocket');
  if (before && !before.configurable) {
    throw new InputError('AUTOBAHN_GLOBAL_WEBSOCKET', 'globalThis.WebSocket cannot be replaced for this connection (not configurable); not connecting with a WebSocket that hides the TLS socket');
  }
  Object.defineProperty(g, 'WebSocket', { value: Ws, writable: true, configurable: true, enumerable: false });
  try {
    return create();
  } finally {
    if (before) Object.defineProperty(g, 'WebSocket', before);
    else delete g.WebSocket;
  }
}

/**
 * The login's class with an 'error' listener: autobahn-js sets no onerror (browsers also fire
 * close), and a `ws` WebSocket's 'error' with no listener would be thrown. The close follows.
 */
function withErrorListener(Ws: WebSocketClass, onError: (message: string) => void): WebSocketClass {
  return class extends (Ws as unknown as new (...args: unknown[]) => { on(event: 'error', listener: (e: Error) => void): void }) {
    constructor(...args: unknown[]) {
      super(...args);
      this.on('error', (e) => onError(String(e?.message ?? e)));
    }
  } as unknown as WebSocketClass;
}

/** Registers the connection-scoped websocket transport on this autobahn module (once). */
function registerScopedTransport(autobahn: AutobahnModule): void {
  if (!autobahn || typeof autobahn.transports?.register !== 'function' || typeof autobahn.Connection !== 'function') {
    throw new InputError('INVALID_ARGUMENT', 'expected the autobahn-js module (with Connection and transports)');
  }
  if (autobahn.transports.isRegistered(AUTOBAHN_TRANSPORT_TYPE)) return;
  const Builtin = autobahn.transports.get('websocket') as unknown as new (options: unknown) => { create(): unknown };
  class ConnectionScopedWebSocket {
    readonly type = 'websocket';
    readonly #inner: { create(): unknown };
    readonly #Ws: WebSocketClass;
    constructor(options: { WebSocket?: unknown }) {
      if (typeof options.WebSocket !== 'function') {
        throw new InputError('INVALID_ARGUMENT', `the ${AUTOBAHN_TRANSPORT_TYPE} transport needs a WebSocket class (from login.autobahn(url, autobahn))`);
      }
      this.#Ws = options.WebSocket as WebSocketClass;
      this.#inner = new Builtin(options);
    }
    create(): unknown {
      return withGlobalWebSocket(this.#Ws, () => this.#inner.create());
    }
  }
  autobahn.transports.register(AUTOBAHN_TRANSPORT_TYPE, ConnectionScopedWebSocket as never);
}

/** The option set for `new autobahn.Connection(…)`; see the top of this file. */
export function autobahnOptions(login: AutobahnLoginParts, url: string, autobahn?: AutobahnModule): AutobahnLoginOptions {
  if (typeof url !== 'string') throw new InputError('INVALID_ARGUMENT', 'login.autobahn() needs the router URL');
  const common = {
    url,
    authmethods: [...login.authmethods],
    authextra: login.authextra,
    onchallenge: login.onchallenge,
  };
  if (autobahn !== undefined) {
    registerScopedTransport(autobahn);
    return { ...common, transports: [{ type: AUTOBAHN_TRANSPORT_TYPE, url, WebSocket: withErrorListener(login.WebSocket, () => {}) }] };
  }
  const global = (globalThis as { WebSocket?: unknown }).WebSocket;
  if (isWss(url) && global !== undefined && global !== login.WebSocket) {
    throw new InputError(
      'AUTOBAHN_GLOBAL_WEBSOCKET',
      'autobahn-js would open this wss:// connection with the global WebSocket, which ignores the tls options and hides the TLS socket channel binding needs; pass the autobahn module: login.autobahn(url, autobahn) or login.openAutobahn(autobahn, …)',
    );
  }
  return { ...common, transports: [{ type: 'websocket', url, ...(isWss(url) ? { agent: login.agent } : {}) }] };
}

// ---- openAutobahn: a promise that settles within the handshake ------------------------------

type AnyHandler = (...args: never[]) => unknown;

/** Options for `login.openAutobahn(autobahn, options)`: the router URL, the realm, and any other Connection option. */
export interface AutobahnOpenOptions {
  url: string;
  realm: string;
  /** optional: the router may infer it from the key */
  authid?: string;
  /** called on every open (the first one also resolves the promise) */
  onopen?: (session: never, details: never) => void;
  /** called on every close after the first open; before it, the promise rejects and autobahn does not retry */
  onclose?: (reason: string, details: never) => boolean | void;
  /** autobahn's user-error hook; our own coded refusals do not reach it (they reject the promise) */
  on_user_error?: (error: unknown, message?: string) => void;
  /** any other autobahn Connection option, passed through unchanged */
  [option: string]: unknown;
}

/** The session type of a Connection class (what its onopen receives). */
export type AutobahnSessionOf<C> = C extends { onopen: (session: infer S, ...rest: never[]) => unknown } ? S : unknown;

/** What openAutobahn resolves with. */
export interface AutobahnOpened<C> {
  connection: C;
  session: AutobahnSessionOf<C>;
  /** autobahn's join details (authid, authrole, transport, …) */
  details: Record<string, unknown>;
}

/** The part of a cryptosignClient openAutobahn uses. */
export interface AutobahnLogin extends RefusalSource {
  autobahn(url: string, autobahn?: AutobahnModule): AutobahnLoginOptions;
}

/**
 * Opens `new autobahn.Connection({ ...options, ...login.autobahn(url, autobahn) })`
 * with the connection-scoped WebSocket; resolves once the session is joined,
 * or rejects with our coded refusal, WAMP_ABORTED (the router refused) or
 * WAMP_CONNECTION_FAILED (unreachable, closed before WELCOME). Before the
 * first open nothing is retried; after it, autobahn's retry options apply.
 */
export function openAutobahn<C extends object>(login: AutobahnLogin, autobahn: AutobahnModule<C>, options: AutobahnOpenOptions): Promise<AutobahnOpened<C>> {
  const refused = refusalWatch(login);
  const { url, onopen, onclose, on_user_error: onUserError, ...rest } = options ?? ({} as AutobahnOpenOptions);
  const loginOptions = login.autobahn(url, autobahn);
  // autobahn-js reports an unreachable router without its reason: the WebSocket's error tells it
  let socketError: string | undefined;
  const transports = loginOptions.transports.map((t) =>
    t.type === AUTOBAHN_TRANSPORT_TYPE ? { ...t, WebSocket: withErrorListener(t.WebSocket, (m) => (socketError = m)) } : t,
  );
  return new Promise<AutobahnOpened<C>>((resolve, reject) => {
    let opened = false;
    let settled = false;
    const connectionOptions = {
      ...rest,
      ...loginOptions,
      transports,
      on_user_error(error: unknown, message?: string) {
        // our handler's refusal: reported by the promise, with its code
        if (error instanceof CryptosignKeysError && error === login.lastError) return;
        if (typeof onUserError === 'function') return onUserError(error, message);
        // autobahn-js's own default for an error nobody handles
        console.error(message ?? 'Unhandled exception raised: ', error);
      },
    };
    const connection = new autobahn.Connection(connectionOptions as never);
    const c = connection as unknown as { onopen: AnyHandler; onclose: AnyHandler; open(): void };
    c.onopen = ((session: AutobahnSessionOf<C>, details: Record<string, unknown>) => {
      opened = true;
      if (!settled) {
        settled = true;
        resolve({ connection, session, details });
      }
      onopen?.(session as never, details as never);
    }) as AnyHandler;
    c.onclose = ((reason: string, details: { reason?: unknown; message?: unknown } = {}) => {
      if (opened) return onclose?.(reason, details as never);
      if (!settled) {
        settled = true;
        const ours = refused();
        if (ours) reject(ours);
        else if (details.reason) reject(routerRefused(url, details.reason, details.message));
        else reject(connectionFailed(url, socketError === undefined ? `autobahn-js closed the connection (${reason})` : `${reason}: ${wireText(socketError)}`));
      }
      return true; // no retry before the first session
    }) as AnyHandler;
    c.open();
  });
}
