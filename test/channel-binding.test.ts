/**
 * tlsChannelId() on real TLS connections on loopback, TLS 1.2 and 1.3 forced
 * in turn: the client end's id equals the server end's for both binding
 * types; tls-unique equals what autobahn-python computes on a Python end of
 * a real TLS connection with a Node end (either way round); and the coded
 * refusals for plain sockets, unfinished handshakes and unknown types.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer as createNetServer, connect as netConnect, type Socket } from 'node:net';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { connect, createServer, TLSSocket } from 'node:tls';
import { toHex } from '../lib/crypto/hex.js';
import { tlsChannelId } from '../lib/wamp/channel-binding.js';
import { SYSTEM_PYTHON } from './helpers/autobahn-python.js';
import { expectCode } from './helpers/errors.js';
import { ROOT } from './helpers/paths.js';
import { forceVersion, makeTestCert, TLS_VERSIONS, type TlsVersion } from './helpers/tls.js';

const cert = makeTestCert();
after(() => cert.cleanup());

/** One real TLS connection: both ends, after the handshake. */
async function tlsPair(version: TlsVersion): Promise<{ client: TLSSocket; server: TLSSocket; close(): void }> {
  const server = createServer({ key: cert.key, cert: cert.cert, ...forceVersion(version) });
  const serverSide = new Promise<TLSSocket>((resolve) => server.once('secureConnection', resolve));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  const client = connect({ host: '127.0.0.1', port, rejectUnauthorized: false, ...forceVersion(version) });
  await new Promise((r) => client.once('secureConnect', r));
  const s = await serverSide;
  assert.equal(client.getProtocol(), version);
  return { client, server: s, close: () => (client.destroy(), s.destroy(), server.close()) };
}

for (const version of TLS_VERSIONS) {
  test(`${version}: client and server ends compute the same channel id, for tls-unique and tls-exporter`, async () => {
    const pair = await tlsPair(version);
    try {
      for (const binding of ['tls-unique', 'tls-exporter'] as const) {
        const c = tlsChannelId(pair.client, binding);
        const s = tlsChannelId(pair.server, binding);
        assert.equal(c.length, 32);
        assert.equal(toHex(c), toHex(s), binding);
      }
      assert.notEqual(toHex(tlsChannelId(pair.client)), toHex(tlsChannelId(pair.client, 'tls-exporter')));
      // tls-unique is the hash of the server's Finished, not the raw Finished, not the client's
      const raw = pair.client.getPeerFinished() as Buffer;
      assert.equal(raw.length, version === 'TLSv1.2' ? 12 : 48);
      assert.notEqual(toHex(tlsChannelId(pair.client)), toHex(new Uint8Array(pair.client.getFinished() as Buffer)));
    } finally {
      pair.close();
    }
    const other = await tlsPair(version);
    try {
      const again = await tlsPair(version);
      assert.notEqual(toHex(tlsChannelId(other.client)), toHex(tlsChannelId(again.client)), 'each connection has its own id');
      again.close();
    } finally {
      other.close();
    }
  });

  test(`${version}: tls-unique equals autobahn-python's transport_channel_id on the other end (Node client, Python server)`, async () => {
    const py = spawn(SYSTEM_PYTHON, [join(ROOT, 'test/interop/tls_channel_id.py'), 'server', cert.certPath, cert.keyPath], { stdio: ['ignore', 'pipe', 'pipe'] });
    const lines = pyLines(py);
    const { port } = (await lines.next()) as { port: number };
    const client = connect({ host: '127.0.0.1', port, rejectUnauthorized: false, ...forceVersion(version) });
    await new Promise((r) => client.once('secureConnect', r));
    const ours = toHex(tlsChannelId(client));
    client.write('hi\n');
    const theirs = ((await lines.next()) as { channel_id: string }).channel_id;
    client.destroy();
    assert.equal(ours, theirs);
  });

  test(`${version}: tls-unique equals autobahn-python's on the other end (Python client, Node server)`, async () => {
    const server = createServer({ key: cert.key, cert: cert.cert, ...forceVersion(version) });
    const ids: string[] = [];
    server.on('secureConnection', (s) => {
      ids.push(toHex(tlsChannelId(s)));
      s.once('data', () => s.write('ok\n'));
      s.on('error', () => undefined);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const py = spawn(SYSTEM_PYTHON, [join(ROOT, 'test/interop/tls_channel_id.py'), 'client', String((server.address() as { port: number }).port)], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const theirs = ((await pyLines(py).next()) as { channel_id: string }).channel_id;
      assert.deepEqual(ids, [theirs]);
    } finally {
      server.close();
    }
  });
}

test('refusals: not a TLS socket, handshake not finished, unknown binding type', async () => {
  await expectCode(() => tlsChannelId(undefined), 'CHANNEL_BINDING_NOT_TLS');
  await expectCode(() => tlsChannelId({}), 'CHANNEL_BINDING_NOT_TLS');
  const plain = createNetServer((s) => s.destroy());
  await new Promise<void>((r) => plain.listen(0, '127.0.0.1', r));
  const sock: Socket = netConnect((plain.address() as { port: number }).port, '127.0.0.1');
  await new Promise((r) => sock.once('connect', r));
  await expectCode(() => tlsChannelId(sock), 'CHANNEL_BINDING_NOT_TLS', /needs a TLS connection \(wss:\/\/\)/);
  sock.destroy();
  // a TLS socket whose handshake is still under way (the server never answers)
  const early = connect({ host: '127.0.0.1', port: (plain.address() as { port: number }).port, rejectUnauthorized: false });
  early.on('error', () => undefined);
  await expectCode(() => tlsChannelId(early), 'CHANNEL_BINDING_NOT_READY');
  await expectCode(() => tlsChannelId(early, 'tls-exporter'), 'CHANNEL_BINDING_NOT_READY');
  early.destroy();
  plain.close();
  const pair = await tlsPair('TLSv1.3');
  await expectCode(() => tlsChannelId(pair.client, 'tls-server-end-point' as never), 'CHANNEL_BINDING_UNKNOWN', /use "tls-unique" or "tls-exporter"/);
  pair.close();
  await expectCode(() => tlsChannelId(pair.client), 'CHANNEL_BINDING_NOT_READY', /closed/);
});

/** JSON lines from a Python helper; fails with its stderr when it exits early. */
function pyLines(py: ReturnType<typeof spawn>): { next(): Promise<unknown> } {
  let buf = '';
  let err = '';
  const waiting: ((v: unknown) => void)[] = [];
  const failing: ((e: Error) => void)[] = [];
  const queue: unknown[] = [];
  py.stdout!.on('data', (d: Buffer) => {
    buf += d.toString();
    let i;
    while ((i = buf.indexOf('\n')) !== -1) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      const v = JSON.parse(line) as unknown;
      const w = waiting.shift();
      failing.shift();
      if (w) w(v);
      else queue.push(v);
    }
  });
  py.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  // 'close', not 'exit': its last lines on stdout (and stderr) are read by then
  py.on('close', () => {
    for (const f of failing.splice(0)) f(new Error(`autobahn-python helper exited: ${err.trim().split('\n').at(-1) ?? ''}`));
  });
  return {
    next: () =>
      queue.length > 0
        ? Promise.resolve(queue.shift())
        : new Promise((resolve, reject) => {
            waiting.push(resolve);
            failing.push(reject);
          }),
  };
}
