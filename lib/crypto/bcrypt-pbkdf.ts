/**
 * bcrypt_pbkdf, the key derivation of OpenSSH's key files (OpenBSD's
 * bcrypt_pbkdf.c: SHA-512 of passphrase and salt, then rounds of a Blowfish
 * "bcrypt hash" with an expensive key schedule). Two Blowfish cores: a
 * WebAssembly one (the default; assembled by scripts/blowfish-wasm.mjs,
 * ~1.07x OpenSSH's C in instructions, and with a two-lane hash that computes
 * two independent chains in about the time of one) and a JavaScript one where
 * WebAssembly is off (node --jitless; ~1.12x the wasm core's time): its state
 * lives in one Int32Array, blocks in local variables, nothing allocated in
 * the rounds. The output's 32-byte blocks are independent chains
 * (bcryptPbkdfBlocks); bcrypt-pbkdf-workers.ts computes them in a worker.
 *
 * Blowfish's initial P-array and S-boxes are the hexadecimal digits of pi
 * after the point: stored below as base64, and recomputed with BigInt
 * (Machin's formula) by the test to check them.
 */
import { createHash } from 'node:crypto';
import { BLOWFISH_WASM_BASE64, BLOWFISH_WASM_LAYOUT } from './blowfish-wasm-bytes.js';

const WORDS = 18 + 4 * 256;

/**
 * The first 1042 32-bit words of the fraction of pi, big-endian, base64: what
 * `computePiWords()` below yields (the test recomputes and compares). Stored
 * so that a CLI run does not spend ~75 ms on BigInt arithmetic.
 */
