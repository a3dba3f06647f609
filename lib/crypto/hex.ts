import { InputError, type ErrorCode } from '../errors.js';

const HEX = /^[0-9a-fA-F]*$/;

/**
 * Strict hex decoding: only [0-9a-fA-F], even length, and (when given)
 * exactly `bytes` bytes. No whitespace, no 0x prefix. The error names
 * `what` and the length found, never the value itself.
 */
export function parseHex(
  value: unknown,
  what: string,
  bytes?: number,
  code: ErrorCode = 'INVALID_HEX',
): Uint8Array {
  if (typeof value !== 'string') {
    throw new InputError(code, `${what} must be a hex string, got ${describeType(value)}`);
  }
  if (!HEX.test(value)) {
    const hint = /^0x/i.test(value) ? ' (drop the 0x prefix)' : '';
    throw new InputError(code, `${what} is not hex: only the digits 0-9 and a-f (or A-F) are allowed${hint}`);
  }
  if (value.length % 2 !== 0) {
    throw new InputError(code, `${what} has an odd number of hex digits (${value.length})`);
  }
  if (bytes !== undefined && value.length !== bytes * 2) {
    throw new InputError(
      code,
      `${what} must be ${bytes} bytes (${bytes * 2} hex digits), got ${value.length} hex digits`,
    );
  }
  return new Uint8Array(Buffer.from(value, 'hex'));
}

/** Lowercase hex of `bytes` (no prefix, two digits per byte). */
export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

/** Accepts 32 raw bytes or hex of `bytes` bytes. */
export function bytesOrHex(
  value: unknown,
  what: string,
  bytes: number,
  code: ErrorCode,
): Uint8Array {
  if (value instanceof Uint8Array) {
    if (value.length !== bytes) {
      throw new InputError(code, `${what} must be ${bytes} bytes, got ${value.length}`);
    }
    return new Uint8Array(value);
  }
  return parseHex(value, what, bytes, code);
}

function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (value instanceof Uint8Array) return `${value.length} bytes`;
  return typeof value;
}
