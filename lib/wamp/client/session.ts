/**
 * A minimal WAMP session for this package's own components (the crossbar
 * dynamic authenticator): WebSocket with the `wamp.2.json` subprotocol,
 * cryptosign login through cryptosignClient (any key source, channel binding,
 * router authentication), and the callee role: register a procedure, answer
 * its invocations. No reconnect: the session ends with `closed`, and its
 * owner decides (the CLI exits, a supervisor restarts it).
 */
import type { SigningKey } from '../../keys/signing-key.js';
import { CryptosignKeysError, WampSessionError } from '../../errors.js';
import { cryptosignClient, type CryptosignClientOptions } from './cryptosign-client.js';
import { connectionFailed, wireText } from './handshake-failure.js';

/** What the router is told when our challenge handler refuses: no reason (as autobahn-js says it), the reason stays here. */
const CANNOT_AUTHENTICATE = 'sorry, I cannot authenticate';
/** A string from the wire inside one of our messages: escaped and bounded, without quotes. */
const plain = (value: unknown) => wireText(value).slice(1, -1);

const HELLO = 1, WELCOME = 2, ABORT = 3, CHALLENGE = 4, AUTHENTICATE = 5, GOODBYE = 6, ERROR = 8;
const REGISTER = 64, REGISTERED = 65, INVOCATION = 68, YIELD = 70;

/**
 * A procedure refuses a call by throwing this: the caller gets an ERROR with this URI and the
 * message as its only argument. A `CryptosignKeysError` with code `WAMP_CALL_REFUSED`.
 */
export class WampCallError extends CryptosignKeysError {
  /** the WAMP error URI the caller receives, e.g. `wamp.error.not_authorized` */
  readonly uri: string;
  constructor(uri: string, message: string, options?: { cause?: unknown }) {
    super('WAMP_CALL_REFUSED', message, options);
    this.uri = uri;
  }
}

/** A procedure registered with `WampSession.register`: its return value is the call's result. */
export type Procedure = (args: unknown[], kwargs: Record<string, unknown>, details: Record<string, unknown>) => unknown;

/** Options for `joinWamp`: where to connect, and the cryptosign client options. */
export interface JoinOptions extends CryptosignClientOptions {
  url: string;
  realm: string;
  /** HELLO authid (optional: the router can infer it from the key) */
  authid?: string;
}

/** A joined session (from `joinWamp`): register procedures, leave. */
export interface WampSession {
  readonly id: number;
  readonly authid: string | undefined;
  readonly authrole: string | undefined;
  /** resolves when the session ends, with why */
  readonly closed: Promise<{ reason: string; clean: boolean }>;
  register(uri: string, procedure: Procedure): Promise<number>;
  /** says GOODBYE and closes the connection */
  leave(): Promise<void>;
}

type Ws = {
  readyState: number;
  send(data: string): void;
  close(): void;
  on(event: string, listener: (...args: never[]) => void): void;
};

