/**
 * Real WAMP clients logging in for the tests: autobahn-js 22.x, autobahn-js
 * 26.x and wampy, each through a cryptosignClient, resolving 'open' or
 * 'closed: …'.
 */
import { createRequire } from 'node:module';
import { Wampy } from 'wampy';
import type { CryptosignClient } from '../../lib/wamp/client/cryptosign-client.js';

const require = createRequire(import.meta.url);
type AutobahnModule = {
  Connection: new (options: Record<string, unknown>) => {
    onopen: (session: unknown) => void;
    onclose: (reason: string, details: { reason?: string; message?: string }) => boolean;
    open(): void;
    close(): void;
  };
};
const AUTOBAHN: Record<string, AutobahnModule> = {
  'autobahn-js 22': require('autobahn') as AutobahnModule,
  'autobahn-js 26': require('autobahn26') as AutobahnModule,
};
export type ClientKind = 'autobahn-js 22' | 'autobahn-js 26' | 'wampy';
export const KINDS: ClientKind[] = ['autobahn-js 22', 'autobahn-js 26', 'wampy'];

/** The TLS version of the last connection that opened, read while it was open. */
export const lastLogin: { openedWith: string | null | undefined } = { openedWith: undefined };

/** Logs in with a real client; resolves 'open' or 'closed: …'. wampy needs an authid (it sends authextra only with one). */
export function login(kind: ClientKind, url: string, client: CryptosignClient, authid?: string): Promise<string> {
  if (kind === 'wampy') {
    // wampy 8.0.2's connect() never settles when the challenge handler refuses (it sends ABORT and
    // closes, but forgets the promise); its onError callback is what tells
    let refused: (why: string) => void = () => {};
    const wampy = new Wampy(url, {
      realm: 'realm1',
      authid: authid ?? 'anyone',
      ...client.wampy(),
      autoReconnect: false,
      onError: (e: Error) => refused(`closed: ${e.message}`),
    } as never);
    const refusedP = new Promise<string>((r) => (refused = r));
    return Promise.race([refusedP, wampy.connect()]).then(
      async (v) => {
        if (typeof v === 'string') return v;
        lastLogin.openedWith = client.socket?.getProtocol();
        await wampy.disconnect();
        return 'open';
      },
      (e: Error) => `closed: ${e.message}`,
    );
  }
  // autobahn-js (22 and 26) uses a global WebSocket when there is one (Node >= 22 has one, and 26
  // has no other way): set it to the client's class right before open(). autobahn-js 22 on Node 20
  // (no global) takes ws with the transport's agent instead, the path tested here for it.
  const g = globalThis as { WebSocket?: unknown };
  if (kind === 'autobahn-js 26') g.WebSocket = client.WebSocket;
  else delete g.WebSocket;
  return new Promise((resolve) => {
    const connection = new AUTOBAHN[kind]!.Connection({
      realm: 'realm1',
      ...(authid ? { authid } : {}),
      ...client.autobahn(url),
      max_retries: 0,
      retry_if_unreachable: false,
    });
    let opened = false;
    connection.onopen = () => {
      opened = true;
      lastLogin.openedWith = client.socket?.getProtocol();
      connection.close();
      resolve('open');
    };
    connection.onclose = (reason, details) => {
      if (!opened) resolve(`closed: ${reason} ${details.reason ?? ''}`);
      return true;
    };
    connection.open();
  });
}