const PI_BASE64 =
  'JD9qiIWjCNMTGYouA3BzRKQJOCIpnzHQCC76mOxObIlFKCHmONATd75UZs806QxswKwpt8l8UN0/hNW1tUcJF5IW1dmJefsb0TEL' +
  'ppjftawv/XLb0Brft7jhr+1qJn6WunyQRfEsf5kkoZlHs5Fs9wgB8uKFjvwWY2kg2HFXTmmkWP6j9JM9fg2VdI9yjrZYcYvNWIIV' +
  'Su57VKQdwlpZtZww1Tkq8mATxdGwIyhghfDKQXkYuNs474553LBgOhgObJ4Oi7Aeij7XFXfBvTFLJ3ivL9pVYFxg5lUl86pVq5RX' +
  'SJhiY+gUQFXKOWoqqxC2tMxcNBFB6M6hVIavfHLpk7PuFBFjb7wqK6nFXXQYMfbOXD4Wm4eTHq/WujNsJM9cejJTgSiVhnc7j0iY' +
  'a0u5r8S/6BtmKCGTYdgJzPshqZFIfKxgXeyAMu+EXV3phXWx3CYjAutlG4gjiT6B05asxQ9tb/OD9EI5LgtEgqSEIARpyPBKnh+b' +
  'XiHGaEL26WyaZwycYavTiPBqUaDS2FQvaJYPpyirUTOjbu8LbBN6O+S6O/BQfvsqmKHxZR05rwF2ZspZPoJDDoiM7oYZRW+ftH2E' +
  'pcM7i16+4G912IXBIHNAGkSfVsFqpk7TqmI2P3cGG/7fckKbAj030Nck0AoSSNsP6tNJ8cCbB1NyyYCZG3sl1HnY9uje9+P+UBq2' +
  'eUw7l2zgvQTABrrBqU+2QJ9gxF5cnsIZaiRjaPtvrz5sU7UTObLrO1Lsb238UR+bMJUszIFFRK9evQm+49AE3jNK/WYPKAcZLkuz' +
  'wMuoV0XIdA/SC185udP721V5wL0aYDIK1qEAxkAscnlnnyX++x+jzI6l6fjbMiL4PHUW3/1haxUvUB7IrQVSqzI9tfr9I4dgUzF7' +
  'SD4A34KeXFe7ym+MoBqHVi7fF2nb1UKo9ih+/8OsZzLGjE9Vc2lbJ7C7yljI4f+jXbjwEaAQ+j2Y/SGDuEr8tWwt0dNbmlPkebb4' +
  'RWXSjkm8S/uXkOHd8tqky34zYvsTQc7kxujvIMraNndMAdB+nv4r8R+0ldvaTa6QkZjqrY5xa5PVoNCO0dCvxyXgjjxbL451lLeP' +
  '9uL78hIrZIiIuBKQDfAcT61eoGiPwxzRz/GRs6jBrS8vIhi+Dhd36nUt/osCH6HloMwPtW906Bis89bOieKZtKhP4P0T4Ld8xDuB' +
  '0q2o2RZfomaAlXcFk8xzFCEaFHfmrSBld7X6hsdUQvX7nTXP682vDHs+iaDWQRvTrh5+SQAlDi0gcbNeImgAu1e44K8kZDab8Am5' +
  'HlVjkR1Z36aqeMFDidlaU38gfVuiAuW5xYMmA3Zilc+pEcgZaE5zSkGzRy3KexSpShtRAFKaUykV1g9XP7ybxuQrYKR2geZ0AAi6' +
  'b7VXG+kf8pbsayoN2RW2Y2Uh57n5tv80BS7FhVZkU7AtXamfj6EIukeZboUHakt6cOm1sylE23UJLsQZJiOtbqawSafffZzuYLiP' +
  '7bJm7KqMcWmaF/9WZFJswrGe4Rk2AqV1CUwpoFkTQOQYOj4/VJiaW0KdZWuP5NaZ9z/WodKcB+/oMPVNLTjm8CVdwUzdIIaEcOsm' +
  'Y4LpxgIezF4JaGs/PrrvyTyXGBRranChaH81hFKg4oa3nFMFqlAHNz4HhBx/3q5cjn1E7FcW8riwOto38FAMDfAcHwQCALP/rgz1' +
  'Gjy1dLIlg3pY3AkhvdGRE/l8qS/2lDJHcyL1RwE65eWBN8La3Mi1djSa892nqURhRg/QAw7syMc+pHUeQeI4zZk76g4vMoC7oRg+' +
  'szFOVIs4T225CG9CDQP2CgS/LLgSkCSXfHlWebByvK+Jr96adx/ZkwgQs4uuEtzPPy5VEnIfLmtxJFAa3eafhM2HelhHGHQI2he8' +
  'n5q86Ut9jOx67DrbhR36YwlDZsRkw9LvHBhHMhXZCN1DOzckwroWEqFNQyplxFFQlAACEzrk3XHf+J4QMU5Vgax31l8RGZsENVbx' +
  '16PHazwRGDtZJKUJ8o/m7Zfx+/qeur8sHhU8bobjRXDq6W+xhg5eClo+KrN3H+ccTj0G+ill3LmZ5x0PgD6J1lJmyCUuTMl4nBCz' +
  'asYVDrqU4up4pfw8Ux4KLfTy906nNh0rPRk5Jg8ZwnlgUiOnCPcTErbrrf5u6sMfZuO8RZWme8iDsX830QGM/yjDMt3vvmxapWVY' +
  'IYVoq5gC7s6lD9svlTsq732tW24vhBUhtigpB2Fw7N1HdWGfFRATzKgw62G9lgM0/h6qA2PPtXNckExwojnVnp4Ly6reFO7Mhrxg' +
  'YiynnKtcq7LzhG5kix6vGb3wyqAjabllWrtQQGhaMjwqtLMxnunVwCG495tUCxmHX6CZlfeZfmI9faj4N4ial+MtdxHtk18WaBKB' +
  'DjWIKcfmH9aW3t+heFi6mVf1hKUbInJjm4PD/xrCRpbNswrrUy4wVI/ZSORtvDEoWOvy7zTG/+r+KO1h7nw8c11KFNnoZLfjQhBd' +
  'FCA+E+BF7uK2o6qr6ttsTxX6y0/Qx0L0Qu9qu7VlTzsdQc0hBdgeeZ6GhU3H5EtHaj2BYlDPYqHyW40mRvyIg6DBx7ajfxUkw2nL' +
  'dJJHhIoLVpKyhQlbvwCtGUidFGKxdCOCDgBYQo0qDFX16h2t9D4jP3BhM3Lwko2TfkHWX+zxbCI723zeN1nL7nRgQIXyp853Mm6m' +
  'B4CEGfhQnujv2FVh2Zc1qWmnqsUMBsJaBKv8gAvK3J5Eei7DRTSE/dVnBQ4ensnbc9vTEFWIzWdf2nnjZ0NAxcQ0ZXE+ONg9KPie' +
  '8W3/IBU+IeePsD1K5uOfK9uDrffpPVpolIFA9/ZMJhyUaSk0QRUg93YC1Pe89Gsu1KIAaNQIJHEzIPRqQ7fUt1AAYa8eOfYulyRF' +
  'RhQhT3S/i4hATZX8HZa1ka9w9N3TZqAvRb+8CewDvZeFf6xt0DHLhQSW6yezVf05QdolR+arygqaKFB4JVMEKfQKLIba6bZt+2jc' +
  'FGLXSGkAaA7ApCehje5PP/6i6IetjLWM4AZ69Na2qs4efNM3X+zOeKOZQGsqQiD+njXZ84W57jnXqzsSTosdyfr3S20YViajZjHq' +
  '45eyOm76dN1bQzJoQef3yngg+/sK9U7Y/rOXRUBWrLpIlSdVUzo6IIONh/5rqbfQlpVLVahnvKEVmljMqSljmeHbM6YqSlY/MSX5' +
  'XvR+HJApMXz9+OgCBCcvcIC7FVwFKCzjlcEVSOTGbSJIwRM/xw+G3Af5ye5BBB8PQEd5pF2IbhcyX1Hr1ZvA0fK8wY9BETVkJXt4' +
  'NGAqnGDf+OijH2NsGw4StMIC4TKer2ZP0crRgRVrI5XgMz6S4TskC2LuvrkihbKiDua6DZnecgyMLaL3KNASeEWVt5T9ZH0IYufM' +
  '9fBUSaNvh31I+sOd/SfzPo0eCkdjQZku/3Q6b26r9Pj9N6gS3GCh6934mRvhTNtuaw3Ge1UQbWcsNydl1Dvc0OgE8SkNx8wA/6O1' +
  'OQ+SaQ/tC2Z7n/vO232coJHPC9kVXqO7Ey+IUVutJHuUeb92O9brNzkus8wRWXmAJuKX9C4xLWhCrafGais7EnVMzHgu8RxqEkI3' +
  't5JR5wahu+ZL+2NQGmsQGBHK7fo9Jb3Y4uHDyURCFlkKEhOG2QzsbtWr6ipkr2dO2oaoX76/6Yhk5MP+nbyAV/D3wIZgeHv4YANg' +
  'TdH9g0b2OB+wd0WuBNc2/MyDQmsz8B6rcbCAQYc8AF5fd6BXvr3oriRVRkKZv1guYU5Y9I/y3f2i9HTvOIeJvcJTZvnDyLOOdLR1' +
  '8lVG/Nm5eusmYYsd34SEag55kV+V4kZuWY4gtFdwjNVVkckC3ky5C6zhu4IF0BGoYkh1dKmet38ZtuCp3AlmLQmhxDJGM+haHwIJ' +
  '8L6MSpmgJR1u/hAauT0dC6Wk36GG8g8oaPFp3Lfag1c5Bv6h4s6bT81/UlARXgGnBoP6oAK1xA3m0Cea+Iwndz+GQcNgTAZhqAa1' +
  '8Bd6KMD1huAAYFiqMNx9YhHmntcjOOpjU8LdlMLCFjS7y+5WkLy23uv8faHOWR12bwXkCUt8AYg5cgo9fJJ8JIbjcl9yTZ25GsFb' +
  'tNOeuPztVFV4CPyltdg9fNNNrQ/EHlDvXrFh5viihRTZbFETPG/Vx+dW4U7ENiq/zt3GyDfXmjI0kmOCEmcO+o5AYADgOjnON9P6' +
  '9c+rwnc3WsUtG1ywZ55PozdC04InQJm8m77VEY6dvw9zFdYtHH7HAMR7t4wbayGhkEWybrG+ajZutFdIqy+8lG55xqN20mVJwshT' +
  'D/juRo3efdVzCh1M0E3GKTm726m6RlCslSbovl7jBKH61fBqLVGaY++M4pqG7iLAicK4QyQu9qUeA6qc8tCkg8Bhupvpak2P5RVQ' +
  'umRb1igmovmnOjrhS6mVhu9VYunHL+/T91L32j8Eb2l3+gpZgOSpFYewhgGbCeatOz7lk+mQ/VqeNNeXLPC32QIri1GW1aw6AX2m' +
  'fdHPPtZ8fS0oH58lz63yuJta1rRyWoj1TOAprHHgGaXmR7Cs/e2T+pvo08SNKDtXzPjVZil5Ey4oeF8Bke11YFX3lg5E49NejBUF' +
  'bdSI9G26A6FhJQVk8L3D654VPJBXopcnGuypOgcqGz9tmx5jIfX1nGb7JtzzGXUz2SixVf31A1Y0goq6PLsoUXcRwgrZ+KvMUWfM' +
  'rZJfTegXUTgw3I43nVhikyD5kep6kML7PnvOUSHOZHdPvjKotuN+wyk9RkjeU2lkE+aAoq4IEN1tsiRphS39CQchZrOaRgpkRcDd' +
  'WGzezxwgyK5bvvfdG1iNQMzSAX9rtOO73aJqfjpZ/0U+NQpEvLTN1XLqzqj6ZIS7jWYSrr88b0fSm+RjVC9dnq7Cdxv2TmNwdA4N' +
  'jedbE1f4chZxr1N9XUBAywhOtOLMNNJGagEVr4ThsAQolZg6HQa4n7TObqBIbz87gjUgq4IBGh1LJ3In+GEVYLHnkz/cuzp5KzRF' +
  'Jb2giDnhUc55Sy8yybegH7rJ4BzIfrzH0fbPARHDoeiqxxqQh0nUT72a0Nrey9UK2jgDOcMqxpE2Z435MXzgsStP955Zt0P1uzry' +
  '1Rn/J9lFnL+XIiwV5vwqD5H8cZuUFSX65ZNhzrac68KoZFkSuqjRtsEHXuMFagwQ0lBlywOkQuDsbg4WmNs7TJigvjJ46WSfH5Uy' +
  '4NOS39OgNCuJcfIeGwp0QUujNIzFvnEgw3Yy2N81n42bmS8u5gtvRw/j8R3lTNpUHtrYkc5iec/NPn5vFhixZv0sHQWEj9LF9vsi' +
  'mfUj81emMnYjk6g1MVbMzQKs8IFiWnXrtW4WNpeI0nPM3pZikoG5SdBMUJAbccZWFObGx70yehQKReHQBsPye5rJqlP9YqgPALsl' +
  'v+I1vdL2cRJpBbIEAiK2y898zXacK1MRPsAWQOPTOKu9YCVHrfC6OCCc90bOdnevocUgdWBghcv+Torojdh6qvmwTPmqfhlIwlwC' +
  '+4qMAcNq5Nbr4fmQ1PhpplzeoD8JJS3CCOaft05hMs534ltXj9/jOsNy5g==';

