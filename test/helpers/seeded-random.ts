/**
 * A seeded pseudo-random generator (xorshift32) for tests and benches that
 * want varied inputs they can repeat: the same seed gives the same numbers.
 * Not for anything secret.
 */

/** `next(n)`: a whole number in 0..n-1 from the sequence of `seed` (0 is taken as 1). */
export function seededRandom(seed: number): (n: number) => number {
  let x = seed >>> 0 || 1;
  return (n) => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x % n;
  };
}
