/**
 * The SSH wire encoding (RFC 4251 §5): uint32 big-endian and length-prefixed
 * strings. Used for key blobs, signature blobs and agent messages.
 * The reader never reads past its buffer: it throws WireError instead.
 */
export class WireError extends Error {}

/** The big-endian uint32 at `offset`; the caller checks that 4 bytes are there. */
export function readUint32(buf: Uint8Array, offset: number): number {
  return (((buf[offset] as number) << 24) >>> 0) + ((buf[offset + 1] as number) << 16) + ((buf[offset + 2] as number) << 8) + (buf[offset + 3] as number);
}

export class WireReader {
  private pos = 0;
  constructor(private readonly buf: Uint8Array) {}

  get remaining(): number {
    return this.buf.length - this.pos;
  }

  byte(): number {
    if (this.remaining < 1) throw new WireError('truncated: expected a byte');
    return this.buf[this.pos++] as number;
  }

  uint32(): number {
    if (this.remaining < 4) throw new WireError('truncated: expected a uint32');
    const n = readUint32(this.buf, this.pos);
    this.pos += 4;
    return n;
  }

  /** uint64 big-endian, as a bigint (serials, times) */
  uint64(): bigint {
    const hi = this.uint32();
    const lo = this.uint32();
    return (BigInt(hi) << 32n) | BigInt(lo);
  }

  string(): Uint8Array {
    const len = this.uint32();
    if (len > this.remaining) {
      throw new WireError(`truncated: string of ${len} bytes, ${this.remaining} left`);
    }
    const out = this.buf.subarray(this.pos, this.pos + len);
    this.pos += len;
    return out;
  }

  utf8(): string {
    // ignoreBOM: a leading U+FEFF stays (sshd compares bytes: "\uFEFFssh-ed25519" is no type name)
    return new TextDecoder('utf-8', { fatal: false, ignoreBOM: true }).decode(this.string());
  }

  /** everything not read yet */
  rest(): Uint8Array {
    const out = this.buf.subarray(this.pos);
    this.pos = this.buf.length;
    return out;
  }

  end(): void {
    if (this.remaining !== 0) throw new WireError(`${this.remaining} unexpected trailing bytes`);
  }
}

/** SSHBUF_MAX_BIGNUM: the longest bignum sshd reads, in bytes (16384 bits). */
export const MAX_BIGNUM_BYTES = 2048;

/**
 * The magnitude of an SSH bignum (an mpint's bytes) as sshd reads it
 * (sshbuf_get_bignum2_bytes_direct): never negative (first byte's top bit
 * set), at most 2048 bytes, or 2049 when the first is a zero; leading zeros
 * trimmed. Throws WireError naming `what` otherwise.
 */
export function bignumMagnitude(m: Uint8Array, what: string): Uint8Array {
  if (m.length > 0 && ((m[0] as number) & 0x80) !== 0) throw new WireError(`${what} is negative`);
  if (m.length > MAX_BIGNUM_BYTES + 1 || (m.length === MAX_BIGNUM_BYTES + 1 && m[0] !== 0)) {
    throw new WireError(`${what} is over ${MAX_BIGNUM_BYTES} bytes`);
  }
  let i = 0;
  while (i < m.length && m[i] === 0) i++;
  return m.subarray(i);
}

/** How many bits a bignum's magnitude (no leading zeros) holds. */
export function bitLength(magnitude: Uint8Array): number {
  if (magnitude.length === 0) return 0;
  return (magnitude.length - 1) * 8 + (32 - Math.clz32(magnitude[0] as number));
}

export function wireString(data: Uint8Array | string): Uint8Array {
  const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
  const out = new Uint8Array(4 + bytes.length);
  new DataView(out.buffer).setUint32(0, bytes.length);
  out.set(bytes, 4);
  return out;
}

export function wireUint32(n: number): Uint8Array {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, n);
  return out;
}

export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  let len = 0;
  for (const p of parts) len += p.length;
  const out = new Uint8Array(len);
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}