/** Connects, logs in with cryptosign, and resolves once WELCOME arrives; rejects with our own coded refusal when the challenge handler refuses (the router is told only that we cannot authenticate), WampSessionError otherwise. */
export function joinWamp(key: SigningKey, options: JoinOptions): Promise<WampSession> {
  const client = cryptosignClient(key, options);
  const Ws = client.WebSocket as unknown as new (url: string, protocols: string[]) => Ws;
  const ws = new Ws(options.url, ['wamp.2.json']);
  let requestId = 0;
  const pending = new Map<number, { resolve: (v: number) => void; reject: (e: Error) => void }>();
  const procedures = new Map<number, Procedure>();
  let endSession: (v: { reason: string; clean: boolean }) => void = () => {};
  const closed = new Promise<{ reason: string; clean: boolean }>((r) => (endSession = r));
  let leaving = false;
  let closeReason = 'the connection closed';
  const send = (msg: unknown[]) => {
    if (ws.readyState === 1) ws.send(JSON.stringify(msg));
  };

  return new Promise<WampSession>((resolveJoin, rejectJoin) => {
    let joined = false;
    let challenged = false;
    const fail = (e: CryptosignKeysError) => {
      if (!joined) rejectJoin(e);
      closeReason = e.message;
      ws.close();
    };
    ws.on('error', ((e: Error) => fail(connectionFailed(options.url, wireText(e.message)))) as never);
    ws.on('close', (() => {
      for (const p of pending.values()) p.reject(new WampSessionError('WAMP_CONNECTION_FAILED', 'the connection closed'));
      pending.clear();
      if (!joined) rejectJoin(connectionFailed(options.url, 'the connection closed before WELCOME'));
      endSession({ reason: closeReason, clean: leaving });
    }) as never);
    ws.on('open', (() => {
      send([HELLO, options.realm, {
        roles: { callee: {} },
        authmethods: client.authmethods,
        ...(options.authid !== undefined ? { authid: options.authid } : {}),
        authextra: { ...client.authextra },
      }]);
    }) as never);
    ws.on('message', (async (data: Buffer) => {
      let msg: unknown[];
      try {
        msg = JSON.parse(String(data)) as unknown[];
        if (!Array.isArray(msg)) throw new Error('not a list');
      } catch {
        return fail(new WampSessionError('WAMP_PROTOCOL_ERROR', 'the router sent a message that is not a WAMP JSON list'));
      }
      switch (msg[0]) {
        case CHALLENGE:
          // one CHALLENGE, before WELCOME: any other would make this session a signing oracle for the router
          if (joined || challenged) {
            return fail(new WampSessionError('WAMP_PROTOCOL_ERROR', joined ? 'the router sent a CHALLENGE after WELCOME; not signing it' : 'the router sent a second CHALLENGE; not signing it'));
          }
          challenged = true;
          try {
            send([AUTHENTICATE, await client.onChallenge(String(msg[1]), msg[2]), {}]);
          } catch (e) {
            // the router learns nothing of why (attack review); our coded refusal is the join's reason
            send([ABORT, { message: CANNOT_AUTHENTICATE }, 'wamp.error.cannot_authenticate']);
            return fail(e instanceof CryptosignKeysError ? e : new WampSessionError('WAMP_ABORTED', `not logging in: ${plain((e as Error)?.message ?? e)}`));
          }
          return;
        case WELCOME: {
          joined = true;
          const details = (msg[2] ?? {}) as { authid?: string; authrole?: string };
          return resolveJoin({
            id: Number(msg[1]),
            authid: details.authid,
            authrole: details.authrole,
            closed,
            register(uri, procedure) {
              const id = ++requestId;
              return new Promise<number>((resolve, reject) => {
                pending.set(id, {
                  resolve: (regId) => {
                    procedures.set(regId, procedure);
                    resolve(regId);
                  },
                  reject,
                });
                send([REGISTER, id, {}, uri]);
              });
            },
            leave() {
              leaving = true;
              closeReason = 'left';
              send([GOODBYE, {}, 'wamp.close.system_shutdown']);
              return closed.then(() => undefined);
            },
          });
        }
        case ABORT: {
          const details = (msg[1] ?? {}) as { message?: unknown };
          const why = `${plain(msg[2])}${details.message ? `: ${plain(details.message)}` : ''}`;
          return fail(new WampSessionError('WAMP_ABORTED', `the router refused the session (${why})`));
        }
        case REGISTERED: {
          const p = pending.get(Number(msg[1]));
          pending.delete(Number(msg[1]));
          return p?.resolve(Number(msg[2]));
        }
        case ERROR: {
          if (msg[1] !== REGISTER) return;
          const p = pending.get(Number(msg[2]));
          pending.delete(Number(msg[2]));
          return p?.reject(new WampSessionError('WAMP_REGISTER_FAILED', `the router refused the registration: ${plain(msg[4])}`));
        }
        case INVOCATION: {
          const [, reqId, regId, details, args, kwargs] = msg as [number, number, number, Record<string, unknown>, unknown[]?, Record<string, unknown>?];
          const procedure = procedures.get(regId);
          if (!procedure) return send([ERROR, INVOCATION, reqId, {}, 'wamp.error.no_such_registration']);
          try {
            const result = await procedure(args ?? [], kwargs ?? {}, details ?? {});
            return send([YIELD, reqId, {}, [result]]);
          } catch (e) {
            const uri = e instanceof WampCallError ? e.uri : 'wamp.error.runtime_error';
            return send([ERROR, INVOCATION, reqId, {}, uri, [(e as Error).message]]);
          }
        }
        case GOODBYE:
          if (!leaving) {
            closeReason = `the router ended the session (${plain(msg[2])})`;
            send([GOODBYE, {}, 'wamp.close.goodbye_and_out']);
          }
          return ws.close();
        default:
          return;
      }
    }) as never);
  });
}
