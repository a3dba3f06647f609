#!/usr/bin/env node
/**
 * Assembles the WebAssembly Blowfish core of bcrypt_pbkdf (one "bcrypt hash":
 * OpenBSD's Blowfish_initstate, expandstate, 64 x two expand0state, and 64
 * encryptions of "OxychromaticBlowfishSwatDynamite") straight into wasm bytes,
 * with no toolchain, and writes them as base64 into
 * lib/crypto/blowfish-wasm-bytes.ts. `node scripts/blowfish-wasm.mjs --check`
 * exits 1 when the stored bytes differ from what this script makes (the test
 * runs it).
 *
 * Memory (one 64 KiB page, exported as "m"), all words native i32:
 *   0      the state: P[0..17], then S-boxes 0..3 (256 words each): 1042 words
 *   8192   the initial state (pi's digits), written once by the JS side
 *   16384  the key words (SHA-512 of the passphrase: 16 big-endian words)
 *   16448  the data words (SHA-512 of salt||count or of the last output)
 *   16512  the output: 8 words
 * Export "hash"(): computes the bcrypt hash of key and data into the output.
 * The encipher rounds are unrolled; while the S-boxes are rewritten P is
 * constant and kept in locals (callgrind: 23.7 M instructions per bcrypt hash,
 * OpenSSH's C 22.2 M).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const LAYOUT = { PI: 8192, KEY: 16384, DATA: 16448, OUT: 16512 };
const STATE_BYTES = 1042 * 4;
const SBOX = 72; // byte offset of S-box 0

// ---- encoding helpers
const uleb = (n) => {
  const out = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n) b |= 0x80;
    out.push(b);
  } while (n);
  return out;
};
const sleb = (n) => {
  const out = [];
  n |= 0;
  for (;;) {
    const b = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (b & 0x40) === 0) || (n === -1 && (b & 0x40) !== 0)) {
      out.push(b);
      return out;
    }
    out.push(b | 0x80);
  }
};
const vec = (items) => [...uleb(items.length), ...items.flat()];
const section = (id, bytes) => [id, ...uleb(bytes.length), ...bytes];
const str = (s) => vec([...Buffer.from(s, 'utf8')]);

// ---- instructions
const get = (i) => [0x20, ...uleb(i)];
const set = (i) => [0x21, ...uleb(i)];
const tee = (i) => [0x22, ...uleb(i)];
const c = (n) => [0x41, ...sleb(n)];
const load = (offset) => [0x28, 2, ...uleb(offset)];
const store = (offset) => [0x36, 2, ...uleb(offset)];
const add = [0x6a], sub = [0x6b], and = [0x71], xor = [0x73], shl = [0x74], shrU = [0x76], ltU = [0x49];
const loop = (...body) => [0x03, 0x40, ...body.flat(), 0x0b];
const brIf = (depth) => [0x0d, ...uleb(depth)];
const call = (f) => [0x10, ...uleb(f)];

/** F(x) = ((S0[x>>>24] + S1[(x>>>16)&255]) ^ S2[(x>>>8)&255]) + S3[x&255], S-boxes at SBOX */
const F = (x) => [
  ...get(x), ...c(24), ...shrU, ...c(2), ...shl, ...load(SBOX),
  ...get(x), ...c(14), ...shrU, ...c(1020), ...and, ...load(SBOX + 1024),
  ...add,
  ...get(x), ...c(6), ...shrU, ...c(1020), ...and, ...load(SBOX + 2048),
  ...xor,
  ...get(x), ...c(2), ...shl, ...c(1020), ...and, ...load(SBOX + 3072),
  ...add,
];
const P = (i) => (pLocals ? get(pLocals + i) : [...c(0), ...load(4 * i)]);
/** When set: the first of 18 locals holding P (constant while the S-boxes are rewritten and in the final encryptions). */
let pLocals = 0;
const loadP = (first) => {
  const out = [];
  for (let i = 0; i < 18; i++) out.push(...P(i), ...set(first + i));
  return out;
};

/** Enciphers the block in locals l, r in place (t is scratch): Blowfish_encipher. */
const encipher = (l, r, t) => {
  const out = [...get(l), ...P(0), ...xor, ...set(l)];
  for (let i = 1; i <= 16; i += 2) {
    out.push(...get(r), ...F(l), ...xor, ...P(i), ...xor, ...set(r));
    out.push(...get(l), ...F(r), ...xor, ...P(i + 1), ...xor, ...set(l));
  }
  // swap, and the last subkey: (l, r) = (r ^ P17, l)
  out.push(...get(r), ...P(17), ...xor, ...set(t), ...get(l), ...set(r), ...get(t), ...set(l));
  return out;
};

// function indices: 0 xorP(keyPtr), 1 expand(dataPtr) (with data words), 2 expand0(), 3 hash()
// locals: params first, then declared i32s
const fXorP = (() => {
  // P[k] ^= key[k mod 16], k = 0..17 (the key is always 64 bytes = 16 words)
  const body = [];
  for (let k = 0; k < 18; k++) body.push(...c(0), ...c(0), ...load(4 * k), ...get(0), ...load(4 * (k % 16)), ...xor, ...store(4 * k));
  return { params: 1, locals: 0, body };
})();

