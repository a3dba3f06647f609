/**
 * The certificate serials a KRL revokes for one CA: uint64 ranges added
 * while the KRL is read, then sorted and merged once, so that a login's
 * lookup is a binary search (sshd keeps them in a red-black tree). A KRL
 * of 200,000 scattered serials costs a login microseconds, not a scan of
 * every range.
 */
export class SerialRanges {
  /** single serials as added (most of a large KRL): sorted natively at freeze() */
  #singles = new BigUint64Array(64);
  #singleCount = 0;
  /** wider ranges as added: lo, hi, lo, hi, … */
  #wide: bigint[] = [];
  #lows = new BigUint64Array(0);
  #highs = new BigUint64Array(0);

  /** Adds lo..hi (inclusive; the caller checks 0 < lo ≤ hi < 2^64). */
  add(lo: bigint, hi: bigint): void {
    if (lo !== hi) {
      this.#wide.push(lo, hi);
      return;
    }
    if (this.#singleCount === this.#singles.length) {
      const grown = new BigUint64Array(this.#singles.length * 2);
      grown.set(this.#singles);
      this.#singles = grown;
    }
    this.#singles[this.#singleCount++] = lo;
  }

  /** Sorts and merges what was added; has() sees it only after this. */
  freeze(): void {
    const singles = this.#singles.subarray(0, this.#singleCount).sort();
    const w = this.#wide;
    const order = Array.from({ length: w.length / 2 }, (_, i) => i);
    order.sort((x, y) => {
      const lx = w[2 * x] as bigint;
      const ly = w[2 * y] as bigint;
      return lx < ly ? -1 : lx > ly ? 1 : 0;
    });
    const lows = new BigUint64Array(singles.length + order.length);
    const highs = new BigUint64Array(lows.length);
    let count = 0;
    const put = (lo: bigint, hi: bigint) => {
      // overlapping or adjacent to the last one: the same range
      if (count > 0 && lo <= (highs[count - 1] as bigint) + 1n) {
        if (hi > (highs[count - 1] as bigint)) highs[count - 1] = hi;
        return;
      }
      lows[count] = lo;
      highs[count++] = hi;
    };
    // both in ascending order of their low ends: merge them
    let s = 0;
    let o = 0;
    while (s < singles.length || o < order.length) {
      const wideLo = o < order.length ? (w[2 * (order[o] as number)] as bigint) : undefined;
      if (s < singles.length && (wideLo === undefined || (singles[s] as bigint) <= wideLo)) {
        const v = singles[s++] as bigint;
        put(v, v);
      } else {
        put(wideLo as bigint, w[2 * (order[o++] as number) + 1] as bigint);
      }
    }
    this.#lows = lows.slice(0, count);
    this.#highs = highs.slice(0, count);
    this.#singles = new BigUint64Array(0);
    this.#singleCount = 0;
    this.#wide = [];
  }

  /** Is `serial` in one of the ranges (after freeze())? */
  has(serial: bigint): boolean {
    // the last range whose low end is ≤ serial
    let lo = 0;
    let hi = this.#lows.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.#lows[mid] as bigint) <= serial) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found >= 0 && serial <= (this.#highs[found] as bigint);
  }

  /** How many merged ranges (after freeze()). */
  get ranges(): number {
    return this.#lows.length;
  }
}
