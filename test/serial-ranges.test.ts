/**
 * SerialRanges (lib/ssh/serial-ranges.ts), the sorted and merged serial
 * ranges a KRL revokes, against a plain list of every range added: random
 * singles and ranges (overlapping, adjacent, nested, in any order, at 1
 * and at 2^64-1), every boundary asked (each end, ±1) and random serials.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { SerialRanges } from '../lib/ssh/serial-ranges.js';
import { seededRandom } from './helpers/seeded-random.js';

const MAX = 0xffffffffffffffffn;

test('SerialRanges answers as a scan of every range added would, on random sets and at every boundary', () => {
  for (let round = 0; round < 300; round++) {
    const seed = randomBytes(4).readUInt32BE();
    const rnd = seededRandom(seed); // the seed is in every message, so a failure can be repeated
    // small spans make overlaps and adjacency common; some rounds sit at the top of the uint64 space
    const base = round % 5 === 0 ? MAX - 200n : 1n;
    const span = 40 + rnd(400);
    const added: Array<[bigint, bigint]> = [];
    const set = new SerialRanges();
    for (let i = rnd(60); i >= 0; i--) {
      const lo = base + BigInt(rnd(span));
      if (lo > MAX) continue;
      const hi = rnd(2) === 0 ? lo : lo + BigInt(rnd(30));
      const top = hi > MAX ? MAX : hi;
      added.push([lo, top]);
      set.add(lo, top);
    }
    if (round % 7 === 0) {
      added.push([1n, 1n], [MAX, MAX]);
      set.add(1n, 1n);
      set.add(MAX, MAX);
    }
    set.freeze();
    const asked = new Set<bigint>([1n, 2n, MAX - 1n, MAX, 0n]);
    for (const [lo, hi] of added) for (const v of [lo - 1n, lo, lo + 1n, hi - 1n, hi, hi + 1n]) asked.add(v);
    for (let i = 0; i < 50; i++) asked.add(base + BigInt(rnd(span + 40)));
    for (const v of asked) {
      if (v < 0n || v > MAX) continue;
      const expected = added.some(([lo, hi]) => v >= lo && v <= hi);
      assert.equal(set.has(v), expected, `seed ${seed}, round ${round}: serial ${v}`);
    }
    // merged: no two ranges overlap or touch, so there are never more ranges than added
    assert.ok(set.ranges <= added.length, `seed ${seed}: ${set.ranges} ranges for ${added.length} added`);
  }
});

test('SerialRanges merges overlapping and adjacent ranges into one, and an empty set holds nothing', () => {
  const set = new SerialRanges();
  set.add(10n, 20n);
  set.add(21n, 21n);
  set.add(5n, 9n);
  set.add(15n, 30n);
  set.add(40n, 40n);
  set.freeze();
  assert.equal(set.ranges, 2);
  assert.deepEqual([4n, 5n, 30n, 31n, 39n, 40n, 41n].map((v) => set.has(v)), [false, true, true, false, false, true, false]);
  const empty = new SerialRanges();
  empty.freeze();
  assert.equal(empty.ranges, 0);
  assert.equal(empty.has(1n), false);
});

test('SerialRanges answers only once frozen, freezes once, and takes nothing after', () => {
  const set = new SerialRanges();
  set.add(5n, 5n);
  assert.throws(() => set.has(5n), /before freeze/);
  set.freeze();
  set.freeze(); // a second freeze changes nothing
  assert.equal(set.has(5n), true);
  assert.throws(() => set.add(6n, 6n), /after freeze/);
  assert.equal(set.has(6n), false);
});