/** The chain through the whole state, storing each block: with data words XORed in (dataPtr in local 0) or not. */
const chain = (withData) => {
  // locals: [dataPtr], i, j, l, r, t
  const base = withData ? 1 : 0;
  const [i, j, l, r, t] = [base, base + 1, base + 2, base + 3, base + 4];
  const body = [];
  const P_LOCALS = base + 5;
  const pass = (limit, cached) => {
    const fill = cached ? loadP(P_LOCALS) : [];
    pLocals = cached ? P_LOCALS : 0;
    const code = [
    ...fill,
    ...loop(
      withData
        ? [
            ...get(l), ...get(0), ...get(j), ...add, ...load(0), ...xor, ...set(l),
            ...get(r), ...get(0), ...get(j), ...add, ...load(4), ...xor, ...set(r),
            ...get(j), ...c(8), ...add, ...c(63), ...and, ...set(j),
          ]
        : [],
      encipher(l, r, t),
      [...get(i), ...get(l), ...store(0), ...get(i), ...get(r), ...store(4)],
      [...get(i), ...c(8), ...add, ...tee(i), ...c(limit), ...ltU, ...brIf(0)],
    ),
    ];
    pLocals = 0;
    return code;
  };
  // P changes while it is rewritten (the first 9 blocks); after that it is constant: kept in locals
  body.push(...pass(72, false), ...pass(STATE_BYTES, true));
  return { params: withData ? 1 : 0, locals: 5 + 18, body };
};

const MAGIC = Buffer.from('OxychromaticBlowfishSwatDynamite');
const fHash = (() => {
  // locals: n, l, r, t
  const [n, l, r, t] = [0, 1, 2, 3];
  const body = [
    // Blowfish_initstate: the state from pi's digits
    ...c(0), ...c(LAYOUT.PI), ...c(STATE_BYTES), 0xfc, 0x0a, 0x00, 0x00,
    // Blowfish_expandstate(state, data, key)
    ...c(LAYOUT.KEY), ...call(0), ...c(LAYOUT.DATA), ...call(1),
    // 64 x (expand0state with data, then with key)
    ...c(64), ...set(n),
    ...loop(
      c(LAYOUT.DATA), call(0), call(2),
      c(LAYOUT.KEY), call(0), call(2),
      get(n), c(1), sub, tee(n), brIf(0),
    ),
  ];
  // 64 encryptions of each 8-byte block of the magic text (ECB)
  for (let b = 0; b < 4; b++) {
    body.push(...c(MAGIC.readInt32BE(8 * b)), ...set(l), ...c(MAGIC.readInt32BE(8 * b + 4)), ...set(r));
    body.push(...c(64), ...set(n), ...loop(encipher(l, r, t), get(n), c(1), sub, tee(n), brIf(0)));
    body.push(...c(0), ...get(l), ...store(LAYOUT.OUT + 8 * b), ...c(0), ...get(r), ...store(LAYOUT.OUT + 8 * b + 4));
  }
  return { params: 0, locals: 4, body };
})();

export function assemble() {
  const funcs = [fXorP, chain(true), chain(false), fHash];
  const types = [[0x60, 0, 0], [0x60, 1, 0x7f, 0]]; // () -> (), (i32) -> ()
  const typeOf = (f) => (f.params ? 1 : 0);
  const code = funcs.map((f) => {
    const b = [...(f.locals ? vec([[...uleb(f.locals), 0x7f]]) : [0]), ...f.body, 0x0b];
    return [...uleb(b.length), ...b];
  });
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vec(types)),
    ...section(3, vec(funcs.map((f) => uleb(typeOf(f))))),
    ...section(5, vec([[0x00, 1]])), // one memory, min 1 page
    ...section(7, vec([[...str('m'), 0x02, 0], [...str('hash'), 0x00, 3]])),
    ...section(10, vec(code)),
  ]);
}

const TARGET = fileURLToPath(new URL('../lib/crypto/blowfish-wasm-bytes.ts', import.meta.url));
function source(bytes) {
  const b64 = Buffer.from(bytes).toString('base64').replace(/.{1,100}/g, "  '$&' +\n").replace(/ \+\n$/, ';\n');
  return `/**
 * The WebAssembly Blowfish core of bcrypt_pbkdf (one bcrypt hash per call),
 * generated by scripts/blowfish-wasm.mjs, which says what it computes and
 * how memory is laid out; do not edit: run \`node scripts/blowfish-wasm.mjs\`.
 */
export const BLOWFISH_WASM_LAYOUT = ${JSON.stringify(LAYOUT).replace(/"/g, '').replace(/,/g, ', ').replace(/:/g, ': ').replace('{', '{ ').replace('}', ' }')} as const;

export const BLOWFISH_WASM_BASE64 =
${b64}`;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const text = source(assemble());
  if (process.argv.includes('--check')) {
    const same = readFileSync(TARGET, 'utf8') === text;
    if (!same) console.error('lib/crypto/blowfish-wasm-bytes.ts is not what scripts/blowfish-wasm.mjs makes');
    process.exit(same ? 0 : 1);
  }
  writeFileSync(TARGET, text);
  console.log(`wrote ${TARGET} (${assemble().length} bytes of wasm)`);
}
