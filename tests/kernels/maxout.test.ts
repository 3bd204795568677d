// maxout and maxoutBackward vs the oracle. No arithmetic happens (a max and a scatter),
// so every check is exact: y, the winning piece index, and dz.
// Ties go to the lowest piece (documented); inputs are drawn from a few integers so that
// ties are frequent, including ties between all pieces. dz starts as garbage and must be
// fully overwritten (zeros everywhere but the winners).

import { describe, it, expect, afterEach } from 'vitest';
import { runtime, type DType } from '../../bindings/index.js';
import { Mem, bytesOf, sentinels } from '../reference/mem.js';
import { TestRng, intArray, uniformArray } from '../reference/prng.js';
import { maxoutRef, maxoutBackwardRef } from '../reference/activations.js';
import { expectExact } from '../reference/check.js';

const DTYPES: DType[] = ['float32', 'float64'];
const mem = new Mem();
afterEach(() => mem.freeAll());

/** Runs forward then backward; returns y, idx, dz. */
function run(dtype: DType, z: Float64Array, dy: Float64Array, rows: number, units: number, pieces: number, offset: number) {
  const k = runtime().raw[dtype];
  const pz = mem.put(dtype, z, offset);
  const py = mem.put(dtype, sentinels(rows * units), offset);
  const pidx = mem.putI32(new Int32Array(rows * units).fill(-9), offset ? 4 : 0);
  k.maxout(py, pidx, pz, rows, units, pieces);
  const pdy = mem.put(dtype, dy, offset);
  const pdz = mem.put(dtype, sentinels(rows * units * pieces), offset);
  k.maxoutBackward(pdz, pdy, pidx, rows, units, pieces);
  const out = {
    y: mem.read(dtype, py, rows * units),
    idx: mem.readI32(pidx, rows * units),
    dz: mem.read(dtype, pdz, rows * units * pieces),
    zAfter: mem.read(dtype, pz, z.length),
  };
  mem.freeAll();
  return out;
}

describe.each(DTYPES)('maxout %s', (dtype) => {
  it('forward and backward match the oracle for many shapes, with frequent ties', () => {
    const rng = new TestRng(21);
    for (const rows of [0, 1, 3, 17]) for (const units of [1, 3, 4, 7, 16]) for (const pieces of [1, 2, 3, 5]) {
      for (const offset of [0, bytesOf(dtype)]) {
        const n = rows * units * pieces;
        const z = rng.next() < 0.5 ? intArray(rng, n, -2, 2) : uniformArray(rng, n, -5, 5, dtype);
        const dy = uniformArray(rng, rows * units, -1, 1, dtype);
        const want = maxoutRef(z, rows, units, pieces);
        const got = run(dtype, z, dy, rows, units, pieces, offset);
        const label = `rows=${rows} units=${units} pieces=${pieces} offset=${offset}`;
        expectExact(got.y, want.y, `y ${label}`);
        expectExact(got.idx, want.idx, `idx ${label}`);
        expectExact(got.dz, maxoutBackwardRef(dy, want.idx, rows, units, pieces), `dz ${label}`);
        expectExact(got.zAfter, z, `z unchanged ${label}`);
      }
    }
  });

  it('ties go to the lowest piece; negative maxima are found (no max(0, ·) start)', () => {
    // units of 3 pieces: [all equal], [tie of the last two], [tie of first and last], [all negative]
    const z = Float64Array.from([4, 4, 4, 1, 7, 7, 5, 2, 5, -3, -1, -2]);
    const got = run(dtype, z, Float64Array.from([10, 20, 30, 40]), 1, 4, 3, 0);
    expect(Array.from(got.y)).toEqual([4, 7, 5, -1]);
    expect(Array.from(got.idx)).toEqual([0, 1, 0, 1]);
    expect(Array.from(got.dz)).toEqual([10, 0, 0, 0, 20, 0, 30, 0, 0, 0, 40, 0]);
  });
});