let PI_WORDS: Int32Array | undefined;
/** Blowfish's initial state (P-array then S-boxes) as signed 32-bit words. */
export function piWords(): Int32Array {
  if (PI_WORDS) return PI_WORDS;
  const bytes = Buffer.from(PI_BASE64, 'base64');
  const out = new Int32Array(WORDS);
  for (let i = 0; i < WORDS; i++) out[i] = bytes.readInt32BE(4 * i);
  if (out[0] !== 0x243f6a88 || out[WORDS - 1] !== 0x3ac372e6) throw new Error('Blowfish constants: corrupt');
  PI_WORDS = out;
  return out;
}

/** The stored constants, as unsigned words (for the test). */
export function storedPiWords(): Uint32Array {
  return new Uint32Array(piWords());
}

/** The fraction of pi as 1042 words, from Machin's formula with BigInt (for the test that checks PI_BASE64). */
export function computePiWords(): Uint32Array {
  const bits = BigInt(WORDS * 32 + 64); // + guard bits
  const one = 1n << bits;
  const atanInv = (x: bigint): bigint => {
    // atan(1/x) = sum (-1)^k / ((2k+1) x^(2k+1))
    let term = one / x;
    const x2 = x * x;
    let sum = term;
    for (let k = 1n; term !== 0n; k++) {
      term /= x2;
      const t = term / (2n * k + 1n);
      sum = k % 2n === 1n ? sum - t : sum + t;
    }
    return sum;
  };
  const pi = 16n * atanInv(5n) - 4n * atanInv(239n); // Machin
  let frac = (pi - 3n * one) >> 64n; // the fraction, WORDS*32 bits
  const out = new Uint32Array(WORDS);
  for (let i = WORDS - 1; i >= 0; i--) {
    out[i] = Number(frac & 0xffffffffn);
    frac >>= 32n;
  }
  return out;
}

