// shuffle_i32: an in-place Fisher–Yates shuffle drawing j = ⌊u·(i + 1)⌋ from the library's
// RNG. Checked bit for bit against the JS reference, as a permutation, for determinism,
// and for uniformity (all 6 orders of 3 elements equally likely, 5σ bounds).

import { describe, it, expect, afterEach } from 'vitest';
import { runtime } from '../../bindings/index.js';
import { Mem } from '../reference/mem.js';
import { Xoshiro128ss, seedWords } from '../reference/xoshiro.js';
import { SIZES } from '../reference/prng.js';

const mem = new Mem();
afterEach(() => mem.freeAll());

function seeded(seed: bigint, stream: number): number {
  const st = mem.alloc(16);
  const [lo, hi] = seedWords(seed);
  runtime().exports.rng_seed(st, lo, hi, stream);
  return st;
}

function shuffle(values: ArrayLike<number>, st: number): Int32Array {
  const p = mem.putI32(values);
  runtime().exports.shuffle_i32(p, st, values.length);
  return mem.readI32(p, values.length);
}

/** Fisher–Yates from the top: for i = n − 1 … 1, swap a[i] and a[⌊u·(i + 1)⌋]. */
function shuffleRef(values: ArrayLike<number>, ref: Xoshiro128ss): Int32Array {
  const a = Int32Array.from(values);
  for (let i = a.length - 1; i > 0; i--) {
    const j = ref.nextInt(i + 1);
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}

describe('shuffle_i32', () => {
  it('equals the reference Fisher–Yates at every size, and is a permutation', () => {
    for (const n of SIZES) {
      const values = Int32Array.from({ length: n }, (_, i) => 1000 + 3 * i); // arbitrary content, not just 0..n−1
      const st = seeded(31n, n);
      const ref = Xoshiro128ss.seeded(31n, n);
      const got = shuffle(values, st);
      expect(Array.from(got), `n=${n}`).toEqual(Array.from(shuffleRef(values, ref)));
      expect(Array.from(got).sort((a, b) => a - b)).toEqual(Array.from(values));
      expect(Array.from(mem.readU32(st, 4)), `draws consumed n=${n}`).toEqual(Array.from(ref.s));
    }
  });

  it('is deterministic per (seed, stream), and different seeds give different orders', () => {
    const idx = Int32Array.from({ length: 1000 }, (_, i) => i);
    const a = shuffle(idx, seeded(5n, 0));
    expect(Array.from(shuffle(idx, seeded(5n, 0)))).toEqual(Array.from(a));
    const b = shuffle(idx, seeded(6n, 0));
    expect(Array.from(b)).not.toEqual(Array.from(a));
    expect(a.filter((v, i) => v === i).length).toBeLessThan(10); // ~1 fixed point expected
  });

  it('draws all 6 orders of 3 elements equally often (60 000 shuffles, 5σ)', () => {
    const st = seeded(77n, 0);
    const counts = new Map<string, number>();
    const p = mem.putI32([0, 1, 2]);
    const view = () => new Int32Array(mem.rt.arena.buffer, p, 3);
    for (let t = 0; t < 60_000; t++) {
      view().set([0, 1, 2]);
      runtime().exports.shuffle_i32(p, st, 3);
      const key = view().join('');
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    expect(counts.size).toBe(6);
    const sd = Math.sqrt(60_000 * (1 / 6) * (5 / 6));
    for (const [key, c] of counts) expect(Math.abs(c - 10_000), key).toBeLessThan(5 * sd);
  });

  it('leaves 0 and 1 elements alone and draws nothing for them', () => {
    const st = seeded(8n, 0);
    const before = Array.from(mem.readU32(st, 4));
    expect(Array.from(shuffle([42], st))).toEqual([42]);
    expect(Array.from(shuffle([], st))).toEqual([]);
    expect(Array.from(mem.readU32(st, 4))).toEqual(before);
  });
});
