/**
 * The certificate serials a KRL revokes for one CA: uint64 ranges added
 * while the KRL is read, then merged once (freeze), so that a login's
 * lookup is a binary search (sshd keeps them in a red-black tree). A KRL
 * of 100,000 scattered serials costs a login a few microseconds, not a
 * scan of every range. Ranges are kept in typed arrays, 16 bytes each.
 */
export class SerialRanges {
  #lows = EMPTY;
  #highs = EMPTY;
  #count = 0;
  #frozen = false;

  /** Adds lo..hi (inclusive; the caller checks 0 < lo ≤ hi < 2^64). */
  add(lo: bigint, hi: bigint): void {
    if (this.#frozen) throw new Error('SerialRanges: add() after freeze()');
    if (this.#count === this.#lows.length) {
      // the first range allocates: a KRL of many CA sections without serials holds no arrays
      const size = Math.max(16, this.#lows.length * 2);
      const lows = new BigUint64Array(size);
      const highs = new BigUint64Array(size);
      lows.set(this.#lows);
      highs.set(this.#highs);
      this.#lows = lows;
      this.#highs = highs;
    }
    this.#lows[this.#count] = lo;
    this.#highs[this.#count++] = hi;
  }

  /**
   * Merges what was added into disjoint ranges in ascending order; has() answers only after this.
   * The union of ranges depends only on the sorted low ends and the sorted high ends, each sorted
   * on its own (natively): walking both, a range opens at a low end while none is open and
   * closes at the high end that brings the open count back to zero. A low end at most one past
   * the next high end comes first, so ranges that touch (hi + 1 = next lo) become one, and once a
   * range closes every low end left is beyond it.
   */
  freeze(): void {
    if (this.#frozen) return;
    this.#frozen = true;
    const n = this.#count;
    if (n === 0) return;
    const lows = this.#lows.subarray(0, n).sort();
    const highs = this.#highs.subarray(0, n).sort();
    const outLows = new BigUint64Array(n);
    const outHighs = new BigUint64Array(n);
    let out = 0;
    let open = 0;
    let i = 0;
    let j = 0;
    while (j < n) {
      // a low end at or just after the next high end (hi + 1) still belongs to the open range
      if (i < n && (lows[i] as bigint) <= (highs[j] as bigint) + 1n) {
        if (open === 0) outLows[out] = lows[i] as bigint;
        open++;
        i++;
      } else {
        open--;
        if (open === 0) outHighs[out++] = highs[j] as bigint;
        j++;
      }
    }
    this.#lows = outLows.slice(0, out);
    this.#highs = outHighs.slice(0, out);
    this.#count = out;
  }

  /** Is `serial` in one of the ranges? (After freeze().) */
  has(serial: bigint): boolean {
    if (!this.#frozen) throw new Error('SerialRanges: has() before freeze()');
    // the last range whose low end is ≤ serial
    let lo = 0;
    let hi = this.#count - 1;
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

  /** How many disjoint ranges (after freeze()). */
  get ranges(): number {
    return this.#count;
  }
}

const EMPTY = new BigUint64Array(0);