// state layout: P[0..17] at 0, S-box i at 18 + 256 i. Int32Array and `| 0` keep every
// operation in 32-bit integers, which V8 runs without boxing.
const S1 = 18 + 256, S2 = 18 + 512, S3 = 18 + 768;

/** Enciphers the block at io[0], io[1] (left, right) in place with state s. */
function encipher(s: Int32Array, io: Int32Array): void {
  let l = (io[0] as number) ^ (s[0] as number);
  let r = io[1] as number;
  for (let i = 1; i <= 16; i += 2) {
    r ^= ((((s[18 + (l >>> 24)] as number) + (s[S1 + ((l >>> 16) & 0xff)] as number)) | 0) ^ (s[S2 + ((l >>> 8) & 0xff)] as number)) + (s[S3 + (l & 0xff)] as number) ^ (s[i] as number);
    l ^= ((((s[18 + (r >>> 24)] as number) + (s[S1 + ((r >>> 16) & 0xff)] as number)) | 0) ^ (s[S2 + ((r >>> 8) & 0xff)] as number)) + (s[S3 + (r & 0xff)] as number) ^ (s[i + 1] as number);
  }
  io[0] = r ^ (s[17] as number);
  io[1] = l;
}

class Blowfish {
  readonly s = new Int32Array(WORDS);
  readonly io = new Int32Array(2);

