/**
 * The two halves of chacha20-poly1305@openssh.com as OpenSSH uses them for
 * key files: ChaCha20 (DJB's variant: 64-bit block counter and nonce, which
 * OpenSSL's 16-byte chacha20 IV holds as counter || nonce; node:crypto does
 * the work) and Poly1305 (RFC 8439 §2.5, BigInt: key files are a few hundred
 * bytes).
 */
import { createCipheriv } from 'node:crypto';

function leToBig(b: Uint8Array): bigint {
  let n = 0n;
  for (let i = b.length - 1; i >= 0; i--) n = (n << 8n) | BigInt(b[i] as number);
  return n;
}

/** Poly1305 (RFC 8439 §2.5) of a short message: key files are a few hundred bytes. */
export function poly1305(key: Uint8Array, msg: Uint8Array): Uint8Array {
  const p = (1n << 130n) - 5n;
  const r = leToBig(key.subarray(0, 16)) & 0x0ffffffc0ffffffc0ffffffc0fffffffn;
  const s = leToBig(key.subarray(16, 32));
  let acc = 0n;
  for (let i = 0; i < msg.length; i += 16) {
    const block = msg.subarray(i, i + 16);
    acc = ((acc + leToBig(block) + (1n << BigInt(8 * block.length))) * r) % p;
  }
  acc = (acc + s) & ((1n << 128n) - 1n);
  const out = new Uint8Array(16);
  for (let i = 0; i < 16; i++) out[i] = Number((acc >> BigInt(8 * i)) & 0xffn);
  return out;
}

/** ChaCha20 of `data` under `key`, from block `counter` (< 256), nonce 0 (OpenSSH's sequence number for key files). */
export function chacha20(key: Uint8Array, counter: number, data: Uint8Array): Uint8Array {
  const iv = new Uint8Array(16); // 64-bit little-endian block counter, then the 64-bit nonce (sequence number 0)
  iv[0] = counter;
  const c = createCipheriv('chacha20', key, iv);
  return new Uint8Array(Buffer.concat([c.update(data), c.final()]));
}
