/**
 * The baseline for agent signing: the least a client can do. One Unix
 * socket, hand-built sign requests, replies cut by length, no checks and
 * no signature verification.
 */
import { connect, type Socket } from 'node:net';

export class RawAgentBaseline {
  private buf: Buffer = Buffer.alloc(0);
  private waiters: ((reply: Buffer) => void)[] = [];
  private constructor(private readonly sock: Socket) {
    sock.on('data', (d: Buffer) => {
      this.buf = this.buf.length ? Buffer.concat([this.buf, d]) : d;
      while (this.buf.length >= 4 && this.buf.length >= 4 + this.buf.readUInt32BE(0)) {
        const len = this.buf.readUInt32BE(0);
        const reply = this.buf.subarray(4, 4 + len);
        this.buf = this.buf.subarray(4 + len);
        this.waiters.shift()?.(reply);
      }
    });
  }

  static open(path: string): Promise<RawAgentBaseline> {
    return new Promise((resolve, reject) => {
      const s = connect(path, () => resolve(new RawAgentBaseline(s)));
      s.once('error', reject);
    });
  }

  sign(blob: Uint8Array, data: Uint8Array): Promise<Buffer> {
    const msg = Buffer.alloc(4 + 1 + 4 + blob.length + 4 + data.length + 4);
    let p = msg.writeUInt32BE(msg.length - 4, 0);
    p = msg.writeUInt8(13, p);
    p = msg.writeUInt32BE(blob.length, p);
    msg.set(blob, p);
    p = msg.writeUInt32BE(data.length, p + blob.length);
    msg.set(data, p);
    msg.writeUInt32BE(0, p + data.length);
    return new Promise((resolve) => {
      this.waiters.push((reply) => resolve(reply.subarray(reply.length - 64)));
      this.sock.write(msg);
    });
  }

  close(): void {
    this.sock.destroy();
  }
}
