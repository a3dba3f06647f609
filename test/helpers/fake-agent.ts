/**
 * A scripted stand-in for ssh-agent on a Unix socket, for the faults a real
 * agent will not produce on demand: garbage, silence, dying mid-request,
 * wrong signatures. `reply` is called with each request's payload.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { tempDir } from './paths.js';

export type FakeReply = (request: Uint8Array, socket: Socket) => Uint8Array | 'close' | 'silence';

export interface FakeAgent {
  socketPath: string;
  requests: number;
  stop(): Promise<void>;
}

export function frame(payload: Uint8Array): Uint8Array {
  const out = Buffer.alloc(4 + payload.length);
  out.writeUInt32BE(payload.length);
  out.set(payload, 4);
  return out;
}

export async function startFakeAgent(reply: FakeReply): Promise<FakeAgent> {
  const { dir, cleanup } = tempDir();
  const socketPath = join(dir, 'fake.sock');
  const sockets = new Set<Socket>();
  const state = { requests: 0 };
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    let buf = Buffer.alloc(0);
    socket.on('data', (chunk) => {
      buf = Buffer.concat([buf, chunk]);
      while (buf.length >= 4 && buf.length >= 4 + buf.readUInt32BE(0)) {
        const len = buf.readUInt32BE(0);
        const payload = new Uint8Array(buf.subarray(4, 4 + len));
        buf = buf.subarray(4 + len);
        state.requests++;
        const r = reply(payload, socket);
        if (r === 'close') {
          socket.destroy();
          return;
        }
        if (r !== 'silence') socket.write(r);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(socketPath, resolve));
  return {
    socketPath,
    get requests() {
      return state.requests;
    },
    async stop() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      cleanup();
    },
  };
}