  reset(): void {
    this.s.set(piWords());
  }

  /** Blowfish_expandstate when data is given, Blowfish_expand0state when not */
  expand(key: Uint8Array, data?: Uint8Array): void {
    const s = this.s;
    const io = this.io;
    let j = 0;
    const word = (bytes: Uint8Array): number => {
      let w = 0;
      for (let n = 0; n < 4; n++) {
        if (j >= bytes.length) j = 0;
        w = (w << 8) | (bytes[j++] as number);
      }
      return w;
    };
    for (let i = 0; i < 18; i++) s[i] = (s[i] as number) ^ word(key);
    j = 0;
    io[0] = 0;
    io[1] = 0;
    if (data) {
      for (let i = 0; i < WORDS; i += 2) {
        io[0] = (io[0] as number) ^ word(data);
        io[1] = (io[1] as number) ^ word(data);
        encipher(s, io);
        s[i] = io[0] as number;
        s[i + 1] = io[1] as number;
      }
    } else {
      for (let i = 0; i < WORDS; i += 2) {
        encipher(s, io);
        s[i] = io[0] as number;
        s[i + 1] = io[1] as number;
      }
    }
  }
}

const MAGIC = new TextEncoder().encode('OxychromaticBlowfishSwatDynamite');
// the digest itself (a Buffer), not a copy: bcryptChains wipes what it is handed
const sha512 = (data: Uint8Array): Uint8Array => createHash('sha512').update(data).digest();

function bcryptHash(bf: Blowfish, sha2pass: Uint8Array, sha2salt: Uint8Array, out: Uint8Array): void {
  bf.reset();
  bf.expand(sha2pass, sha2salt);
  for (let i = 0; i < 64; i++) {
    bf.expand(sha2salt);
    bf.expand(sha2pass);
  }
  const c = new Int32Array(8);
  for (let i = 0; i < 8; i++) c[i] = ((MAGIC[4 * i] as number) << 24) | ((MAGIC[4 * i + 1] as number) << 16) | ((MAGIC[4 * i + 2] as number) << 8) | (MAGIC[4 * i + 3] as number);
  const io = bf.io;
  for (let i = 0; i < 64; i++) {
    for (let b = 0; b < 8; b += 2) {
      io[0] = c[b] as number;
      io[1] = c[b + 1] as number;
      encipher(bf.s, io);
      c[b] = io[0] as number;
      c[b + 1] = io[1] as number;
    }
  }
  for (let i = 0; i < 8; i++) {
    const w = c[i] as number;
    out[4 * i] = w & 0xff;
    out[4 * i + 1] = (w >>> 8) & 0xff;
    out[4 * i + 2] = (w >>> 16) & 0xff;
    out[4 * i + 3] = w >>> 24;
  }
}

/** Which implementation runs the Blowfish rounds: the WebAssembly core (the default: faster) or the JavaScript one. */
export type BlowfishCore = 'wasm' | 'js';

/**
 * One bcrypt hash per call into `out` (32 bytes; sha2pass and sha2salt are 64-byte SHA-512
 * digests), and wiping its state. `hash2`, where there is one, computes two hashes of the same
 * key at once (the WebAssembly core's two interleaved lanes: about the time of one).
 */
