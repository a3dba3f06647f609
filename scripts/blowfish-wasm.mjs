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
 * Two exports: "hash"() computes one bcrypt hash; "hash2"() computes two at
 * once, of the same key and two data, in two states whose instructions are
 * interleaved. A bcrypt hash is one long chain of dependent Blowfish rounds
 * (each round's S-box loads wait for the round before): latency, not
 * throughput, bounds it, and a second independent chain woven into the same
 * instruction stream runs in the gaps. Measured on this machine: two hashes
 * with hash2 take 0.51-0.56x the time of two with hash, so bcrypt_pbkdf's two
 * chains (every OpenSSH cipher's key and IV) take one thread the time of one.
 *
 * Memory (one 64 KiB page, exported as "m"), all words native i32:
 *   0      the state: P[0..17], then S-boxes 0..3 (256 words each): 1042 words
 *   8192   the initial state (pi's digits), written once by the JS side
 *   16384  the key words (SHA-512 of the passphrase: 16 big-endian words)
 *   16448  the data words (SHA-512 of salt||count or of the last output)
 *   16512  the output: 8 words
 *   16576  hash2's second data words, 16640 its second output,
 *   20480  and its second state
 * The encipher rounds are unrolled, and each round's r ^ P[i] comes before
 * F(l), off the critical path of the S-box loads. (Keeping P in locals while
 * the S-boxes are rewritten, as first built, made no difference: measured,
 * and dropped.)
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const LAYOUT = { PI: 8192, KEY: 16384, DATA: 16448, OUT: 16512, DATA2: 16576, OUT2: 16640, STATE2: 20480 };
const STATE_BYTES = 1042 * 4;
const SBOX = 72; // byte offset of S-box 0 in a state

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
const memoryCopy = [0xfc, 0x0a, 0x00, 0x00];

/** F(x) = ((S0[x>>>24] + S1[(x>>>16)&255]) ^ S2[(x>>>8)&255]) + S3[x&255], the state at `base` */
const F = (x, base) => [
  ...get(x), ...c(24), ...shrU, ...c(2), ...shl, ...load(base + SBOX),
  ...get(x), ...c(14), ...shrU, ...c(1020), ...and, ...load(base + SBOX + 1024),
  ...add,
  ...get(x), ...c(6), ...shrU, ...c(1020), ...and, ...load(base + SBOX + 2048),
  ...xor,
  ...get(x), ...c(2), ...shl, ...c(1020), ...and, ...load(base + SBOX + 3072),
  ...add,
];

/** A lane: one state (at `base`) and its locals: the block (l, r) and scratch t. */
const P = (lane, i) => [...c(0), ...load(lane.base + 4 * i)];

/** Enciphers each lane's block in place, the lanes' rounds interleaved: Blowfish_encipher. */
const encipher = (lanes) => {
  const out = [];
  for (const L of lanes) out.push(...get(L.l), ...P(L, 0), ...xor, ...set(L.l));
  for (let i = 1; i <= 16; i += 2) {
    // r ^ P[i] first, off the rounds' critical path (the S-box loads): one dependent xor after F, not two
    for (const L of lanes) out.push(...get(L.r), ...P(L, i), ...xor, ...F(L.l, L.base), ...xor, ...set(L.r));
    for (const L of lanes) out.push(...get(L.l), ...P(L, i + 1), ...xor, ...F(L.r, L.base), ...xor, ...set(L.l));
  }
  // swap, and the last subkey: (l, r) = (r ^ P17, l)
  for (const L of lanes) out.push(...get(L.r), ...P(L, 17), ...xor, ...set(L.t), ...get(L.l), ...set(L.r), ...get(L.t), ...set(L.l));
  return out;
};

/**
 * The functions of one hash export over `bases.length` states, calling each other from index `at`:
 * at+0 xorP(keyPtr per lane), at+1 expand(dataPtr per lane) (with data words), at+2 expand0(),
 * at+3 the hash. Locals: params first, then declared i32s.
 */
function hashFunctions(at, bases, data, outs) {
  const n = bases.length;
  // P[k] ^= key[k mod 16], k = 0..17 (the key is always 64 bytes = 16 words)
  const xorP = { params: n, locals: 0, body: [] };
  bases.forEach((base, lane) => {
    for (let k = 0; k < 18; k++) xorP.body.push(...c(0), ...c(0), ...load(base + 4 * k), ...get(lane), ...load(4 * (k % 16)), ...xor, ...store(base + 4 * k));
  });

  /** The chain through each whole state, storing each block: with data words XORed in (dataPtr of lane k in local k) or not. */
  const chain = (withData) => {
    let next = withData ? n : 0;
    const first = next;
    const [i, j] = [next++, next++];
    const lanes = bases.map((base) => ({ base, l: next++, r: next++, t: next++ }));
    const code = loop(
      withData
        ? [
            ...lanes.flatMap((L, k) => [
              ...get(L.l), ...get(k), ...get(j), ...add, ...load(0), ...xor, ...set(L.l),
              ...get(L.r), ...get(k), ...get(j), ...add, ...load(4), ...xor, ...set(L.r),
            ]),
            ...get(j), ...c(8), ...add, ...c(63), ...and, ...set(j),
          ]
        : [],
      encipher(lanes),
      lanes.flatMap((L) => [...get(i), ...get(L.l), ...store(L.base), ...get(i), ...get(L.r), ...store(L.base + 4)]),
      [...get(i), ...c(8), ...add, ...tee(i), ...c(STATE_BYTES), ...ltU, ...brIf(0)],
    );
    return { params: withData ? n : 0, locals: next - first, body: code };
  };

  const MAGIC = Buffer.from('OxychromaticBlowfishSwatDynamite');
  const hash = (() => {
    let next = 0;
    const count = next++;
    const lanes = bases.map((base) => ({ base, l: next++, r: next++, t: next++ }));
    const each = (f) => bases.flatMap((_, k) => c(f(k)));
    const body = [
      // Blowfish_initstate: each state from pi's digits
      ...bases.flatMap((base) => [...c(base), ...c(LAYOUT.PI), ...c(STATE_BYTES), ...memoryCopy]),
      // Blowfish_expandstate(state, data, key)
      ...each(() => LAYOUT.KEY), ...call(at), ...each((k) => data[k]), ...call(at + 1),
      // 64 x (expand0state with data, then with key)
      ...c(64), ...set(count),
      ...loop(
        each((k) => data[k]), call(at), call(at + 2),
        each(() => LAYOUT.KEY), call(at), call(at + 2),
        get(count), c(1), sub, tee(count), brIf(0),
      ),
    ];
    // 64 encryptions of each 8-byte block of the magic text (ECB)
    for (let b = 0; b < 4; b++) {
      for (const L of lanes) body.push(...c(MAGIC.readInt32BE(8 * b)), ...set(L.l), ...c(MAGIC.readInt32BE(8 * b + 4)), ...set(L.r));
      body.push(...c(64), ...set(count), ...loop(encipher(lanes), get(count), c(1), sub, tee(count), brIf(0)));
      lanes.forEach((L, k) => body.push(...c(0), ...get(L.l), ...store(outs[k] + 8 * b), ...c(0), ...get(L.r), ...store(outs[k] + 8 * b + 4)));
    }
    return { params: 0, locals: next, body };
  })();
  return [xorP, chain(true), chain(false), hash];
}

export function assemble() {
  const funcs = [
    ...hashFunctions(0, [0], [LAYOUT.DATA], [LAYOUT.OUT]),
    ...hashFunctions(4, [0, LAYOUT.STATE2], [LAYOUT.DATA, LAYOUT.DATA2], [LAYOUT.OUT, LAYOUT.OUT2]),
  ];
  const types = [[0x60, 0, 0], [0x60, 1, 0x7f, 0], [0x60, 2, 0x7f, 0x7f, 0]]; // () -> (), (i32) -> (), (i32, i32) -> ()
  const code = funcs.map((f) => {
    const b = [...(f.locals ? vec([[...uleb(f.locals), 0x7f]]) : [0]), ...f.body, 0x0b];
    return [...uleb(b.length), ...b];
  });
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vec(types)),
    ...section(3, vec(funcs.map((f) => uleb(f.params)))),
    ...section(5, vec([[0x00, 1]])), // one memory, min 1 page
    ...section(7, vec([[...str('m'), 0x02, 0], [...str('hash'), 0x00, 3], [...str('hash2'), 0x00, 7]])),
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
