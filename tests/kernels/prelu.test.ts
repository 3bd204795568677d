// prelu and preluBackward vs the f64 oracle at awkward row/column counts, with one alpha per
// column (negative, zero and > 1 included, since a learned alpha can be anything), exact
// zeros in x (x = 0 takes the alpha branch), y == x in forward and dx == dy in backward
// (both allowed), and pointers one element off 16-byte alignment.
//
// Tolerances: alpha·x and alpha·dy are one T rounding (u relative). dalpha[c] is a sum of
// `rows` products: Higham's γ_{rows+2}·Σ|dy·x|, the same dot-product bound as gemm. A
// wrong column of alpha or a missed/extra row is off by a whole term.

import { describe, it, expect, afterEach } from 'vitest';
import { runtime, type DType } from '../../bindings/index.js';
import { Mem, bytesOf, sentinels } from '../reference/mem.js';
import { TestRng, uniformArray, SIZES } from '../reference/prng.js';
import { preluRef, preluBackwardRef } from '../reference/activations.js';
import { dotErrorFactor } from '../reference/gemm.js';
import { expectClose, unitRoundoff } from '../reference/check.js';

const DTYPES: DType[] = ['float32', 'float64'];
const mem = new Mem();
afterEach(() => mem.freeAll());

function makeInputs(rng: TestRng, dtype: DType, rows: number, cols: number) {
  const x = uniformArray(rng, rows * cols, -3, 3, dtype);
  for (let i = 0; i < x.length; i += 4) x[i] = 0;
  const alpha = uniformArray(rng, cols, -1.5, 1.5, dtype);
  if (cols > 1) alpha[1] = 0;
  const dy = uniformArray(rng, rows * cols, -1, 1, dtype);
  return { x, alpha, dy };
}

describe.each(DTYPES)('prelu %s', (dtype) => {
  const u = unitRoundoff(dtype);
  const es = bytesOf(dtype);

  it('forward matches the oracle at every size, in place and misaligned', () => {
    const rng = new TestRng(11);
    for (const cols of SIZES) for (const rows of [0, 1, 3]) {
      const { x, alpha } = makeInputs(rng, dtype, rows, cols);
      const want = preluRef(x, alpha, rows, cols);
      for (const alias of [false, true]) for (const offset of [0, es]) {
        const px = mem.put(dtype, x, offset), pa = mem.put(dtype, alpha, offset);
        const py = alias ? px : mem.alloc(x.length * es, offset);
        runtime().raw[dtype].prelu(py, px, pa, rows, cols);
        expectClose(mem.read(dtype, py, x.length), want, (i) => u * Math.abs(want[i]), `rows=${rows} cols=${cols} alias=${alias} offset=${offset}`);
        mem.freeAll();
      }
    }
  });

  it('backward matches the oracle: dx, and dalpha overwritten (not accumulated)', () => {
    const rng = new TestRng(12);
    for (const cols of SIZES) for (const rows of [0, 1, 3, 17]) {
      const { x, alpha, dy } = makeInputs(rng, dtype, rows, cols);
      const want = preluBackwardRef(dy, x, alpha, rows, cols);
      const factor = dotErrorFactor(rows, u);
      for (const alias of [false, true]) for (const offset of [0, es]) {
        const px = mem.put(dtype, x, offset), pa = mem.put(dtype, alpha, offset), pdy = mem.put(dtype, dy, offset);
        const pdx = alias ? pdy : mem.alloc(x.length * es, offset);
        const pda = mem.put(dtype, sentinels(cols), offset); // stale contents must not leak in
        runtime().raw[dtype].preluBackward(pdx, pda, pdy, px, pa, rows, cols);
        const label = `rows=${rows} cols=${cols} alias=${alias} offset=${offset}`;
        expectClose(mem.read(dtype, pdx, x.length), want.dx, (i) => u * Math.abs(want.dx[i]), `dx ${label}`);
        expectClose(mem.read(dtype, pda, cols), want.dalpha, (c) => factor * want.dalphaAbs[c], `dalpha ${label}`);
        mem.freeAll();
      }
    }
  });

  it('a worked example: x = [2, 0, −3], alpha = [0.5, 0.25, −2], dy = [1, 4, 2]', () => {
    const px = mem.put(dtype, [2, 0, -3]), pa = mem.put(dtype, [0.5, 0.25, -2]), pdy = mem.put(dtype, [1, 4, 2]);
    const py = mem.alloc(3 * es), pdx = mem.alloc(3 * es), pda = mem.alloc(3 * es);
    const k = runtime().raw[dtype];
    k.prelu(py, px, pa, 1, 3);
    k.preluBackward(pdx, pda, pdy, px, pa, 1, 3);
    expect(Array.from(mem.read(dtype, py, 3))).toEqual([2, 0, 6]);
    expect(Array.from(mem.read(dtype, pdx, 3))).toEqual([1, 1, -4]);
    expect(Array.from(mem.read(dtype, pda, 3))).toEqual([0, 0, -6]);
  });
});