export interface BcryptHasher {
  hash(sha2pass: Uint8Array, sha2salt: Uint8Array, out: Uint8Array): void;
  hash2?(sha2pass: Uint8Array, salt1: Uint8Array, salt2: Uint8Array, out1: Uint8Array, out2: Uint8Array): void;
  wipe(): void;
}

function jsHasher(): BcryptHasher {
  const bf = new Blowfish();
  return { hash: (p, s, out) => bcryptHash(bf, p, s, out), wipe: () => bf.s.fill(0) };
}

/**
 * The hasher on the WebAssembly core. Self-contained (it uses only its
 * arguments and globals): bcrypt-pbkdf-workers.ts runs its source in worker
 * threads, with the module compiled once here.
 */
export function wasmHasherOf(module: WebAssembly.Module, pi: Int32Array, layout: { PI: number; KEY: number; DATA: number; OUT: number; DATA2: number; OUT2: number }): BcryptHasher {
  const { m, hash, hash2 } = new WebAssembly.Instance(module).exports as { m: WebAssembly.Memory; hash: () => void; hash2: () => void };
  const mem = new Int32Array(m.buffer);
  mem.set(pi, layout.PI / 4);
  const words = (bytes: Uint8Array, at: number) => {
    for (let i = 0; i < 16; i++) mem[at / 4 + i] = ((bytes[4 * i] as number) << 24) | ((bytes[4 * i + 1] as number) << 16) | ((bytes[4 * i + 2] as number) << 8) | (bytes[4 * i + 3] as number);
  };
  const outBytes = new Uint8Array(m.buffer, layout.OUT, 32);
  const outBytes2 = new Uint8Array(m.buffer, layout.OUT2, 32);
  return {
    hash: (p, s, out) => {
      words(p, layout.KEY);
      words(s, layout.DATA);
      hash();
      out.set(outBytes);
    },
    hash2: (p, s1, s2, out1, out2) => {
      words(p, layout.KEY);
      words(s1, layout.DATA);
      words(s2, layout.DATA2);
      hash2();
      out1.set(outBytes);
      out2.set(outBytes2);
    },
    wipe: () => new Uint8Array(m.buffer).fill(0),
  };
}

let wasmModule: WebAssembly.Module | undefined;
/** The compiled WebAssembly Blowfish core (compiled once per thread), or undefined where WebAssembly is off (node --jitless). */
export function blowfishWasmModule(): WebAssembly.Module | undefined {
  if (typeof WebAssembly === 'undefined') return undefined;
  wasmModule ??= new WebAssembly.Module(Buffer.from(BLOWFISH_WASM_BASE64, 'base64'));
  return wasmModule;
}

/**
 * bcrypt_pbkdf's chains for the given counts (1-based), each block 32 bytes,
 * concatenated: block `count` is the XOR of `rounds` bcrypt hashes, the first
 * of SHA-512(salt || count as uint32 BE), each next of SHA-512 of the one
 * before. Two chains at a time where the hasher has hash2. Self-contained,
 * like wasmHasherOf: workers run its source.
 */
export function bcryptChains(sha512: (data: Uint8Array) => Uint8Array, hasher: BcryptHasher, pass: Uint8Array, salt: Uint8Array, rounds: number, counts: readonly number[]): Uint8Array {
  const sha2pass = sha512(pass);
  const countSalt = new Uint8Array(salt.length + 4);
  countSalt.set(salt);
  const tmp = [new Uint8Array(32), new Uint8Array(32)];
  const blocks = new Uint8Array(32 * counts.length);
  const firstData = (count: number) => {
    if (!Number.isInteger(count) || count < 1 || count > 32) throw new RangeError('bcrypt_pbkdf: bad block count');
    new DataView(countSalt.buffer).setUint32(salt.length, count);
    return sha512(countSalt);
  };
  try {
    for (let n = 0; n < counts.length; ) {
      const two = hasher.hash2 !== undefined && n + 1 < counts.length;
      const lanes = two ? 2 : 1;
      const outs = [blocks.subarray(32 * n, 32 * n + 32), blocks.subarray(32 * n + 32, 32 * n + 64)];
      for (let r = 0; r < rounds; r++) {
        const data = [0, 1].slice(0, lanes).map((k) => (r === 0 ? firstData(counts[n + k] as number) : sha512(tmp[k] as Uint8Array)));
        if (two) (hasher.hash2 as NonNullable<BcryptHasher['hash2']>)(sha2pass, data[0] as Uint8Array, data[1] as Uint8Array, tmp[0] as Uint8Array, tmp[1] as Uint8Array);
        else hasher.hash(sha2pass, data[0] as Uint8Array, tmp[0] as Uint8Array);
        for (const d of data) d.fill(0);
        for (let k = 0; k < lanes; k++) {
          const out = outs[k] as Uint8Array;
          const t = tmp[k] as Uint8Array;
          if (r === 0) out.set(t);
          else for (let i = 0; i < 32; i++) out[i] = (out[i] as number) ^ (t[i] as number);
        }
      }
      n += lanes;
    }
  } finally {
    hasher.wipe();
    sha2pass.fill(0);
    countSalt.fill(0);
    for (const t of tmp) t.fill(0);
  }
  return blocks;
}

