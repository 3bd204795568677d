// countArgmaxHits, countArgmaxMatches and countBinaryHits vs the oracle: integer counts,
// so exact. Inputs come from a few integers so that ties are common: the argmax is the
// first maximum (documented), and binary hits use the strict thresholds logit > 0 and
// target > 0.5 (so x = 0 counts as "negative" and t = 0.5 as "0").

import { describe, it, expect, afterEach } from 'vitest';
import { runtime, type DType } from '../../bindings/index.js';
import { Mem } from '../reference/mem.js';
import { TestRng, intArray, uniformArray, SIZES } from '../reference/prng.js';
import { countArgmaxHitsRef, countArgmaxMatchesRef, countBinaryHitsRef } from '../reference/losses.js';

const DTYPES: DType[] = ['float32', 'float64'];
const mem = new Mem();
afterEach(() => mem.freeAll());

describe.each(DTYPES)('metrics %s', (dtype) => {
  const k = () => runtime().raw[dtype];

  it('countArgmaxHits: first maximum on ties, every shape', () => {
    const rng = new TestRng(61);
    for (const rows of [0, 1, 3, 17, 100]) for (const cols of [1, 2, 3, 4, 5, 10]) {
      const x = intArray(rng, rows * cols, 0, 2);
      const labels = Int32Array.from({ length: rows }, () => rng.int(cols));
      const got = k().countArgmaxHits(mem.put(dtype, x), mem.putI32(labels), rows, cols);
      expect(got, `rows=${rows} cols=${cols}`).toBe(countArgmaxHitsRef(x, labels, rows, cols));
      mem.freeAll();
    }
  });

  it('countArgmaxMatches: first maximum on ties in logits and targets, every shape', () => {
    const rng = new TestRng(62);
    for (const rows of [0, 1, 3, 17, 100]) for (const cols of [1, 2, 3, 4, 5, 10]) {
      const x = intArray(rng, rows * cols, 0, 2), t = intArray(rng, rows * cols, 0, 1);
      const got = k().countArgmaxMatches(mem.put(dtype, x), mem.put(dtype, t), rows, cols);
      expect(got, `rows=${rows} cols=${cols}`).toBe(countArgmaxMatchesRef(x, t, rows, cols));
      mem.freeAll();
    }
  });

  it('countBinaryHits matches the oracle at every size', () => {
    const rng = new TestRng(63);
    for (const n of SIZES) {
      const x = intArray(rng, n, -2, 2), t = uniformArray(rng, n, 0, 1, dtype);
      for (let i = 0; i < n; i += 7) t[i] = 0.5;
      const got = k().countBinaryHits(mem.put(dtype, x), mem.put(dtype, t), n, 0);
      expect(got, `n=${n}`).toBe(countBinaryHitsRef(x, t, n));
      mem.freeAll();
    }
  });

  it('worked examples: ties, thresholds', () => {
    // rows: [3, 3, 1] → argmax 0; [0, 2, 2] → 1; [−1, −1, −1] → 0
    const x = mem.put(dtype, [3, 3, 1, 0, 2, 2, -1, -1, -1]);
    expect(k().countArgmaxHits(x, mem.putI32([0, 1, 0]), 3, 3)).toBe(3);
    expect(k().countArgmaxHits(x, mem.putI32([1, 2, 2]), 3, 3)).toBe(0);
    expect(k().countArgmaxMatches(x, mem.put(dtype, [1, 0, 0, 0, 1, 0, 0, 0, 1]), 3, 3)).toBe(2);
    // x > 0 vs t > 0.5: (0, 0) hit, (0, 0.5) hit, (0, 1) miss, (1e-30, 1) hit, (−1, 0.5) hit, (2, 0.5) miss
    expect(k().countBinaryHits(mem.put(dtype, [0, 0, 0, 1e-30, -1, 2]), mem.put(dtype, [0, 0.5, 1, 1, 0.5, 0.5]), 6, 0)).toBe(4);
  });
});
