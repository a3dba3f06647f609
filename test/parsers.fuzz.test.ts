/**
 * Property tests: the agent reply parsers, the framer, the hex/challenge
 * parsers, key blob and authorized_keys parsing take arbitrary input and
 * either succeed or throw the library's own error. Each run is bounded.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import {
  MessageFramer,
  encodeSignRequest,
  parseIdentitiesAnswer,
  parseSignResponse,
} from '../lib/agent/protocol.js';
import { challengeMessage, parseChallenge } from '../lib/wamp/challenge.js';
import { CryptosignKeysError } from '../lib/errors.js';
import { parseHex, toHex } from '../lib/crypto/hex.js';
import { ed25519KeyOfBlob, parsePublicKeyBlob } from '../lib/ssh/public-key.js';
import { concatBytes, wireString, wireUint32 } from '../lib/ssh/wire.js';
import { parseAuthorizedKeys } from '../lib/wamp/router/principals.js';
import { verifyChallengeSignature } from '../lib/wamp/challenge.js';

const RUNS = { numRuns: 2000, interruptAfterTimeLimit: 20000 };

/** Runs fn; anything thrown must be the library's own error with one of `codes`. */
function onlyOwnErrors(fn: () => unknown, codes: string[]): void {
  try {
    fn();
  } catch (e) {
    if (!(e instanceof CryptosignKeysError)) throw new Error(`foreign error: ${String(e)}`);
    assert.ok(codes.includes(e.code), `unexpected code ${e.code}`);
  }
}

const bytes = fc.uint8Array({ maxLength: 300 });
/** Bytes that look like agent replies: a plausible type, then random or structured fields. */
const replyLike = fc.oneof(
  bytes,
  fc.tuple(fc.constantFrom(5, 12, 14, 28, 0, 255), bytes).map(([t, b]) => concatBytes(Uint8Array.of(t), b)),
  fc
    .tuple(fc.nat({ max: 5 }), fc.array(fc.tuple(bytes, fc.string()), { maxLength: 5 }))
    .map(([n, ids]) => concatBytes(Uint8Array.of(12), wireUint32(n), ...ids.flatMap(([b, c]) => [wireString(b), wireString(c)]))),
  fc.tuple(fc.string(), bytes).map(([alg, sig]) => concatBytes(Uint8Array.of(14), wireString(concatBytes(wireString(alg), wireString(sig))))),
);

test('agent reply parsers: any bytes give a result or AGENT_MALFORMED_REPLY / AGENT_REFUSED', () => {
  fc.assert(
    fc.property(replyLike, (payload) => {
      onlyOwnErrors(() => parseIdentitiesAnswer(payload), ['AGENT_MALFORMED_REPLY', 'AGENT_REFUSED']);
      onlyOwnErrors(() => parseSignResponse(payload), ['AGENT_MALFORMED_REPLY', 'AGENT_REFUSED']);
    }),
    RUNS,
  );
});

test('identity answers round-trip', () => {
  fc.assert(
    fc.property(fc.array(fc.tuple(fc.uint8Array({ minLength: 1, maxLength: 80 }), fc.string()), { maxLength: 8 }), (ids) => {
      const payload = concatBytes(Uint8Array.of(12), wireUint32(ids.length), ...ids.flatMap(([b, c]) => [wireString(b), wireString(c)]));
      const parsed = parseIdentitiesAnswer(payload);
      assert.deepEqual(parsed.map((p) => [toHex(p.blob), p.comment]), ids.map(([b, c]) => [toHex(b), c]));
    }),
    RUNS,
  );
});

test('the framer: any chunking of a valid stream gives the same messages; bad lengths are AGENT_MALFORMED_REPLY', () => {
  fc.assert(
    fc.property(fc.array(fc.uint8Array({ minLength: 1, maxLength: 100 }), { maxLength: 6 }), fc.array(fc.nat({ max: 50 })), (msgs, cuts) => {
      const stream = concatBytes(...msgs.map((m) => concatBytes(wireUint32(m.length), m)));
      const framer = new MessageFramer();
      const got: string[] = [];
      let pos = 0;
      for (const c of [...cuts, stream.length]) {
        const next = Math.min(stream.length, pos + c);
        got.push(...framer.push(stream.subarray(pos, next)).map(toHex));
        pos = next;
      }
      assert.deepEqual(got, msgs.map(toHex));
      assert.equal(framer.pending, 0);
    }),
    RUNS,
  );
  fc.assert(
    fc.property(bytes, (junk) => {
      onlyOwnErrors(() => new MessageFramer().push(junk), ['AGENT_MALFORMED_REPLY']);
    }),
    RUNS,
  );
});