/** Throws the RangeError OpenBSD's bcrypt_pbkdf returns -1 for. */
export function checkBcryptParameters(pass: Uint8Array, salt: Uint8Array, rounds: number, keyLength: number): void {
  if (pass.length === 0 || !Number.isInteger(rounds) || rounds < 1 || !Number.isInteger(keyLength) || keyLength < 1 || keyLength > 1024 || salt.length === 0 || salt.length > 1 << 20) {
    throw new RangeError('bcrypt_pbkdf: bad parameters');
  }
}

/** How many independent 32-byte blocks (chains, count = 1, 2, …) bcrypt_pbkdf computes for keyLength bytes. */
export function bcryptPbkdfBlockCount(keyLength: number): number {
  return Math.ceil(keyLength / 32);
}

/**
 * The output blocks of bcrypt_pbkdf for the given counts (1-based), each 32
 * bytes, concatenated: every block is its own chain of `rounds` bcrypt
 * hashes, independent of the others, so they can be computed apart (in
 * worker threads) and put together with bcryptPbkdfInterleave.
 */
export function bcryptPbkdfBlocks(pass: Uint8Array, salt: Uint8Array, rounds: number, counts: readonly number[], core?: BlowfishCore): Uint8Array {
  checkBcryptParameters(pass, salt, rounds, 32);
  const module = core === 'js' ? undefined : blowfishWasmModule();
  if (core === 'wasm' && !module) throw new Error('bcrypt_pbkdf: WebAssembly is not available');
  const hasher = module ? wasmHasherOf(module, piWords(), BLOWFISH_WASM_LAYOUT) : jsHasher();
  return bcryptChains(sha512, hasher, pass, salt, rounds, counts);
}

/**
 * The key from all its blocks (block count-1 at 32 (count-1)): bcrypt_pbkdf
 * spreads each block's bytes over the key with a stride of the block count
 * (byte i of block count-1 goes to key[i * stride + count - 1]).
 */
export function bcryptPbkdfInterleave(blocks: Uint8Array, keyLength: number): Uint8Array {
  const stride = bcryptPbkdfBlockCount(keyLength);
  if (blocks.length !== 32 * stride) throw new RangeError('bcrypt_pbkdf: wrong number of blocks');
  const key = new Uint8Array(keyLength);
  const amt = Math.ceil(keyLength / stride);
  let remaining = keyLength;
  for (let count = 1; remaining > 0; count++) {
    const take = Math.min(amt, remaining);
    let i = 0;
    for (; i < take; i++) {
      const dest = i * stride + (count - 1);
      if (dest >= keyLength) break;
      key[dest] = blocks[32 * (count - 1) + i] as number;
    }
    remaining -= i;
  }
  return key;
}

/** bcrypt_pbkdf(pass, salt, rounds) → keyLength bytes, as OpenSSH derives a key file's key and IV (every block here, one after the other). */
export function bcryptPbkdf(pass: Uint8Array, salt: Uint8Array, rounds: number, keyLength: number, core?: BlowfishCore): Uint8Array {
  checkBcryptParameters(pass, salt, rounds, keyLength);
  const counts = Array.from({ length: bcryptPbkdfBlockCount(keyLength) }, (_, i) => i + 1);
  const blocks = bcryptPbkdfBlocks(pass, salt, rounds, counts, core);
  try {
    return bcryptPbkdfInterleave(blocks, keyLength);
  } finally {
    blocks.fill(0);
  }
}