test('sign requests encode the documented layout', () => {
  fc.assert(
    fc.property(bytes, bytes, fc.nat(), (blob, data, flags) => {
      const m = Buffer.from(encodeSignRequest(blob, data, flags));
      assert.equal(m.readUInt32BE(0), m.length - 4);
      assert.equal(m[4], 13);
      assert.equal(m.readUInt32BE(5), blob.length);
      assert.equal(m.readUInt32BE(9 + blob.length), data.length);
      assert.equal(m.readUInt32BE(13 + blob.length + data.length), flags >>> 0);
    }),
    RUNS,
  );
});

test('hex, challenge and channel id parsers: any string or value gives bytes or INVALID_*', () => {
  const anything = fc.oneof(fc.string(), fc.string({ unit: fc.constantFrom(...'0123456789abcdefABCDEFg \n') }), fc.anything());
  fc.assert(
    fc.property(anything, anything, (a, b) => {
      onlyOwnErrors(() => parseHex(a, 'x'), ['INVALID_HEX']);
      onlyOwnErrors(() => parseChallenge(a), ['INVALID_CHALLENGE']);
      onlyOwnErrors(() => challengeMessage(a as string, { channelId: b as string }), ['INVALID_CHALLENGE', 'INVALID_CHANNEL_ID']);
      onlyOwnErrors(
        () => verifyChallengeSignature(a as string, 'aa'.repeat(32), b as string),
        ['INVALID_PUBLIC_KEY', 'INVALID_SIGNATURE'],
      );
    }),
    RUNS,
  );
  fc.assert(
    fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), (c) => {
      assert.equal(toHex(parseChallenge(toHex(c))), toHex(c));
    }),
    RUNS,
  );
});

test('public key blobs and authorized_keys text: a result or the library\'s error', () => {
  const blobLike = fc.oneof(
    bytes,
    fc.tuple(fc.constantFrom('ssh-ed25519', 'ssh-rsa', 'ssh-dss', 'ecdsa-sha2-nistp256', 'ssh-ed25519-cert-v01@openssh.com', 'x'), fc.array(bytes, { maxLength: 5 }))
      .map(([t, fields]) => concatBytes(wireString(t), ...fields.map((f) => wireString(f)))),
  );
  fc.assert(fc.property(blobLike, (b) => onlyOwnErrors(() => parsePublicKeyBlob(b), ['INVALID_PUBLIC_KEY'])), RUNS);
  // the agent client's quick look at a blob says what the full parser says
  const ed25519Like = fc.oneof(
    blobLike,
    fc.tuple(fc.constantFrom('ssh-ed25519', 'ssh-ed25519-cert-v01@openssh.com', 'ssh-ed25519x'), fc.uint8Array({ minLength: 30, maxLength: 34 }), fc.uint8Array({ maxLength: 2 }))
      .map(([t, key, tail]) => concatBytes(wireString(t), wireString(key), tail)),
  );
  fc.assert(
    fc.property(ed25519Like, (b) => {
      let full: Uint8Array | undefined;
      try {
        full = parsePublicKeyBlob(b).ed25519;
      } catch {
        full = undefined;
      }
      const quick = ed25519KeyOfBlob(b);
      assert.equal(quick === undefined ? undefined : toHex(quick), full === undefined ? undefined : toHex(full));
    }),
    RUNS,
  );
  const lineLike = fc.oneof(
    fc.string(),
    fc.tuple(fc.constantFrom('ssh-ed25519 ', 'ssh-rsa ', 'from="x y" ssh-ed25519 ', '"', ''), fc.base64String(), fc.string())
      .map(([a, b, c]) => a + b + ' ' + c),
  );
  fc.assert(
    fc.property(fc.array(lineLike, { maxLength: 5 }), (lines) =>
      onlyOwnErrors(() => parseAuthorizedKeys(lines.join('\n')), ['AUTHORIZED_KEYS_FORMAT', 'INVALID_PUBLIC_KEY']),
    ),
    RUNS,
  );
});
